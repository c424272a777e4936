"""gunicorn settings for the Procfile's `web:` process (`gunicorn -c gunicorn.conf.py 'app:create_app()'`).

- Workers: without REDIS_URL conversations live in the process's memory, so exactly one worker runs;
  asking for more (WEB_CONCURRENCY or --workers) refuses to start with a message saying why. With
  Redis: WEB_CONCURRENCY, else one per CPU core.
- Worker class gevent: every connection is a cheap greenlet, so idle, slow or half-sent requests
  (a client on a bad network, or someone holding sockets open on purpose) cannot occupy the workers
  that answer customers. With sync or gthread workers a few dozen such sockets stop the service.
  Turns do little CPU work (utterances are capped at 1,000 characters), so cooperative scheduling
  keeps the p99 low; benchmark: scripts/bench_wrk.py.
- Logs: the access log has no query string; every gunicorn line passes the privacy filter (no
  `?key=` secret, phone, plate or user key, even for malformed request lines).

- Garbage collection: once a worker has loaded the app, what start-up built is frozen out of the
  collector's scans (`post_worker_init`): full collections stop pausing every customer for ~50 ms;
  young objects are collected every 10,000 (not 700) new ones (app/gunicorn_hooks.py says why).

- Metrics: `/metrics` adds up every worker's counts (prometheus-client's multiprocess mode): the
  directory for them is prepared here, before any worker imports the app, and a dead worker's live
  gauges are dropped (`child_exit`).

Nothing else from the app is imported here (app.gunicorn_hooks starts no threads and imports no
prometheus_client): the gevent workers patch the standard library before the app loads, and the
master must not have started threads of its own first.
"""

from __future__ import annotations

import multiprocessing
import os

from app.gunicorn_hooks import child_exit, post_worker_init, prepare_metrics_dir

prepare_metrics_dir()
__all__ = ["child_exit", "on_starting", "post_worker_init"]  # gunicorn hooks

MEMORY_WORKERS_REFUSED = (
    "cs-bot: {workers} workers were asked for, but REDIS_URL is not set: each worker would keep its "
    "own conversations in memory and a customer's turns would land on different workers. Set "
    "REDIS_URL (shared sessions) or run one worker (unset WEB_CONCURRENCY / --workers)."
)


def _redis_configured() -> bool:
    return bool(os.environ.get("REDIS_URL", "").strip())


def _workers() -> int:
    asked = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not _redis_configured():
        return int(asked) if asked.isdigit() and int(asked) > 1 else 1  # >1 is refused in on_starting
    return int(asked) if asked.isdigit() and int(asked) > 0 else multiprocessing.cpu_count()


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = _workers()
worker_class = "gevent"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
timeout = 10  # a worker stuck this long (not a slow client: those are greenlets) is restarted
graceful_timeout = 10
keepalive = 5
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
logger_class = "app.web.gunicorn_log.PrivateLogger"


def on_starting(server) -> None:  # type: ignore[no-untyped-def]
    """Refuse to split conversations over several in-memory workers (also for --workers N)."""
    if not _redis_configured() and server.cfg.workers > 1:
        message = MEMORY_WORKERS_REFUSED.format(workers=server.cfg.workers)
        server.log.error(message)
        raise SystemExit(message)
