#!/usr/bin/env python
"""Benchmark: the plain-text message store statement, three ways, in one run.

Runs messaging.services._STORE_PLAIN_SQL N times (default 3,000) on one PostgreSQL
connection, spread over the benchmark's conversations, as

* client-side binding (what Django's cursors do: PostgreSQL parses and plans every time),
* a server-side prepared statement (PostgreSQL still chooses custom plans),
* a prepared statement with a generic plan (what messaging.services._execute_prepared
  does),

and reports wall time and the PostgreSQL backend's CPU per store (from /proc, so run it on
the database's machine). Usage (PostgreSQL running; the database is created if missing and
its benchmark people and conversations are replaced):

    .venv/bin/python benchmarks/messaging_store.py \
        [--database-url postgres://postgres@127.0.0.1:5432/bruggen_bench_messaging] [--count 3000]
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def backend_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bruggen_bench_messaging"
        ),
    )
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--people", type=int, default=1000, help="as messaging_load.py's sockets")
    args = parser.parse_args()

    import psycopg
    from messaging_load import build_network, django_setup, ensure_database

    ensure_database(args.database_url)
    django_setup(args.database_url, "")
    _keys, groups, conversation_of = build_network(args.people)

    from messaging.services import _STORE_PLAIN_SQL

    senders = [(conversation_of[index], index) for index in range(len(conversation_of))]
    from network.models import Person

    person_of = dict(
        Person.objects.filter(ref__startswith="bench-").values_list("ref", "pk").iterator()
    )
    senders = [(conversation, person_of[f"bench-{index}"]) for conversation, index in senders]

    ways = [
        ("client-side binding (Django's cursors)", "client", None),
        ("prepared, custom plans (PostgreSQL's choice)", "server", "auto"),
        ("prepared, generic plan (the send path)", "server", "force_generic_plan"),
    ]
    print(f"{args.count} stores per way, {len(groups)} conversations of 5")
    for label, binding, plan_mode in ways:
        with psycopg.connect(args.database_url, autocommit=True) as connection:
            pid = connection.info.backend_pid
            cursor = (
                psycopg.ClientCursor(connection) if binding == "client" else connection.cursor()
            )
            if plan_mode:
                cursor.execute(f"SET plan_cache_mode = {plan_mode}")
            cpu_before = backend_cpu_seconds(pid)
            started = time.perf_counter()
            for number in range(args.count):
                conversation, author = senders[number % len(senders)]
                params = {
                    "now": datetime.datetime.now(datetime.UTC),
                    "conversation": conversation,
                    "author": author,
                    "client_id": uuid.uuid4().hex,
                    "body": f"bericht {number}",
                    "body_html": f"bericht {number}",
                }
                if binding == "client":
                    cursor.execute(_STORE_PLAIN_SQL, params)
                else:
                    cursor.execute(_STORE_PLAIN_SQL, params, prepare=True)
                cursor.fetchone()
            wall = (time.perf_counter() - started) / args.count * 1000
            cpu_after = backend_cpu_seconds(pid)
            cpu = (
                f"{(cpu_after - cpu_before) / args.count * 1000:.3f} ms"
                if cpu_before is not None and cpu_after is not None
                else "unknown (database on another machine)"
            )
            print(f"{label:>46}: {wall:.3f} ms a store, backend CPU {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
