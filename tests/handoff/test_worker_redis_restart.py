"""`cs-bot worker` and a Redis restart: a delivery retry scheduled before the restart still runs soon
after Redis is back (RQ's own defaults left it waiting ~6 minutes for the scheduler to restart)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import redis

from app.handoff.desks import WebhookDesk
from app.handoff.jobs import RQDispatcher
from app.handoff.redis_repository import RedisHandoffRepository
from tests.handoff.conftest import make_record
from tests.own_redis import OwnRedis, free_port


class FlakyDesk(BaseHTTPRequestHandler):
    """503 to the first delivery (so a retry is scheduled), 200 afterwards."""

    received: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        FlakyDesk.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(503 if len(FlakyDesk.received) == 1 else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def desk() -> Iterator[str]:
    FlakyDesk.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyDesk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/handoffs"
    server.shutdown()


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_scheduled_retry_runs_after_redis_restarts(desk: str, tmp_path: Path) -> None:
    server = OwnRedis(free_port(), tmp_path / "redis", "--appendonly", "yes", "--appendfsync", "always")
    server.start()
    worker: subprocess.Popen[str] | None = None
    try:
        client = redis.Redis(port=server.port, socket_timeout=1)
        repo = RedisHandoffRepository(client, prefix="restart:")
        record = make_record()
        repo.save(record)
        RQDispatcher(client, repo, [WebhookDesk(desk, None)], (4,), queue_name="restart-q").submit(record.id)
        env = {
            **os.environ,
            "REDIS_URL": server.url,
            "REDIS_PREFIX": "restart:",
            "HANDOFF_QUEUE": "restart-q",
            "HANDOFF_WEBHOOK_URL": desk,
            "HANDOFF_SPOOL_DIR": str(tmp_path / "spool"),
            "WORKER_MAINTENANCE_SECONDS": "2",
        }
        cs_bot = Path(sys.executable).with_name("cs-bot")
        worker = subprocess.Popen(
            [str(cs_bot), "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert wait_for(lambda: len(FlakyDesk.received) == 1, 20), "the first attempt never reached the desk"
        server.stop()  # Redis restarts (its data kept on disk) while the retry waits
        time.sleep(2)
        server.start()
        if not wait_for(lambda: len(FlakyDesk.received) == 2, 40):
            worker.terminate()
            pytest.fail(
                f"the retry did not run after the restart; worker log:\n{worker.communicate()[1][-3000:]}"
            )
        view = repo.get(record.id)
        assert view is not None and view.delivery["webhook"].state == "delivered"
    finally:
        try:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(5)
        finally:
            server.stop()
