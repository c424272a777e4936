"""The Procfile's `worker: cs-bot worker` as a real process, delivering to a real HTTP desk on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from app.handoff.desks import SIGNATURE_HEADER, WebhookDesk, verify_signature
from app.handoff.jobs import RQDispatcher
from app.handoff.redis_repository import RedisHandoffRepository
from tests.conftest import REDIS_URL, new_redis_client
from tests.handoff.conftest import make_record
from tests.web.conftest import clean_queue


class Desk(BaseHTTPRequestHandler):
    """Answers 503 to the first POST (a desk outage), 200 afterwards; keeps what it received."""

    received: ClassVar[list[tuple[bytes, dict[str, str]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Desk.received.append((body, dict(self.headers)))
        self.send_response(503 if len(Desk.received) == 1 else 200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def desk() -> Iterator[str]:
    Desk.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Desk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/handoffs"
    server.shutdown()


def test_cs_bot_worker_delivers_after_the_desk_recovers(desk: str, redis_prefix: str, tmp_path: Path) -> None:
    queue = f"{redis_prefix}q".replace(":", "-")
    client = new_redis_client()
    repo = RedisHandoffRepository(client, prefix=redis_prefix)
    record = make_record()
    repo.save(record)
    RQDispatcher(client, repo, [WebhookDesk(desk, "s3")], (0, 0), queue_name=queue).submit(record.id)
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": redis_prefix,
        "HANDOFF_QUEUE": queue,
        "HANDOFF_WEBHOOK_URL": desk,
        "HANDOFF_WEBHOOK_SECRET": "s3",
        "HANDOFF_SPOOL_DIR": str(tmp_path),
    }
    cs_bot = Path(sys.executable).with_name("cs-bot")
    done = subprocess.run(
        [str(cs_bot), "worker", "--burst"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert len(Desk.received) == 2
    body, headers = Desk.received[-1]
    assert verify_signature("s3", body, headers[SIGNATURE_HEADER])
    assert json.loads(body)["id"] == record.id
    view = repo.get(record.id)
    assert view is not None and (view.delivery["webhook"].state, view.delivery["webhook"].attempts) == (
        "delivered",
        2,
    )
    assert "b" * 66 not in done.stderr  # the worker's logs carry no user keys
    client.close()
    clean_queue(queue)
