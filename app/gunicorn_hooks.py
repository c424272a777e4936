"""Gunicorn set-up for Prometheus multiprocess mode, for `gunicorn.conf.py` to import:

    from app.gunicorn_hooks import child_exit, prepare_metrics_dir

    prepare_metrics_dir()

`prepare_metrics_dir()` runs in the gunicorn master while it reads its configuration — before any
worker (or a `--preload`ed app) imports prometheus_client, which decides at import time whether to
write values to files. It uses `PROMETHEUS_MULTIPROC_DIR` when the environment sets it (creating it and
removing the previous run's files, as prometheus_client requires) and otherwise creates a fresh
temporary directory that the master removes when it exits. `child_exit` is the gunicorn hook that
drops a dead worker's live gauges; `post_worker_init` takes the start-up objects out of the garbage
collector's scans. This module does not import prometheus_client at import time.
"""

from __future__ import annotations

import atexit
import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The collector's thresholds in a worker: a young-generation pass once 10,000 more container objects are
# alive than at the last one (Python's default: 700). A turn in flight holds a few hundred objects, so
# with dozens of turns on one worker the default ran ~8 passes a second, each walking every turn's live
# objects, and promoted them into older generations whose passes then paused every customer on the
# worker (1.7 ms / 17 ms / 60 ms; ~2 % of a worker's CPU under scripts/bench_wrk.py). With 10,000: a
# pass every few seconds, ~12 ms, no older-generation pass in 30 s. Almost all of a turn's garbage is
# freed by reference counting the moment the turn ends; cycles wait a few seconds longer.
GC_THRESHOLDS = (10_000, 20, 100)


def prepare_metrics_dir() -> Path:
    """Make `PROMETHEUS_MULTIPROC_DIR` an empty directory for this run and return it."""
    if "app.metrics" in sys.modules:  # its metrics already chose in-process values: too late
        raise RuntimeError("prepare_metrics_dir() must run before the app is imported (gunicorn.conf.py)")
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # counters of a previous run would be added to this one
            stale.unlink()
        return directory
    directory = Path(tempfile.mkdtemp(prefix="csbot-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    master = os.getpid()

    def remove() -> None:  # workers run atexit handlers too: only the master removes the directory
        if os.getpid() == master:
            shutil.rmtree(directory, ignore_errors=True)

    atexit.register(remove)
    return directory


def child_exit(server: Any, worker: Any) -> None:
    """Gunicorn hook (master, after a worker exited): forget that worker's live gauge values."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Gunicorn hook (worker, once the app is loaded): move what start-up built — content, templates,
    the classifier's vocabulary, ~160k objects that live as long as the worker — out of the garbage
    collector's reach. Scanning them made each full collection a ~50 ms pause for every customer
    waiting on this worker (the benchmark's p99); after this a full collection scans only what turns
    allocate. Then the thresholds above."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
