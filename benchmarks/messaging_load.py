#!/usr/bin/env python
"""Benchmark: realtime messaging under load (issue 5, "Speed"; docs/messaging.md).

Starts Uvicorn (one process) serving config.asgi with the Redis pub/sub channel layer and
PostgreSQL, opens N authenticated WebSockets (default 1,000) in conversations of 5, sends
messages at a fixed total rate (default 200/s) for a duration (default 60 s), and reports
delivery latency (send → `message.new` at every participant, the sender included; each
message is stored in PostgreSQL first) p50/p95/p99, deliveries per second, and lost and
duplicated deliveries (both must be 0).

In the same run it measures three floors with the same sockets, rate and fan-out:

* bare: the same work without Django and Channels (benchmarks/messaging_floor.py): a
  minimal asyncio WebSocket server, as many processes as Uvicorn's workers, that stores
  each message with the real send path's prepared statement and fans it out through Redis
  pub/sub to the participants' sockets — the floor the goal is measured against;
* echo: a Channels consumer on the same Uvicorn that echoes each frame back five times
  (no channel layer, no database) — the cost of the socket, the server and this client;
* redis: a raw Redis publish/subscribe round trip: one PUBLISH per recipient to a
  personal channel, N subscribers spread over 20 subscriber connections.

It also shows that the socket limits (messaging/limits.py) do not refuse this load: the
busiest socket's and person's sends per window of each limit, against the settings.

Usage (PostgreSQL and Redis running; the database is created if missing and its messaging
tables and benchmark people are replaced):

    .venv/bin/python benchmarks/messaging_load.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bruggen_bench_messaging] \
        [--redis-url redis://127.0.0.1:6379/14] [--sockets 1000] [--rate 200] \
        [--duration 60] [--skip-floors]

Goals on a 2-core machine: p99 at most 50 ms, nothing lost or duplicated, and p99 at most
2 times the bare floor's p99 in the same run (printed as met or MISSED).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUP_SIZE = 5
CONNECT_CONCURRENCY = 50
# Uvicorn's flags in production (Makefile `run`, docker-compose.yml `ws`; workers apart).
SERVER_ARGS = "--ws-per-message-deflate false --ws-max-size 131072"


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def cpu_times() -> list[int]:
    """The machine's CPU counters (/proc/stat: user nice system idle iowait irq softirq
    steal), to report how busy the machine was and how much the hypervisor took."""
    try:
        with open("/proc/stat") as stat:
            return [int(value) for value in stat.readline().split()[1:9]]
    except OSError:
        return []


def cpu_share(before: list[int], after: list[int]) -> str:
    if not before or not after:
        return "machine CPU: unknown"
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta) or 1
    busy = total - delta[3] - delta[4] - delta[7]
    return (
        f"machine CPU during the run: busy {100 * busy / total:.0f}%, "
        f"idle {100 * (delta[3] + delta[4]) / total:.0f}%, "
        f"stolen by the hypervisor {100 * delta[7] / total:.0f}%"
    )


def summary_line(latencies_ms: list[float]) -> str:
    return (
        f"p50 {percentile(latencies_ms, 0.5):.1f} ms, p99 {percentile(latencies_ms, 0.99):.1f} ms"
    )


def summary(name: str, latencies_ms: list[float], seconds: float) -> dict[str, float]:
    figures = {
        "p50": percentile(latencies_ms, 0.50),
        "p95": percentile(latencies_ms, 0.95),
        "p99": percentile(latencies_ms, 0.99),
        "max": max(latencies_ms) if latencies_ms else float("nan"),
        "deliveries_per_s": len(latencies_ms) / seconds if seconds else 0.0,
    }
    print(
        f"{name:>10}: p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
        f"p99 {figures['p99']:7.1f} ms  max {figures['max']:7.1f} ms  "
        f"{figures['deliveries_per_s']:8.0f} deliveries/s"
    )
    return figures


def timeline(points: list[tuple[float, float]], duration: float, windows: int = 6) -> None:
    """p50/p99 per slice of the run, by send time: a queue that grows shows as a rising
    line, a pause as one bad slice."""
    width = duration / windows
    cells = []
    for number in range(windows):
        inside = [ms for at, ms in points if number * width <= at < (number + 1) * width]
        cells.append(
            f"{number * width:.0f}-{(number + 1) * width:.0f} s: "
            f"p50 {percentile(inside, 0.5):.0f} / p99 {percentile(inside, 0.99):.0f} ms"
        )
    print("   bruggen over time: " + "; ".join(cells))


# Set-up: database, people, conversations, sessions ------------------------------------


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def django_setup(database_url: str, redis_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()


def build_network(sockets: int) -> tuple[list[str], list[list[int]], dict[int, int]]:
    """Benchmark people (fresh each run) in conversations of 5; returns session keys, the
    socket indexes per conversation and conversation id per socket index."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from messaging.models import Conversation, Message, Participant
    from network.models import Person

    unusable = make_password(None)  # the sockets use sessions, nobody signs in
    Conversation.objects.filter(title__startswith="bench-").delete()
    Person.objects.filter(ref__startswith="bench-").delete()
    User.objects.filter(email__startswith="bench-").delete()
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{n}@bench.invalid", name=f"Bench {n}", password=unusable)
            for n in range(sockets)
        ]
    )
    people = Person.objects.bulk_create(
        [Person(user=user, ref=f"bench-{n}", name=user.name) for n, user in enumerate(users)]
    )
    groups = [list(range(i, min(i + GROUP_SIZE, sockets))) for i in range(0, sockets, GROUP_SIZE)]
    conversations = Conversation.objects.bulk_create(
        [Conversation(kind="group", title=f"bench-{n}") for n in range(len(groups))]
    )
    Participant.objects.bulk_create(
        [
            Participant(conversation=conversation, person=people[index])
            for conversation, group in zip(conversations, groups, strict=True)
            for index in group
        ]
    )
    conversation_of = {
        index: conversation.pk
        for conversation, group in zip(conversations, groups, strict=True)
        for index in group
    }
    # Fresh statistics and no dead rows from earlier runs (autovacuum may be off or late):
    # a run measures the send path, not the bloat its predecessors left.
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (Conversation, Participant, Message, Person, User):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys, groups, conversation_of


