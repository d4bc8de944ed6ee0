#!/usr/bin/env python
"""Benchmark: the knowledge-bank search page (/initiatives/) and API (/api/v1/initiatives)
on a large generated network (issue 3, "Speed").

Targets (figures to report, not tests to bend):

* server time: under 50 ms p95 for typical queries with filters, page and API;
* under load (wrk, 16 connections, Gunicorn): the search page serves at least 15% of the
  requests per second that a hello-world answers on the same server in the same run, with
  p99 under 200 ms and no errors.

Usage (a PostgreSQL database holding a generated network, e.g. made by
`manage.py generate_network --people 100000 --organisations 5000 --initiatives 20000 --seed 1`):

    .venv/bin/python benchmarks/network_search.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bruggen_bench] \
        [--repetitions 50] [--duration 20] [--connections 16] [--skip-load | --skip-server]

Part 1 (server time) runs the views in this process through django.test.Client with
DEBUG off. Part 2 (load) starts Gunicorn (3 sync workers) on a small WSGI wrapper written to
a temporary directory: `/hello` answers a fixed 200 without touching Django (the hello-world
baseline); `/bench-hello-django/` is a hello-world Django view behind the full middleware
stack (a second, informative baseline); everything else goes to config.wsgi.application.
Both baselines and the search page are served by that same server, one wrk run after the
other. Gunicorn and wrk are stopped at the end, also on Ctrl-C, SIGTERM or an error.

Nothing is written to the database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT  # --app-dir: another checkout (e.g. a worktree holding a candidate patch)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bruggen_bench"

# Typical queries with filters: words people type, alone and combined with the filters of
# the page, a second page and the "most recent" sort.
TYPICAL_QUERIES = [
    "",
    "q=ouders",
    "q=vrijwilligers&theme=parents",
    "theme=sport&municipality=utrecht",
    "q=taal&status=running&target_group=newcomers",
    "success_factor=network&theme=food",
    "q=ouders&theme=parents&page=2",
    "q=jongeren&sort=recent",
    "theme=language&target_group=refugees&status=running&page=2",
]
LOAD_QUERIES = [
    "/initiatives/?q=ouders&theme=parents",
    "/initiatives/?theme=sport&municipality=utrecht",
    "/initiatives/?q=taal&status=running&target_group=newcomers",
]

# The realistic mix (issue "Speed at scale", item 1): MIX_SIZE distinct queries drawn from the
# network's own text (words of titles and summaries, organisation and municipality names)
# and its filters, alone and combined; a Zipf-distributed stream over them (a few queries
# asked very often, most rarely, as in any search log) and a stream of queries never asked
# before, reported separately.
MIX_SIZE = 2000
ZIPF_EXPONENT = 1.0

SERVER_P95_TARGET_MS = 50.0
RATIO_TARGET = 0.15
LOAD_P99_TARGET_MS = 200.0

_children: list[subprocess.Popen] = []


# Helpers ----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def load_average() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        one, five, fifteen = os.getloadavg()
        return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain text: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells) -> str:
        return "  ".join(
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [line(headers), "  ".join("-" * width for width in widths)]
    lines += [line(row) for row in rows]
    return "\n".join(lines)


def base_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "False",
            "DATABASE_URL": database_url,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The per-process memory cache: the cold runs clear it, which must never
            # touch a shared Redis.
            "REDIS_URL": "",
        }
    )
    return env


# Part 1: server time -----------------------------------------------------------------------


@dataclass
class ServerTiming:
    path: str
    status: int
    queries: int
    sql_ms: float
    samples: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)


def _database_report(connection) -> list[str]:
    """Row counts, and a warning when the planner has no statistics (autovacuum off, never
    analyzed): plans on such a database are not the plans of a production database."""
    lines = [f"Database: {connection.settings_dict['NAME']} on {connection.vendor}"]
    if connection.vendor != "postgresql":
        return lines
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup, n_dead_tup, "
            "coalesce(greatest(last_analyze, last_autoanalyze)::text, 'never') "
            "FROM pg_stat_user_tables WHERE relname IN "
            "('network_initiative', 'network_person', 'network_organisation', "
            "'network_initiative_themes', 'network_initiative_target_groups', "
            "'network_initiative_success_factors') ORDER BY relname"
        )
        for name, live, dead, analyzed in cursor.fetchall():
            lines.append(f"  {name}: {live:,} rows, {dead:,} dead, analyzed: {analyzed}")
            if analyzed == "never":
                lines.append(
                    f"  WARNING: {name} was never analyzed; the planner guesses its row "
                    "counts (run ANALYZE on a copy to see production-like plans)."
                )
        cursor.execute("SHOW autovacuum")
        lines.append(f"  autovacuum: {cursor.fetchone()[0]}")
    return lines


def measure_server_time(
    database_url: str, repetitions: int, warmup: int, cold: int
) -> tuple[list[ServerTiming], list[str]]:
    _django_setup(database_url)
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    assert not settings.DEBUG, "DJANGO_DEBUG=False did not take"
    report = _database_report(connection)
    print("\n".join(report))

    client = Client(HTTP_HOST="localhost")
    paths = [f"/initiatives/?{q}" if q else "/initiatives/" for q in TYPICAL_QUERIES]
    paths += [f"/api/v1/initiatives?{q}" if q else "/api/v1/initiatives" for q in TYPICAL_QUERIES]
    # The API paginates with limit/offset, not page=N.
    paths = [p.replace("page=2", "offset=20") if p.startswith("/api/") else p for p in paths]
    for path in paths:  # imports, templates, connections: not what a cold cache means here
        client.get(path)
    results = []
    for path in paths:
        # Cold: every cache emptied first (the first visitor of a query, or no cache at all).
        cold_samples = []
        for _ in range(cold):
            cache.clear()
            start = time.perf_counter()
            client.get(path)
            cold_samples.append((time.perf_counter() - start) * 1000)
        for _ in range(warmup):
            client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        timing = ServerTiming(path, response.status_code, len(captured), sql_ms, cold=cold_samples)
        for _ in range(repetitions):
            start = time.perf_counter()
            client.get(path)
            timing.samples.append((time.perf_counter() - start) * 1000)
        results.append(timing)
        print(
            f"  {path}: p50 {timing.p50:.1f} ms, p95 {timing.p95:.1f} ms"
            + (f", cold p95 {percentile(cold_samples, 95):.1f} ms" if cold_samples else ""),
            flush=True,
        )
    return results, report


# The query mix ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass
class QueryMix:
    zipf_queries: list[str]  # MIX_SIZE distinct query strings, most frequent first
    zipf_stream: list[str]  # the stream drawn from them with Zipf weights
    zipf_warmup: list[str]  # another draw: the traffic that filled the cache before
    never_seen: list[str]  # distinct, none of them in zipf_queries


def _django_setup(database_url: str) -> None:
    os.environ.update(base_environment(database_url))
    if str(APP_DIR) not in sys.path:
        sys.path.insert(0, str(APP_DIR))
    # The server's own start-up, as a Gunicorn worker runs it: django.setup(), the URL conf,
    # and whatever the checkout's config/wsgi.py does for its workers (it moves what is
    # loaded out of the garbage collector's full collections).
    import config.wsgi  # noqa: F401


def build_query_mix(database_url: str, *, seed: int, stream: int, never_seen: int) -> QueryMix:
    """Queries as people ask them, drawn from the network's own text and vocabularies."""
    import random
    from urllib.parse import urlencode

    _django_setup(database_url)
    from network.models import (
        Initiative,
        Municipality,
        Organisation,
        SuccessFactor,
        TargetGroup,
        Theme,
    )

    rng = random.Random(seed)
    ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    sample = rng.sample(ids, min(3000, len(ids)))
    words: set[str] = set()
    for title, summary in Initiative.objects.filter(pk__in=sample).values_list("title", "summary"):
        words.update(w.lower() for w in _WORD.findall(f"{title} {summary}"))
    words_list = sorted(words)
    names = list(Organisation.objects.order_by("?").values_list("name", flat=True)[:400])
    names += list(Municipality.objects.values_list("name", flat=True))
    filters = {
        "theme": list(Theme.objects.values_list("slug", flat=True)),
        "target_group": list(TargetGroup.objects.values_list("slug", flat=True)),
        "success_factor": list(SuccessFactor.objects.values_list("slug", flat=True)),
        "status": [value for value, _label in Initiative.Status.choices],
        "municipality": list(Municipality.objects.values_list("slug", flat=True)),
    }

    def one_filter() -> tuple[str, str]:
        name = rng.choice(list(filters))
        return name, rng.choice(filters[name])

    def text() -> str:
        kind = rng.random()
        if kind < 0.6:
            return rng.choice(words_list)
        if kind < 0.85:
            return " ".join(rng.sample(words_list, 2))
        name = rng.choice(names)
        # A name as typed: whole, or its first word or two.
        return " ".join(name.split()[: rng.choice((1, 2, 9))])

    def query() -> str:
        params: list[tuple[str, str]] = []
        kind = rng.random()
        if kind < 0.55:  # words or a name alone
            params.append(("q", text()))
        elif kind < 0.75:  # words with one or two filters
            params.append(("q", text()))
            params += [one_filter() for _ in range(rng.choice((1, 1, 2)))]
        elif kind < 0.9:  # one filter alone
            params.append(one_filter())
        else:  # filters combined
            params += [one_filter() for _ in range(rng.choice((2, 3)))]
        if rng.random() < 0.1:
            params.append(("page", "2"))
        if params[0][0] == "q" and rng.random() < 0.05:
            params.append(("sort", "recent"))
        return urlencode(params)

    distinct: list[str] = []
    seen: set[str] = set()
    while len(distinct) < MIX_SIZE + never_seen:
        q = query()
        if q not in seen:
            seen.add(q)
            distinct.append(q)
    zipf_queries, fresh = distinct[:MIX_SIZE], distinct[MIX_SIZE:]
    weights = [1 / rank**ZIPF_EXPONENT for rank in range(1, len(zipf_queries) + 1)]
    zipf_stream = rng.choices(zipf_queries, weights=weights, k=stream)
    zipf_warmup = rng.choices(zipf_queries, weights=weights, k=stream)
    return QueryMix(zipf_queries, zipf_stream, zipf_warmup, fresh)


