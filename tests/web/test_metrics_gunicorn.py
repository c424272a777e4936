"""/metrics under a real gunicorn with two workers in Prometheus multiprocess mode, set up by the hooks a
`gunicorn.conf.py` imports from app/gunicorn_hooks.py: every scrape adds up all workers' counts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.ports import free_port_in_range
from tests.web.conftest import payload
from tests.web.servers import stop, wait_ready

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """
from app.gunicorn_hooks import child_exit, prepare_metrics_dir

prepare_metrics_dir()
"""


@pytest.fixture(scope="module")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("metrics")
    (directory / "counter_1.db").write_bytes(b"left over from a previous run")  # must be wiped at start
    return directory


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, metrics_dir: Path) -> Iterator[str]:
    work = tmp_path_factory.mktemp("gunicorn-metrics")
    (work / "gunicorn.conf.py").write_text(CONFIG)
    port = free_port_in_range()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "METRICS_TOKEN")}
    env |= {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "HANDOFF_SPOOL_DIR": str(work / "spool"),
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn", "app:create_app()", "-c", str(work / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--timeout", "10",
    ]  # fmt: skip
    log_path = work / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log_path)
        yield base
    finally:
        stop(process)


def answers(base: str) -> float:
    text = requests.get(f"{base}/metrics", timeout=5).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "csbot_answers_total" and sample.labels == {"kind": "normal"}:
                return sample.value
    raise AssertionError(f"csbot_answers_total not exposed:\n{text[:2000]}")


def test_every_scrape_adds_up_all_workers(server: str, metrics_dir: Path) -> None:
    assert not (metrics_dir / "counter_1.db").exists()  # the previous run's values were removed
    before = answers(server)
    for number in range(20):  # a new connection each: the two workers share them
        body = payload("안녕하세요", f"{number:02d}" * 33)
        assert requests.post(f"{server}/skill", json=body, timeout=5).status_code == 200
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("*.db")}
    assert len(pids) >= 2, pids  # both workers write their values to the shared directory
    seen = {answers(server) - before for _ in range(8)}  # scrapes land on either worker
    assert seen == {20.0}
