"""A delivery worker killed in the middle of a delivery (the desk already has the handoff): the attempt
was marked 전송 중 before sending, and a restarted worker sends it again within seconds — not after RQ's
~90 s — with the same Idempotency-Key, so that the desk keeps one (the README's at-least-once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from app.handoff.desks import IDEMPOTENCY_HEADER, WebhookDesk
from app.handoff.jobs import RQDispatcher
from app.handoff.recovery import SILENCE_SECONDS
from app.handoff.redis_repository import RedisHandoffRepository
from tests.conftest import REDIS_URL, new_redis_client
from tests.handoff.conftest import make_record
from tests.web.conftest import clean_queue


class SlowDesk(BaseHTTPRequestHandler):
    """Takes every handoff (200), but holds the first answer until released: the worker dies meanwhile."""

    received: ClassVar[list[str]] = []
    arrived = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        SlowDesk.received.append(self.headers[IDEMPOTENCY_HEADER])
        if len(SlowDesk.received) == 1:
            SlowDesk.arrived.set()
            SlowDesk.release.wait(30)
        try:
            self.send_response(200)
            self.end_headers()
        except OSError:
            pass  # the worker that asked is gone

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_desk() -> Iterator[str]:
    SlowDesk.received, SlowDesk.arrived, SlowDesk.release = [], threading.Event(), threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowDesk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/handoffs"
    SlowDesk.release.set()
    server.shutdown()


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cs_bot = Path(sys.executable).with_name("cs-bot")
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(cs_bot), "worker"], env=env, stdout=out, stderr=out, start_new_session=True
        )


def children(pid: int) -> list[int]:
    """The processes `pid` started (RQ's work horse runs in a process group of its own)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Like a machine or container going away: the worker and its work horse, at once."""
    if process.poll() is None:
        for child in children(process.pid):
            os.kill(child, sig)
        os.killpg(process.pid, sig)
        process.wait(timeout=10)


@pytest.mark.timeout(120)
def test_a_killed_worker_s_delivery_is_picked_up_again_within_seconds(
    slow_desk: str, redis_prefix: str, tmp_path: Path
) -> None:
    queue = f"{redis_prefix}q".replace(":", "-")
    client = new_redis_client()
    repo = RedisHandoffRepository(client, prefix=redis_prefix)
    record = make_record()
    repo.save(record)
    RQDispatcher(client, repo, [WebhookDesk(slow_desk)], (0, 0), queue_name=queue).submit(record.id)
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": redis_prefix,
        "HANDOFF_QUEUE": queue,
        "HANDOFF_WEBHOOK_URL": slow_desk,
        "HANDOFF_SPOOL_DIR": str(tmp_path),
    }
    first = start_worker(env, tmp_path / "worker-1.log")
    second = None
    try:
        assert SlowDesk.arrived.wait(30), (tmp_path / "worker-1.log").read_text()
        stop(first)  # killed while the desk is taking the handoff
        killed_at = time.monotonic()
        SlowDesk.release.set()
        view = repo.get(record.id)
        assert view is not None and view.delivery["webhook"].state == "sending"  # 전송 중, attempt 1
        assert view.delivery["webhook"].attempts == 1

        second = start_worker(env, tmp_path / "worker-2.log")  # the restarted worker
        deadline = killed_at + 45
        while len(SlowDesk.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(SlowDesk.received) == 2, (tmp_path / "worker-2.log").read_text()
        assert time.monotonic() - killed_at < SILENCE_SECONDS + 20  # RQ alone: ~90 s or more
        assert SlowDesk.received == [record.id, record.id]  # same Idempotency-Key: the desk keeps one
        for _ in range(50):
            view = repo.get(record.id)
            if view is not None and view.delivery["webhook"].state == "delivered":
                break
            time.sleep(0.1)
        assert view is not None and view.delivery["webhook"].state == "delivered"
    finally:
        stop(first)
        if second is not None:
            stop(second, signal.SIGTERM)
        client.close()
        clean_queue(queue)
        cleanup = new_redis_client()
        for key in cleanup.scan_iter(match=f"rq:csbot-recovery:{queue}"):
            cleanup.delete(key)
        cleanup.close()
