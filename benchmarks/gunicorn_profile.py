"""Gunicorn settings that profile each worker with cProfile, for a benchmark only (never in
production): `gunicorn -c benchmarks/gunicorn_profile.py ...` with BENCH_PROFILE_DIR set;
each worker writes `worker-<pid>.prof` there when it stops (SIGTERM to the master). Read
them with `python -m pstats` or `pstats.Stats(*files)`. docs/scaling.md, Knowledge-bank
search, *Why a hit cost more under Gunicorn*."""

from __future__ import annotations

import cProfile
import os

_profile: cProfile.Profile | None = None


def post_fork(server, worker) -> None:
    global _profile
    if os.environ.get("BENCH_PROFILE_DIR"):
        _profile = cProfile.Profile()
        _profile.enable()


def worker_exit(server, worker) -> None:
    if _profile is not None:
        _profile.disable()
        _profile.dump_stats(
            os.path.join(os.environ["BENCH_PROFILE_DIR"], f"worker-{os.getpid()}.prof")
        )
