#!/usr/bin/env python
"""The fair floor of benchmarks/messaging_load.py: the send path's work without Django and
Channels (docs/messaging.md, Speed).

A minimal asyncio WebSocket server (the `websockets` package, on uvloop as Uvicorn runs)
that authenticates nothing — a socket says who it is in its query string,
`/?person=<id>` — and for every `message.send` frame does what the real socket's send
path does with plain text:

* stores it with the same prepared statement (`messaging.services._STORE_PLAIN_SQL`,
  imported, not copied; psycopg 3 async, autocommit, generic plan forced) and the same
  body rendering (`messaging.formatting.body_to_html`), which answers with the recipients;
* publishes one `message.new` frame per recipient to its personal Redis channel
  (`person.<id>`) in one pipelined round trip;
* and every process subscribes, on one pub/sub connection, to the channels of the people
  whose sockets it holds and writes what arrives to those sockets.

What it leaves out is what the real server adds: the ASGI and Channels layers, the session
and the limits (the rate limit's Redis round trip), the layer's msgpack envelope, the
author's name, the message's fragment (`html`, drawn with Django's templates) and its
per-language redraw. Run by messaging_load.py; by hand:

    .venv/bin/python benchmarks/messaging_floor.py --port 8765 --workers 2 \
        --database-url postgres://postgres@127.0.0.1:5432/bruggen_bench_messaging \
        --redis-url redis://127.0.0.1:6379/14
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Uvicorn's --ws-max-size in production (Makefile, docker-compose.yml `ws`).
MAX_FRAME = 131072


def send_path() -> tuple[str, object]:
    """The store statement and the body renderer of the real send path. Importing them
    loads Django's models once, at start; nothing of Django runs per message."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from messaging.formatting import body_to_html
    from messaging.services import _STORE_PLAIN_SQL

    return _STORE_PLAIN_SQL, body_to_html


class Floor:
    def __init__(self, *, database_url: str, redis_url: str, connections: int) -> None:
        self.sql, self.render = send_path()
        self.database_url = database_url
        self.redis_url = redis_url
        self.connections = connections
        self.sockets: dict[int, set] = defaultdict(set)

    async def start(self) -> None:
        import psycopg
        import redis.asyncio as redis

        # As many connections as the real server's MESSAGING_DB_THREADS (one each).
        self.pool: asyncio.Queue = asyncio.Queue()
        for _ in range(self.connections):
            connection = await psycopg.AsyncConnection.connect(self.database_url, autocommit=True)
            await connection.execute("SET plan_cache_mode = force_generic_plan")
            self.pool.put_nowait(connection)
        self.redis = redis.from_url(self.redis_url)
        self.pubsub = self.redis.pubsub()
        await self.pubsub.subscribe("floor.ready")  # get_message needs a subscription
        self.fan_in_task = asyncio.create_task(self.fan_in())

    async def stop(self) -> None:
        self.fan_in_task.cancel()
        await self.pubsub.aclose()
        await self.redis.aclose()
        while not self.pool.empty():
            await self.pool.get_nowait().close()

    async def fan_in(self) -> None:
        """Write every frame published to a person's channel to that person's sockets."""
        from websockets.exceptions import ConnectionClosed

        while True:
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message["type"] != "message":
                continue
            person = int(message["channel"].rsplit(b".", 1)[1])
            data = message["data"].decode()
            for ws in list(self.sockets.get(person, ())):
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(data)

    async def handler(self, ws) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        person = int(query["person"][0])
        if not self.sockets[person]:
            await self.pubsub.subscribe(f"person.{person}")
        self.sockets[person].add(ws)
        try:
            async for text in ws:
                frame = json.loads(text)
                if frame.get("type") == "message.send":
                    await self.send(ws, person, frame)
        finally:
            self.sockets[person].discard(ws)
            if not self.sockets[person]:
                del self.sockets[person]
                await self.pubsub.unsubscribe(f"person.{person}")

    async def send(self, ws, person: int, frame: dict) -> None:
        import psycopg

        now = datetime.now(UTC)
        body = frame["body"]
        params = {
            "now": now,
            "conversation": int(frame["conversation"]),
            "author": person,
            "client_id": frame["client_id"],
            "body": body,
            "body_html": self.render(body),
        }
        connection = await self.pool.get()
        try:
            cursor = await connection.execute(self.sql, params, prepare=True)
            row = await cursor.fetchone()
        except psycopg.errors.UniqueViolation:
            row = None
        finally:
            self.pool.put_nowait(connection)
        if row is None:
            await ws.send(json.dumps({"type": "error", "client_id": frame["client_id"]}))
            return
        message_id, seq, participants = row
        data = json.dumps(
            {
                "type": "message.new",
                "conversation": params["conversation"],
                "seq": seq,
                "id": message_id,
                "author": f"person-{person}",
                "author_name": "",
                "body": body,
                "body_html": params["body_html"],
                "client_id": params["client_id"],
                "sent_at": now.isoformat(),
                "edited": False,
                "deleted": False,
                "hidden": False,
                "attachments": [],
            }
        )
        async with self.redis.pipeline(transaction=False) as pipeline:
            for participant in participants:
                pipeline.publish(f"person.{participant}", data)
            await pipeline.execute()


async def serve(args) -> None:
    from websockets.asyncio.server import serve as websocket_serve

    floor = Floor(
        database_url=args.database_url, redis_url=args.redis_url, connections=args.connections
    )
    await floor.start()
    # reuse_port: every worker process binds the same port and the kernel spreads the
    # connections over them, as Uvicorn's workers share one socket.
    # Django's logging settings (loaded for the import) would log every connection.
    logging.getLogger("websockets").setLevel(logging.WARNING)
    async with websocket_serve(
        floor.handler,
        args.host,
        args.port,
        reuse_port=True,
        max_size=MAX_FRAME,
        compression=None,
        max_queue=1024,
        ping_interval=None,
    ):
        print(f"floor worker {os.getpid()} ready", flush=True)
        await asyncio.Future()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16, help="database connections")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    args = parser.parse_args()
    if args.workers > 1:
        # Worker processes are this script with --workers 1; they share this process's
        # session, so the caller stops them all with one killpg.
        command = [sys.executable, __file__, *sys.argv[1:], "--workers", "1"]
        workers = [subprocess.Popen(command) for _ in range(args.workers)]
        return max(worker.wait() for worker in workers)
    import uvloop

    uvloop.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
