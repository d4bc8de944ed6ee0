"""Gunicorn's settings for the `web` service and the image's default command:
`gunicorn -c config/gunicorn.py config.wsgi:application --bind 0.0.0.0:8000`.

The master loads the app and builds the matching index before it forks the workers
(`preload_app` + `when_ready`), so no request waits for the build and the workers share
the index's pages copy-on-write instead of each holding a copy (docs/matching-engine.md,
Where the index is built). The price: `kill -HUP` no longer reloads the code; restart the
service to deploy.
"""

from __future__ import annotations

workers = 3
accesslog = "-"
preload_app = True


def when_ready(server) -> None:
    """In the master, after the app was loaded and before the first fork. Without
    `preload_app` the master never loads Django, and each worker builds for itself."""
    if server.cfg.preload_app:
        from matching.index import index_warm

        index_warm(before_fork=True)


def post_worker_init(worker) -> None:
    """In each worker once the app is loaded: a version check, which rebuilds only when a
    candidate changed since the master built (a worker respawned hours later), or builds
    when the master could not (database not ready then)."""
    from matching.index import index_warm

    index_warm()