def page_path(query: str) -> str:
    return f"/initiatives/?{query}" if query else "/initiatives/"


def api_path(query: str) -> str:
    # The API paginates with limit/offset, not page=N.
    query = query.replace("page=2", "offset=20")
    return f"/api/v1/initiatives?{query}" if query else "/api/v1/initiatives"


@dataclass
class StreamTiming:
    label: str
    samples: list[float] = field(default_factory=list)
    errors: int = 0
    distinct: int = 0


def measure_streams(database_url: str, mix: QueryMix) -> list[StreamTiming]:
    """Server time of the Zipf stream (after another draw of the same length filled the
    cache: the tail still misses) and of the never-seen stream (each query once, the cache
    emptied before each: never a hit), for the page and the API."""
    _django_setup(database_url)
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    results = []
    for name, to_path in (("page", page_path), ("API", api_path)):
        cache.clear()
        for query in mix.zipf_warmup:
            client.get(to_path(query))
        warm = {to_path(q) for q in mix.zipf_warmup}
        hits = sum(to_path(q) in warm for q in mix.zipf_stream) / max(1, len(mix.zipf_stream))
        timing = StreamTiming(
            f"Zipf {name} ({hits:.0%} seen before)", distinct=len(set(mix.zipf_stream))
        )
        for query in mix.zipf_stream:
            start = time.perf_counter()
            status = client.get(to_path(query)).status_code
            timing.samples.append((time.perf_counter() - start) * 1000)
            timing.errors += status != 200
        results.append(timing)
        timing = StreamTiming(f"never seen {name} (no cache)", distinct=len(mix.never_seen))
        for query in mix.never_seen:
            cache.clear()
            start = time.perf_counter()
            status = client.get(to_path(query)).status_code
            timing.samples.append((time.perf_counter() - start) * 1000)
            timing.errors += status != 200
        results.append(timing)
    for timing in results:
        print(
            f"  {timing.label}: {len(timing.samples)} requests ({timing.distinct} distinct), "
            f"p50 {percentile(timing.samples, 50):.1f} ms, p95 "
            f"{percentile(timing.samples, 95):.1f} ms, p99 {percentile(timing.samples, 99):.1f} "
            f"ms, errors {timing.errors}",
            flush=True,
        )
    return results