# The server ------------------------------------------------------------------------------

ECHO_MODULE = '''
import json
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path
from config.asgi import application as bruggen


class Echo(AsyncWebsocketConsumer):
    """The floor: answer each frame five times, like a fan-out of 5, without layer or DB."""

    async def connect(self):
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        for _ in range(5):
            await self.send(text_data=json.dumps({"type": "echo", "client_id": frame["client_id"]}))


echo = URLRouter([path("echo/", Echo.as_asgi())])


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] == "/echo/":
        return await echo(scope, receive, send)
    return await bruggen(scope, receive, send)
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    database_url: str, redis_url: str, workdir: Path, workers: int, extra_args: list[str]
) -> tuple[subprocess.Popen, int]:
    (workdir / "bench_asgi.py").write_text(ECHO_MODULE)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": f"{workdir}:{ROOT}",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("uvicorn")),
            "bench_asgi:application",
            "--lifespan",
            "off",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-max-queue",
            "1024",
            "--workers",
            str(workers),
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("uvicorn did not start")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# The load --------------------------------------------------------------------------------


async def open_sockets(
    url: str, cookies: list[str | None], count: int, queries: list[str] | None = None
):
    import websockets

    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(index: int):
        headers = {"Origin": "http://127.0.0.1"}
        if cookies[index]:
            headers["Cookie"] = f"sessionid={cookies[index]}"
        address = f"{url}?{queries[index]}" if queries else url
        async with limit:
            return await websockets.connect(
                address,
                additional_headers=headers,
                max_size=2**20,
                open_timeout=60,
                ping_interval=None,
            )

    return await asyncio.gather(*(one(i) for i in range(count)))


async def run_load(
    sockets, groups, conversation_of, rate: float, duration: float, *, echo: bool
) -> dict:
    """Send at `rate` per second for `duration` s from sockets in turn; collect latencies."""
    sent_at: dict[str, float] = {}
    expected: dict[str, int] = {}
    received: dict[str, int] = defaultdict(int)
    seen: set[tuple[int, str]] = set()
    duplicates = 0
    errors: list[dict] = []
    latencies: list[float] = []
    timeline: list[tuple[float, float]] = []  # (seconds since start at send, latency ms)
    group_of = {index: group for group in groups for index in group}

    async def reader(index: int, ws) -> None:
        nonlocal duplicates
        async for text in ws:
            now = time.perf_counter()
            frame = json.loads(text)
            kind = frame.get("type")
            if kind in ("message.new", "echo"):
                client_id = frame["client_id"]
                if client_id not in sent_at:
                    continue
                key = (
                    (index, client_id)
                    if kind == "message.new"
                    else (index, client_id + str(received[client_id]))
                )
                if key in seen:
                    duplicates += 1
                    continue
                seen.add(key)
                received[client_id] += 1
                latencies.append((now - sent_at[client_id]) * 1000)
                timeline.append((sent_at[client_id] - start, latencies[-1]))
            elif kind == "error":
                errors.append(frame)

    readers = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    # The load generator is the instrument, not the system under test: its own garbage
    # collections would show up as server latency, so it collects before a run, not in it.
    gc.collect()
    gc.freeze()
    gc.disable()
    interval = 1 / rate
    start = time.perf_counter()
    count = int(rate * duration)
    for number in range(count):
        target = start + number * interval
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index = (number * 7) % len(sockets)  # spread senders over all conversations
        client_id = uuid.uuid4().hex
        if echo:
            frame = {"type": "echo", "client_id": client_id}
        else:
            frame = {
                "type": "message.send",
                "conversation": conversation_of[index],
                "body": f"bericht {number}",
                "client_id": client_id,
            }
        expected[client_id] = GROUP_SIZE if echo else len(group_of[index])
        sent_at[client_id] = time.perf_counter()
        try:
            await sockets[index].send(json.dumps(frame))
        except Exception as error:
            errors.append({"type": "send_failed", "detail": repr(error)})
    elapsed = time.perf_counter() - start
    # Let the last deliveries arrive.
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and sum(received.values()) < sum(expected.values()):
        await asyncio.sleep(0.1)
    for task in readers:
        task.cancel()
    gc.enable()
    lost = sum(max(0, expected[c] - received.get(c, 0)) for c in expected)
    return {
        "latencies": latencies,
        "timeline": timeline,
        "seconds": elapsed,
        "messages": count,
        "lost": lost,
        "duplicates": duplicates,
        "errors": errors,
    }


async def run_redis_floor(redis_url: str, subscribers: int, rate: float, duration: float) -> dict:
    """Raw Redis pub/sub: PUBLISH to 5 personal channels per message; 20 subscriber
    connections carry all the personal channels."""
    import redis.asyncio as redis

    client = redis.from_url(redis_url)
    connections = 20
    pubsubs = [client.pubsub() for _ in range(connections)]
    for index in range(subscribers):
        await pubsubs[index % connections].subscribe(f"bench.person.{index}")
    sent_at: dict[str, float] = {}
    latencies: list[float] = []
    received: dict[str, int] = defaultdict(int)

    async def reader(pubsub) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None:
                continue
            now = time.perf_counter()
            client_id = message["data"].decode()
            received[client_id] += 1
            latencies.append((now - sent_at[client_id]) * 1000)

    readers = [asyncio.create_task(reader(p)) for p in pubsubs]
    await asyncio.sleep(0.5)
    publisher = redis.from_url(redis_url)
    groups = [
        list(range(i, min(i + GROUP_SIZE, subscribers))) for i in range(0, subscribers, GROUP_SIZE)
    ]
    interval = 1 / rate
    count = int(rate * duration)
    start = time.perf_counter()
    for number in range(count):
        delay = start + number * interval - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        group = groups[(number * 7 // GROUP_SIZE) % len(groups)]
        client_id = uuid.uuid4().hex
        sent_at[client_id] = time.perf_counter()
        for index in group:
            await publisher.publish(f"bench.person.{index}", client_id)
    elapsed = time.perf_counter() - start
    await asyncio.sleep(2)
    for task in readers:
        task.cancel()
    expected = count * GROUP_SIZE
    for pubsub in pubsubs:
        await pubsub.aclose()
    await client.aclose()
    await publisher.aclose()
    return {"latencies": latencies, "seconds": elapsed, "lost": expected - sum(received.values())}


def stored_check(conversation_ids: set[int]) -> tuple[int, bool]:
    """How many messages were stored, and whether every conversation's seq is 1..n."""
    from django.db.models import Count, Max

    from messaging.models import Message

    rows = (
        Message.objects.filter(conversation_id__in=conversation_ids)
        .values("conversation_id")
        .annotate(n=Count("id"), top=Max("seq"))
    )
    total = sum(row["n"] for row in rows)
    return total, all(row["n"] == row["top"] for row in rows)


def start_floor(database_url: str, redis_url: str, workers: int) -> tuple[subprocess.Popen, int]:
    """benchmarks/messaging_floor.py with as many processes as Uvicorn; returns once every
    worker listens (each says so on its standard output)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "messaging_floor.py"),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--database-url",
            database_url,
            "--redis-url",
            redis_url,
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "false"},
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    ready = 0
    while ready < workers:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the floor server exited with {process.wait()}")
        ready += "ready" in line
    return process, port


def busiest(times: list[float], seconds: float) -> int:
    """The most of `times` (sorted) inside any window of `seconds`."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def limits_check(sockets: int, rate: float, duration: float, warmup: float) -> list[str]:
    """Whether messaging/limits.py (and the send path's own limit) would refuse any of this
    load: the busiest socket's and person's message.send frames in any window of each limit,
    from the load's own schedule (run_load: message n from socket 7n mod N). Any count
    within a window of W seconds is within a token bucket of that count per W, and within
    a fixed window of W. Every benchmark person has one socket."""
    from django.conf import settings

    sends: dict[int, list[float]] = defaultdict(list)
    for part in (warmup, duration):
        offset = max((times[-1] for times in sends.values()), default=0.0)
        for number in range(int(rate * part)):
            sends[(number * 7) % sockets].append(offset + number / rate)
    checks = []
    socket_limits = settings.MESSAGING_SOCKET_FRAME_LIMITS
    for name, (count, seconds) in [
        ("socket, every frame", socket_limits["*"]),
        ("socket, message.send", socket_limits["message.send"]),
        ("person, message.send", getattr(settings, "MESSAGING_RATE_LIMIT", (30, 10))),
    ]:
        most = max(busiest(times, seconds) for times in sends.values())
        checks.append(
            f"{name}: busiest {most} in {seconds} s, limit {count} "
            f"({'does not bite' if most <= count else 'BITES'})"
        )
    cap = settings.MESSAGING_MAX_SOCKETS_PER_PERSON
    checks.append(
        f"sockets per person: 1, limit {cap} ({'does not bite' if cap >= 1 else 'BITES'})"
    )
    return checks


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


async def measure(sockets, groups, conversation_of, args, *, echo: bool, name: str) -> dict:
    """A warm-up (reported, not in the figures), then the measured run with its CPU line."""
    warmup = None
    if args.warmup:
        # Connections, prepared statements and caches of every worker warm up at the same
        # rate first.
        warmup = await run_load(sockets, groups, conversation_of, args.rate, args.warmup, echo=echo)
        print(
            f"{name} warm-up {args.warmup:.0f} s: {summary_line(warmup['latencies'])}, "
            f"lost {warmup['lost']}, duplicated {warmup['duplicates']}",
            flush=True,
        )
    before = cpu_times()
    result = await run_load(sockets, groups, conversation_of, args.rate, args.duration, echo=echo)
    result["cpu"] = cpu_share(before, cpu_times())
    result["load"] = load_average()
    result["warmup"] = warmup or {"messages": 0, "lost": 0, "duplicates": 0, "errors": []}
    print(f"{name} measured: {summary_line(result['latencies'])}; {result['cpu']}", flush=True)
    return result


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


async def main_async(args) -> int:
    import tempfile

    print(f"start: {load_average()}", flush=True)
    ensure_database(args.database_url)
    django_setup(args.database_url, args.redis_url)
    from asgiref.sync import sync_to_async

    from network.models import Person

    print(f"set-up: {args.sockets} people in conversations of {GROUP_SIZE} …", flush=True)
    keys, groups, conversation_of = await sync_to_async(build_network)(args.sockets)
    refs = await sync_to_async(
        lambda: dict(Person.objects.filter(ref__startswith="bench-").values_list("ref", "pk"))
    )()
    person_queries = [f"person={refs[f'bench-{n}']}" for n in range(args.sockets)]
    checks = await sync_to_async(limits_check)(args.sockets, args.rate, args.duration, args.warmup)
    print("limits (messaging/limits.py, settings) against this load:")
    for check in checks:
        print("   " + check)
    workdir = Path(tempfile.mkdtemp(prefix="bruggen-bench-"))
    server_args = args.server_args.split()
    process, port = start_server(
        args.database_url, args.redis_url, workdir, args.workers, server_args
    )
    results: dict[str, dict] = {}
    stored = {}
    try:
        url = f"ws://127.0.0.1:{port}"
        started = time.perf_counter()
        sockets = await open_sockets(url + "/ws/", keys, args.sockets)
        print(
            f"opened {len(sockets)} authenticated sockets in {time.perf_counter() - started:.1f} s"
        )
        await asyncio.sleep(2)  # let presence notices settle
        print(
            f"load: {args.rate:.0f} messages/s for {args.duration:.0f} s, fan-out {GROUP_SIZE} …",
            flush=True,
        )
        results["bruggen"] = await measure(
            sockets, groups, conversation_of, args, echo=False, name="bruggen"
        )
        stored["bruggen"] = await sync_to_async(stored_check)(set(conversation_of.values()))
        for ws in sockets:
            await ws.close()
        if not args.skip_floors:
            echo_sockets = await open_sockets(url + "/echo/", [None] * args.sockets, args.sockets)
            results["echo"] = await measure(
                echo_sockets, groups, conversation_of, args, echo=True, name="echo"
            )
            for ws in echo_sockets:
                await ws.close()
    finally:
        stop_server(process)
    if not args.skip_floors:
        # The bare floor runs alone, as Uvicorn did: same processes, same database rows.
        floor, floor_port = start_floor(args.database_url, args.redis_url, args.workers)
        try:
            bare_sockets = await open_sockets(
                f"ws://127.0.0.1:{floor_port}/", [None] * args.sockets, args.sockets, person_queries
            )
            await asyncio.sleep(2)
            results["bare"] = await measure(
                bare_sockets, groups, conversation_of, args, echo=False, name="bare"
            )
            for ws in bare_sockets:
                await ws.close()
        finally:
            stop_server(floor)
        stored["bare"] = await sync_to_async(stored_check)(set(conversation_of.values()))
        before = cpu_times()
        results["redis"] = await run_redis_floor(
            args.redis_url, args.sockets, args.rate, args.duration
        )
        results["redis"]["cpu"] = cpu_share(before, cpu_times())
        results["redis"]["load"] = load_average()

    print()
    print(
        f"sockets {args.sockets}, rate {args.rate:.0f}/s, duration {args.duration:.0f} s "
        f"(+ {args.warmup:.0f} s warm-up), fan-out {GROUP_SIZE}, processes {args.workers}, "
        f"Uvicorn {' '.join(server_args)}"
    )
    figures = {name: summary(name, r["latencies"], r["seconds"]) for name, r in results.items()}
    for name, result in results.items():
        print(f"{name:>10}: {result['cpu']}; {result['load']} at its end")
    timeline(results["bruggen"]["timeline"], args.duration)
    load = results["bruggen"]
    warmup = load["warmup"]
    sent = load["messages"] + warmup["messages"]
    stored_count, gapless = stored["bruggen"]
    lost = load["lost"] + warmup["lost"]
    duplicated = load["duplicates"] + warmup["duplicates"]
    print(
        f"bruggen: {sent} sent (warm-up included), {stored_count} stored (seq gapless: {gapless}), "
        f"lost deliveries {lost}, duplicated {duplicated}, errors {len(load['errors'])}"
    )
    if load["errors"]:
        print("  first errors:", load["errors"][:3])
    if "bare" in results:
        bare = results["bare"]
        bare_sent = sent + bare["messages"] + bare["warmup"]["messages"]
        print(
            f"bare: lost {bare['lost'] + bare['warmup']['lost']}, duplicated "
            f"{bare['duplicates'] + bare['warmup']['duplicates']}, errors {len(bare['errors'])}; "
            f"stored {stored['bare'][0]} of {bare_sent} (both runs), "
            f"seq gapless: {stored['bare'][1]}"
        )
        print(
            f"echo lost {results['echo']['lost']}, redis lost {results['redis']['lost']}; "
            f"p99 bruggen/echo {figures['bruggen']['p99'] / figures['echo']['p99']:.1f}, "
            f"bruggen/redis {figures['bruggen']['p99'] / figures['redis']['p99']:.1f} (informative)"
        )
    p99 = figures["bruggen"]["p99"]
    print("targets:")
    print(f"   p99 {p99:.1f} ms ≤ 50 ms: {verdict(p99 <= 50)}")
    print(f"   lost 0: {verdict(lost == 0)} ({lost}); duplicated 0: {verdict(duplicated == 0)}")
    if "bare" in figures:
        ratio = p99 / figures["bare"]["p99"]
        print(
            f"   p99 ≤ 2 times the bare floor's {figures['bare']['p99']:.1f} ms (same run): "
            f"{verdict(ratio <= 2)} ({ratio:.1f} times)"
        )
    ok = lost == 0 and duplicated == 0 and stored_count == sent and gapless
    return 0 if ok else 1


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # run the finally blocks: Uvicorn is stopped


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bruggen_bench_messaging"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    )
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of load before the measured run"
    )
    parser.add_argument("--skip-floors", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=2, help="Uvicorn worker processes (production: one a core)"
    )
    parser.add_argument(
        "--server-args",
        default=SERVER_ARGS,
        help="more Uvicorn options, one string (default: as the Makefile and docker-compose.yml's ws)",
    )
    args = parser.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
