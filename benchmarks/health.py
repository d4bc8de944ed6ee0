#!/usr/bin/env python
"""Benchmark: the health endpoints under load (issue "Speed at scale", part A).

`/api/v1/health` used to run every check (database, a channel-layer round trip through
`async_to_sync`, a cache write and read) on each call. Liveness (`/api/v1/health/live`)
touches nothing; readiness (`/api/v1/health/ready`) keeps its result a few seconds per
process (docs/operations.md, Health checks).

Usage (any migrated PostgreSQL database; Redis so that the channel layer and the cache are
the production ones):

    .venv/bin/python benchmarks/health.py \
        [--database-url postgres://postgres@127.0.0.1:5432/h12] \
        [--redis-url redis://127.0.0.1:6379/13] [--duration 10] [--connections 16] \
        [--app-dir ../before]     # another checkout, e.g. the code before the change

Starts Gunicorn (3 sync workers) on the same WSGI wrapper as benchmarks/network_search.py:
`/hello` (plain WSGI) and `/bench-hello-django/` (a Django view behind the full middleware
stack) are the same-run baselines; then the anonymous home page and the three health paths,
one wrk run after the other. A path the checkout does not have (404) is reported as such.
Nothing is written to the database; the cache check writes one short-lived key to Redis.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import network_search as shared  # the Gunicorn and wrk helpers, one copy

PATHS = [
    ("hello (plain WSGI)", "/hello"),
    ("hello (Django view)", "/bench-hello-django/"),
    ("home page (anonymous)", "/"),
    ("/api/v1/health", "/api/v1/health"),
    ("/api/v1/health/live", "/api/v1/health/live"),
    ("/api/v1/health/ready", "/api/v1/health/ready"),
]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def measure(
    *,
    app_dir: Path,
    database_url: str,
    redis_url: str,
    duration: int,
    connections: int,
    threads: int,
    workers: int,
) -> list[tuple[str, str, shared.WrkResult | None]]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk`.")
    gunicorn = shared.ROOT / ".venv" / "bin" / "gunicorn"
    tmp = Path(tempfile.mkdtemp(prefix="bruggen-bench-health-"))
    try:
        (tmp / "bench_hello_wsgi.py").write_text(shared.WRAPPER)
        log = tmp / "gunicorn.log"
        port = shared._free_port()
        env = shared.base_environment(database_url)
        env["REDIS_URL"] = redis_url
        env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(app_dir)])
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
        print(f"Starting: {' '.join(command)}  (cwd {app_dir})", flush=True)
        with log.open("w") as log_file:
            server = shared._start(
                command, cwd=app_dir, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        base = f"http://127.0.0.1:{port}"
        shared._wait_ready(base, server, log)
        results: list[tuple[str, str, shared.WrkResult | None]] = []
        for label, path in PATHS:
            url = base + path
            statuses = {_status(url) for _ in range(workers * 3)}  # every worker warms up
            if statuses != {200}:
                print(f"  {label:<34} answered {sorted(statuses)}: not measured", flush=True)
                results.append((label, path, None))
                continue
            shared.run_wrk("warm-up", url, threads=threads, connections=connections, duration=2)
            result = shared.run_wrk(
                label, url, threads=threads, connections=connections, duration=duration
            )
            results.append((label, path, result))
        return results
    finally:
        shared.stop_children()
        shutil.rmtree(tmp, ignore_errors=True)


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bruggen"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--app-dir", type=Path, default=shared.ROOT)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _on_sigterm)

    load_before = shared.load_average()
    try:
        results = measure(
            app_dir=args.app_dir.resolve(),
            database_url=args.database_url,
            redis_url=args.redis_url,
            duration=args.duration,
            connections=args.connections,
            threads=args.threads,
            workers=args.workers,
        )
    except KeyboardInterrupt:
        shared.stop_children()
        return 130
    load_after = shared.load_average()

    hello = next((r for _, _, r in results if r is not None), None)
    rows = []
    for label, _path, r in results:
        if r is None:
            rows.append([label, "-", "-", "-", "-", "not served"])
            continue
        ratio = r.rps / hello.rps if hello and hello.rps else float("nan")
        rows.append(
            [
                label,
                f"{r.rps:.0f}",
                f"{r.p50_ms:.1f}",
                f"{r.p99_ms:.1f}",
                f"{ratio:.1%}",
                f"non-2xx {r.non_2xx}, socket errors {r.socket_errors}",
            ]
        )
    print()
    print(
        f"Gunicorn {args.workers} sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s; ratio = req/s / plain-WSGI hello req/s; app {args.app_dir}"
    )
    print(shared.table(["path", "req/s", "p50 ms", "p99 ms", "ratio", "errors"], rows))
    print(f"before: {load_before}\nafter:  {load_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