_LUA = """\
-- Written by benchmarks/network_search.py: each wrk thread walks the list from its own
-- start, every THREADS-th path, so that no two threads ask the same path.
local paths = {%s}
local counter = 0
setup = function(thread)
  thread:set("start", counter)
  counter = counter + 1
end
local i = nil
request = function()
  if i == nil then i = start end
  i = i + %d
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
"""


def lua_script(paths: list[str], threads: int) -> str:
    import json

    return _LUA % (",".join(json.dumps(p) for p in paths), threads)


# Part 2: load ------------------------------------------------------------------------------

WRAPPER = '''\
"""Written by benchmarks/network_search.py: a hello-world baseline in the same server."""
from django.http import HttpResponse
from django.urls import path

from config.wsgi import application as django_application

import config.urls


def _hello_view(request):
    return HttpResponse("Hello, world\\n", content_type="text/plain")


# A hello-world Django view behind the full middleware stack, added before the first request.
config.urls.urlpatterns.insert(0, path("bench-hello-django/", _hello_view))

_BODY = b"Hello, world\\n"


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/hello":
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(_BODY)))]
        )
        return [_BODY]
    return django_application(environ, start_response)
'''


@dataclass
class WrkResult:
    label: str
    url: str
    rps: float = 0.0
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")
    requests: int = 0
    non_2xx: int = 0
    socket_errors: int = 0
    socket_detail: str = ""
    raw: str = ""
    # CPU time per answered request, ms, by who spent it (`cpu_by_role`): where a request's
    # cost lies (the app's Python, PostgreSQL, Redis), not only how long it waited.
    cpu_ms: dict[str, float] = field(default_factory=dict)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(label: str, url: str, output: str) -> WrkResult:
    result = WrkResult(label, url, raw=output)
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    if m := re.search(r"^\s+50%\s+(\S+)", output, re.M):
        result.p50_ms = _ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", output, re.M):
        result.p99_ms = _ms(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.non_2xx = int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.socket_errors = sum(int(g) for g in m.groups())
        result.socket_detail = "connect {}, read {}, write {}, timeout {}".format(*m.groups())
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(command: list[str], **kwargs) -> subprocess.Popen:
    # Its own process group, so that stopping it stops its workers too.
    process = subprocess.Popen(command, start_new_session=True, **kwargs)
    _children.append(process)
    return process


def stop_children() -> None:
    while _children:
        process = _children.pop()
        if process.poll() is not None:
            continue
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_ready(base: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"Gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(base + "/hello", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"Gunicorn did not answer within {timeout}s:\n{log.read_text()[-3000:]}")


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_role(app_group: int) -> dict[str, tuple[str, int, float]]:
    """CPU seconds (user + system) so far of each process of the app server's group,
    PostgreSQL and Redis, by pid, read from /proc (Linux; empty elsewhere)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        fields = rest.split()  # from the state (field 3) on
        seconds = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
        role = (
            "app"
            if int(fields[2]) == app_group
            else "postgres"
            if name.startswith("postgres")
            else "redis"
            if name.startswith("redis-server")
            else None
        )
        if role:
            found[stat.parent.name] = (role, seconds)
    return found


def cpu_spent(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds by role between two `cpu_by_role` readings: a process that started in
    between counts whole; one that exited in between is not counted (Gunicorn's workers
    and their database connections live through a run)."""
    spent = {"app": 0.0, "postgres": 0.0, "redis": 0.0}
    for pid, (role, seconds) in after.items():
        earlier = before.get(pid)
        spent[role] += seconds - (earlier[1] if earlier and earlier[0] == role else 0.0)
    return spent


def run_wrk(
    label: str,
    url: str,
    *,
    threads: int,
    connections: int,
    duration: int,
    script: Path | None = None,
    app_group: int | None = None,
) -> WrkResult:
    cpu_before = cpu_by_role(app_group) if app_group else {}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["-s", str(script)] if script else []
    command.append(url)
    process = _start(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=duration + 60)
    finally:
        if process in _children:
            _children.remove(process)
    result = parse_wrk(label, url, output)
    if app_group and result.requests:
        spent = cpu_spent(cpu_before, cpu_by_role(app_group))
        result.cpu_ms = {role: seconds * 1000 / result.requests for role, seconds in spent.items()}
    print(
        f"  {label:<34} {result.rps:8.1f} req/s  p50 {result.p50_ms:6.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms  non-2xx {result.non_2xx}  socket errors "
        f"{result.socket_errors}"
        + (
            "  CPU ms/request: " + ", ".join(f"{k} {v:.2f}" for k, v in result.cpu_ms.items())
            if result.cpu_ms
            else ""
        ),
        flush=True,
    )
    return result


def warm_up_all(base: str, paths: list[str], connections: int) -> None:
    """Ask each path once, `connections` at a time; an answer other than 200 stops the run."""

    def fetch(path: str) -> None:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        list(pool.map(fetch, paths))
    took = time.monotonic() - started
    print(
        f"  warm-up: the Zipf traffic before: {len(paths)} distinct paths in {took:.1f} s "
        f"({len(paths) / took:.1f} req/s)",
        flush=True,
    )


def measure_load(
    database_url: str,
    *,
    duration: int,
    connections: int,
    threads: int,
    workers: int,
    mix: QueryMix,
    cache_url: str,
) -> tuple[list[WrkResult], str, str]:
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install -y wrk` (or run with --skip-load)."
        )
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    tmp = Path(tempfile.mkdtemp(prefix="bruggen-bench-"))
    try:
        (tmp / "bench_hello_wsgi.py").write_text(WRAPPER)
        log = tmp / "gunicorn.log"
        port = _free_port()
        env = base_environment(database_url)
        env["REDIS_URL"] = cache_url
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(APP_DIR), env.get("PYTHONPATH", "")])
        command = [
            str(gunicorn),
            "bench_hello_wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
        print(f"Starting: {' '.join(command)}  (cwd {APP_DIR})")
        with log.open("w") as log_file:
            server = _start(
                command, cwd=APP_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server, log)
        urls = [
            ("hello (plain WSGI, /hello)", base + "/hello"),
            ("hello (Django view)", base + "/bench-hello-django/"),
        ] + [(path, base + path) for path in LOAD_QUERIES]
        for _label, url in urls:  # every worker imports, connects and fills its caches
            for _ in range(workers * 3):
                with urllib.request.urlopen(url, timeout=30) as response:
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")
        # The never-seen queries, split: the page and the API would share cached id lists.
        half = len(mix.never_seen) // 2
        seen = {page_path(q) for q in mix.zipf_warmup}
        seen_share = sum(page_path(q) in seen for q in mix.zipf_stream) / len(mix.zipf_stream)
        scripts = {
            f"Zipf mix, page (cached, {seen_share:.0%} seen)": [
                page_path(q) for q in mix.zipf_stream
            ],
            f"Zipf mix, API (cached, {seen_share:.0%} seen)": [
                api_path(q) for q in mix.zipf_stream
            ],
            "never seen, page (misses)": [page_path(q) for q in mix.never_seen[:half]],
            "never seen, API (misses)": [api_path(q) for q in mix.never_seen[half:]],
        }
        streams = []
        for label, paths in scripts.items():
            script = tmp / f"{len(streams)}.lua"
            script.write_text(lua_script(paths, threads))
            streams.append((label, script))
        run_wrk("warm-up", urls[2][1], threads=threads, connections=connections, duration=3)
        # The Zipf traffic before: every distinct path of the warm-up draw once, however
        # long that takes (a timed run left most of it unasked on a slower machine, and the
        # Zipf stream then measured misses it was not meant to).
        warm_paths = list(
            dict.fromkeys(
                [page_path(q) for q in mix.zipf_warmup] + [api_path(q) for q in mix.zipf_warmup]
            )
        )
        warm_up_all(base, warm_paths, connections)
        load_before = load_average()
        group = os.getpgid(server.pid)
        results = [
            run_wrk(
                label,
                url,
                threads=threads,
                connections=connections,
                duration=duration,
                app_group=group,
            )
            for label, url in urls
        ]
        results += [
            run_wrk(
                label,
                base,
                threads=threads,
                connections=connections,
                duration=duration,
                script=script,
                app_group=group,
            )
            for label, script in streams
        ]
        load_after = load_average()
        errors = [line for line in log.read_text().splitlines() if "Error" in line]
        if errors:
            print("Gunicorn logged errors:\n  " + "\n  ".join(errors[-10:]))
        return results, load_before, load_after
    finally:
        stop_children()
        shutil.rmtree(tmp, ignore_errors=True)


# Main --------------------------------------------------------------------------------------


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    global APP_DIR
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL with a generated network (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument("--repetitions", type=int, default=50, help="per query (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="per query (default 5)")
    parser.add_argument(
        "--cold",
        type=int,
        default=20,
        help="extra requests per query made right after emptying the cache (default 20; 0: none)",
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="Gunicorn workers")
    parser.add_argument(
        "--stream", type=int, default=2000, help="requests in the Zipf stream (default 2000)"
    )
    parser.add_argument(
        "--never-seen",
        type=int,
        default=200,
        help="never-seen queries timed in-process, each once (default 200)",
    )
    parser.add_argument(
        "--load-never-seen",
        type=int,
        default=8000,
        help="never-seen queries for the wrk runs, half page, half API (default 8000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the query mix")
    parser.add_argument(
        "--cache-url",
        default="",
        help="a Redis URL for Gunicorn's cache (production's shared cache; the database is "
        "flushed by nothing but expiry); default: each worker's own memory cache",
    )
    parser.add_argument("--skip-typical", action="store_true", help="skip the nine queries")
    parser.add_argument("--skip-server", action="store_true", help="skip the server-time part")
    parser.add_argument("--skip-load", action="store_true", help="skip the wrk part")
    parser.add_argument(
        "--app-dir",
        type=Path,
        default=ROOT,
        help="the checkout to measure (default: this one), e.g. a worktree with a candidate patch",
    )
    args = parser.parse_args()
    APP_DIR = args.app_dir.resolve()

    signal.signal(signal.SIGTERM, _on_sigterm)
    # Ctrl-C stops Gunicorn and wrk too, even when started from a shell that ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(APP_DIR)
    print(f"Start: {load_average()}")
    print(f"App: {APP_DIR}")
    server: list[ServerTiming] = []
    streams: list[StreamTiming] = []
    report: list[str] = []
    load: list[WrkResult] = []
    server_load_before = server_load_after = load_before = load_after = ""
    try:
        mix = build_query_mix(
            args.database_url,
            seed=args.seed,
            stream=args.stream,
            never_seen=args.never_seen + args.load_never_seen,
        )
        print(
            f"Query mix: {len(mix.zipf_queries)} queries, a Zipf stream (s={ZIPF_EXPONENT}) "
            f"of {len(mix.zipf_stream)} requests over {len(set(mix.zipf_stream))} of them; "
            f"{len(mix.never_seen)} never-seen queries. Most frequent: "
            + ", ".join(mix.zipf_queries[:5])
        )
        server_mix = QueryMix(
            mix.zipf_queries, mix.zipf_stream, mix.zipf_warmup, mix.never_seen[: args.never_seen]
        )
        load_mix = QueryMix(
            mix.zipf_queries, mix.zipf_stream, mix.zipf_warmup, mix.never_seen[args.never_seen :]
        )
        if not args.skip_server:
            server_load_before = load_average()
            if not args.skip_typical:
                print(
                    f"\n== Server time: django.test.Client, {args.repetitions} repetitions each =="
                )
                server, report = measure_server_time(
                    args.database_url, args.repetitions, args.warmup, args.cold
                )
            print("\n== Server time: the query mix ==")
            streams = measure_streams(args.database_url, server_mix)
            server_load_after = load_average()
        if not args.skip_load:
            print(
                f"\n== Load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s "
                f"--latency, Gunicorn {args.workers} workers =="
            )
            load, load_before, load_after = measure_load(
                args.database_url,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                workers=args.workers,
                mix=load_mix,
                cache_url=args.cache_url,
            )
    except KeyboardInterrupt:
        print("\nInterrupted; stopping Gunicorn and wrk.")
        return 130
    finally:
        stop_children()

    print("\n" + "=" * 100)
    print("SUMMARY")
    print("=" * 100)
    print(f"Command: {' '.join(sys.argv)}")
    verdicts = []
    if server:
        print("\n".join(report))
        rows = []
        for t in server:
            rows.append(
                [
                    t.path,
                    str(t.status),
                    f"{t.p50:.1f}",
                    f"{t.p95:.1f}",
                    f"{t.p99:.1f}",
                    f"{percentile(t.cold, 50):.1f}" if t.cold else "-",
                    f"{percentile(t.cold, 95):.1f}" if t.cold else "-",
                    str(t.queries),
                    f"{t.sql_ms:.1f}",
                ]
            )
        for name, prefix in (("page", "/initiatives/"), ("API", "/api/")):
            samples = [s for t in server if t.path.startswith(prefix) for s in t.samples]
            cold = [s for t in server if t.path.startswith(prefix) for s in t.cold]
            rows.append(
                [
                    f"ALL {name}",
                    "",
                    f"{percentile(samples, 50):.1f}",
                    f"{percentile(samples, 95):.1f}",
                    f"{percentile(samples, 99):.1f}",
                    f"{percentile(cold, 50):.1f}" if cold else "-",
                    f"{percentile(cold, 95):.1f}" if cold else "-",
                    "",
                    "",
                ]
            )
        print(
            f"\nServer time, ms (django.test.Client, DEBUG off; p50/p95/p99 over "
            f"{args.repetitions} repeated requests; cold = {args.cold} requests each right "
            "after emptying the cache; SQL n/ms = one request's queries)"
        )
        print(
            table(
                [
                    "request",
                    "status",
                    "p50",
                    "p95",
                    "p99",
                    "cold p50",
                    "cold p95",
                    "SQL n",
                    "SQL ms",
                ],
                rows,
            )
        )
        print(f"load: {server_load_before}\n      {server_load_after}")
        worst = max(server, key=lambda t: t.p95)
        ok = all(t.p95 < SERVER_P95_TARGET_MS and t.status == 200 for t in server)
        verdicts.append(
            f"p95 server time < {SERVER_P95_TARGET_MS:.0f} ms for every query (repeated): "
            f"{mark(ok)} (worst {worst.p95:.1f} ms: {worst.path})"
        )
        if any(t.cold for t in server):
            worst_cold = max(server, key=lambda t: percentile(t.cold, 95))
            ok_cold = all(percentile(t.cold, 95) < SERVER_P95_TARGET_MS for t in server)
            verdicts.append(
                f"p95 server time < {SERVER_P95_TARGET_MS:.0f} ms for every query (cold cache): "
                f"{mark(ok_cold)} (worst {percentile(worst_cold.cold, 95):.1f} ms: "
                f"{worst_cold.path})"
            )
    if streams:
        rows = [
            [
                t.label,
                str(len(t.samples)),
                str(t.distinct),
                f"{percentile(t.samples, 50):.1f}",
                f"{percentile(t.samples, 95):.1f}",
                f"{percentile(t.samples, 99):.1f}",
                str(t.errors),
            ]
            for t in streams
        ]
        print(
            "\nServer time of the query mix, ms (django.test.Client, DEBUG off; the Zipf "
            "stream from an empty cache, the never-seen queries each once after emptying it)"
        )
        print(table(["stream", "requests", "distinct", "p50", "p95", "p99", "errors"], rows))
        if not server:
            print(f"load: {server_load_before}\n      {server_load_after}")
        for t in streams:
            p95 = percentile(t.samples, 95)
            verdicts.append(
                f"{t.label}: p95 server time {p95:.1f} ms (<= {SERVER_P95_TARGET_MS:.0f}) "
                f"{mark(p95 <= SERVER_P95_TARGET_MS)}; errors {t.errors} {mark(t.errors == 0)}"
            )
    if load:
        hello = load[0]
        rows = []
        for r in load:
            ratio = r.rps / hello.rps if hello.rps else float("nan")
            rows.append(
                [
                    r.label,
                    f"{r.rps:.1f}",
                    f"{ratio:.1%}",
                    f"{r.p50_ms:.1f}",
                    f"{r.p99_ms:.1f}",
                    str(r.requests),
                    str(r.non_2xx),
                    r.socket_detail or "none",
                    " / ".join(f"{r.cpu_ms[k]:.2f}" for k in ("app", "postgres", "redis"))
                    if r.cpu_ms
                    else "-",
                ]
            )
        print(
            f"\nLoad (wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency; "
            f"Gunicorn {args.workers} sync workers; ratio = req/s / plain-WSGI hello req/s; CPU = "
            "CPU time per request of Gunicorn, PostgreSQL and Redis, read from /proc)"
        )
        print(
            table(
                [
                    "url",
                    "req/s",
                    "ratio",
                    "p50 ms",
                    "p99 ms",
                    "requests",
                    "non-2xx",
                    "socket errors",
                    "CPU ms/req app / pg / redis",
                ],
                rows,
            )
        )
        print(f"load: {load_before}\n      {load_after}")
        # The target compares with the Django hello view (the same middleware, sessions
        # and URL resolving as a search page: what search itself costs); the plain-WSGI
        # ratio is printed for comparison with earlier runs.
        django_hello = load[1]
        for r in load[2:]:
            ratio = r.rps / django_hello.rps if django_hello.rps else 0
            ok_ratio = ratio >= RATIO_TARGET
            ok_p99 = r.p99_ms <= LOAD_P99_TARGET_MS
            ok_errors = r.non_2xx == 0 and r.socket_errors == 0 and r.requests > 0
            verdicts.append(
                f"{r.label}: {r.rps:.1f} req/s = {ratio:.1%} of the Django hello view's "
                f"{django_hello.rps:.1f} (>= {RATIO_TARGET:.0%}) {mark(ok_ratio)}; "
                f"p99 {r.p99_ms:.1f} ms (<= {LOAD_P99_TARGET_MS:.0f}) {mark(ok_p99)}; "
                f"no errors {mark(ok_errors)}"
                + (f"  [{r.rps / hello.rps:.1%} of the plain hello]" if hello.rps else "")
            )
    if verdicts:
        print("\nTargets")
        for verdict in verdicts:
            print(f"  - {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
