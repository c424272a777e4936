"""app/gunicorn_hooks.py in a fresh interpreter, as gunicorn's master runs it from gunicorn.conf.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=30)
    return done.stdout.strip() + done.stderr.strip()


def test_a_temporary_directory_is_made_and_removed_when_the_master_exits() -> None:
    code = (
        "import os; from app.gunicorn_hooks import prepare_metrics_dir; d = prepare_metrics_dir(); "
        "import app.metrics; from prometheus_client import values; "
        "print(d, os.environ['PROMETHEUS_MULTIPROC_DIR'] == str(d), d.is_dir(), values.ValueClass.__name__)"
    )
    directory, same, existed, value_class = run(code).split()
    assert (same, existed) == ("True", "True")
    assert value_class != "MutexValue"  # values go to files: multiprocess mode is on
    assert not Path(directory).exists()  # removed at exit


def test_too_late_is_refused_clearly() -> None:
    code = "import app.metrics; from app.gunicorn_hooks import prepare_metrics_dir; prepare_metrics_dir()"
    assert "must run before the app is imported" in run(code)


def test_a_worker_freezes_what_start_up_built_and_collects_young_objects_less_often() -> None:
    code = (
        "import gc; from app import create_app; app = create_app(); "
        "from app.gunicorn_hooks import post_worker_init, GC_THRESHOLDS; "
        "before = gc.get_threshold(); post_worker_init(None); "
        "print(before[0], gc.get_threshold() == GC_THRESHOLDS, GC_THRESHOLDS[0], gc.get_freeze_count())"
    )
    default, set_, young, frozen = run(code, LOG_LEVEL="ERROR").split()[:4]
    assert set_ == "True" and int(young) > int(default)  # fewer young-generation passes than Python's
    assert int(frozen) > 50_000  # the content, templates and classifier stay out of every scan
