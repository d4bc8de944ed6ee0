"""Warm starts of the matching index: how long the build takes, what it leaves in memory,
and what each Gunicorn process holds with the index built in the master (shared) or in
every worker.

    DATABASE_URL=postgres://.../bench REDIS_URL=redis://.../n \\
        .venv/bin/python benchmarks/matching_warm.py [--rounds 3] [--workers 3] [--requests 60]

Needs a database with a network in it, e.g. `manage.py generate_network --people 20000
--organisations 1000 --initiatives 4000 --seed 1`, and Gunicorn (a project dependency).

1. The build, each in a fresh process, alternating the current code with the previous
   implementation (TF-IDF rows built one document vector at a time, then stacked) as the
   same-run baseline: wall time, the adapter's share (queries and records), resident size
   after the build and its peak (VmRSS, VmHWM).
2. Gunicorn with config/gunicorn.py (`preload_app`: the master builds, workers share the
   pages copy-on-write) against the same with `preload_app = False` (each worker builds its
   own): startup until every worker reported its index ready, then `--requests` rankings
   spread over the workers, then RSS and PSS of every process from /proc/<pid>/smaps_rollup
   (PSS splits a shared page among the processes that map it: the sum is the real total).

See docs/matching-engine.md (Where the index is built) for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _child_build(variant: str) -> None:
    """One build in this (fresh) process; prints a JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from matching import index as matching_index
    from matching.engine.index import Postings
    from matching.engine.text import TextModel

    if variant == "previous":

        def row_by_row(counted, idf, n_terms):
            vector = TextModel({}, idf, []).document_vector_of_counts
            return Postings.build([vector(c) for c in counted], n_terms)

        Postings.build_from_counts = staticmethod(row_by_row)
    rss_before = _status_kib("VmRSS")
    started = time.perf_counter()
    records = [*matching_index.person_records(), *matching_index.organisation_records()]
    vocabulary = matching_index.vocabulary()
    adapter = time.perf_counter() - started
    from matching.engine import CandidateIndex

    index = CandidateIndex.build(records, vocabulary)
    total = time.perf_counter() - started
    rss_after, peak = _status_kib("VmRSS"), _status_kib("VmHWM")
    # The step that changed, alone: both text matrices from the fitted counts.
    _model, counted = TextModel.fit((r.text or "", r.looking_for or "") for r in records)
    del records
    step = time.perf_counter()
    for part in (0, 1):
        Postings.build_from_counts([c[part] for c in counted], index.text_model.idf, len(_model))
    postings = time.perf_counter() - step
    print(
        json.dumps(
            {
                "variant": variant,
                "candidates": len(index),
                "seconds": total,
                "adapter_seconds": adapter,
                "postings_seconds": postings,
                "rss_growth_mib": (rss_after - rss_before) / 1024,
                "peak_mib": peak / 1024,
                "nbytes_mib": index.nbytes() / 2**20,
            }
        )
    )


def _builds(rounds: int) -> None:
    print("1. The build, a fresh process each, alternating (median of the rounds)")
    results: dict[str, list[dict]] = {"previous": [], "current": []}
    for _ in range(rounds):
        for variant in ("previous", "current"):
            out = subprocess.run(
                [PYTHON, __file__, "--child-build", variant],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            results[variant].append(json.loads(out.strip().splitlines()[-1]))
    for variant, runs in results.items():
        runs.sort(key=lambda r: r["seconds"])
        mid = runs[len(runs) // 2]
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(
            f"   {variant:9} {mid['candidates']:,} candidates: {mid['seconds']:.2f} s "
            f"(runs: {times}; adapter {mid['adapter_seconds']:.2f} s, "
            f"text matrices {mid['postings_seconds']:.2f} s), "
            f"RSS growth {mid['rss_growth_mib']:.0f} MiB, peak RSS {mid['peak_mib']:.0f} MiB, "
            f"nbytes() {mid['nbytes_mib']:.0f} MiB"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smaps(pid: int) -> tuple[int, int]:
    values = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        values[name.rstrip(":")] = int(value)
    return values["Rss"], values["Pss"]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _gunicorn(preload: bool, workers: int, requests: int) -> None:
    port = _free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as config:
        config.write(
            "from config.gunicorn import *  # noqa\n"
            f"bind = '127.0.0.1:{port}'\nworkers = {workers}\naccesslog = None\n"
            f"preload_app = {preload}\n"
        )
    log_fd, log_name = tempfile.mkstemp(suffix=".log")
    started = time.perf_counter()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "-c",
            config.name,
            "--pythonpath",
            f"{ROOT},{ROOT / 'benchmarks'}",
            "matching_warm_app:application",
        ],
        cwd=ROOT,
        stdout=log_fd,
        stderr=subprocess.STDOUT,
    )
    os.close(log_fd)
    try:
        expected = workers + (1 if preload else 0)
        while Path(log_name).read_text().count("matching index ready") < expected:
            if server.poll() is not None or time.perf_counter() - started > 600:
                print(Path(log_name).read_text()[-3000:])
                raise SystemExit("gunicorn did not get ready")
            time.sleep(0.2)
        ready = time.perf_counter() - started
        pids: dict[int, int] = {}
        latencies = []
        for _ in range(requests):
            t = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/rank", timeout=120) as r:
                pid = json.loads(r.read())["pid"]
            latencies.append(time.perf_counter() - t)
            pids[pid] = pids.get(pid, 0) + 1
        latencies.sort()
        mode = "preload (master builds)" if preload else "per worker (no preload)"
        print(
            f"   {mode}: ready after {ready:.1f} s; {requests} rankings over "
            f"{len(pids)} workers, wall p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
        total_pss = 0
        for role, pid in [("master", server.pid)] + [("worker", p) for p in _children(server.pid)]:
            rss, pss = _smaps(pid)
            total_pss += pss
            print(
                f"     {role:6} {pid}: RSS {rss / 1024:6.0f} MiB, PSS {pss / 1024:6.0f} MiB"
                + (f" ({pids.get(pid, 0)} requests)" if role == "worker" else "")
            )
        print(f"     all processes: PSS {total_pss / 1024:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=60)
        os.unlink(config.name)
        os.unlink(log_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--child-build", choices=["previous", "current"], help=argparse.SUPPRESS)
    parser.add_argument("--skip-build", action="store_true", help="only the Gunicorn part")
    args = parser.parse_args()
    if args.child_build:
        _child_build(args.child_build)
        return
    print(f"load average before: {os.getloadavg()}")
    if not args.skip_build:
        _builds(args.rounds)
    print(f"2. Gunicorn, {args.workers} workers")
    for preload in (True, False):
        _gunicorn(preload, args.workers, args.requests)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
