"""End to end through a real gunicorn process (two workers sharing the real Redis), as in production."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.kakao import check_response
from tests.conftest import REDIS_URL
from tests.web.conftest import FIXTURES, clean_queue, fixture, payload, quick_labels, texts
from tests.web.servers import stop, wait_ready

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from uuid import uuid4

    import redis

    prefix = f"csbot-test:gunicorn:{uuid4().hex}:"
    port = free_port()
    log_path = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        "SKILL_SECRET": "e2e-secret",
        "HANDOFF_SPOOL_DIR": str(log_path.parent / "spool"),
        "HANDOFF_QUEUE": f"{prefix}handoffs",
    }
    command = [
        sys.executable, "-m", "gunicorn", "app:create_app()",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "2", "--timeout", "10",
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, base, log_path)
        yield base
    finally:
        stop(process)
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
        clean_queue(f"{prefix}handoffs")


def skill(base: str, body: object) -> requests.Response:
    return requests.post(f"{base}/skill", json=body, headers={"X-Skill-Secret": "e2e-secret"}, timeout=5)


@pytest.mark.parametrize("name", sorted(p.stem for p in FIXTURES.glob("*.json")))
def test_fixtures_through_gunicorn(server: str, name: str) -> None:
    response = skill(server, fixture(name))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert check_response(response.json()) == []


def test_a_conversation_continues_across_workers(server: str) -> None:
    user = "9" * 66
    menu = skill(server, payload("안녕하세요", user)).json()
    assert "카셰어링 기기 인증" in quick_labels(menu)
    # several turns: with two workers, some land on each; the state must follow the customer
    for _ in range(3):
        asked = skill(server, payload("그 밖의 문의", user)).json()
        assert "적어 주세요" in texts(asked)
        back = skill(server, payload("이전", user)).json()
        assert "무엇을 도와드릴까요" in texts(back)
    skill(server, payload("그 밖의 문의", user))
    handed = skill(server, payload("영수증을 다시 받고 싶어요", user)).json()
    assert "영수증을 다시 받고 싶어요" in texts(handed)


def test_secret_is_enforced_by_the_deployed_app(server: str) -> None:
    response = requests.post(f"{server}/skill", json=payload("안녕"), timeout=5)
    assert response.status_code == 401
    assert requests.get(f"{server}/healthz", timeout=5).json() == {"status": "ok"}


def test_non_json_and_oversized_bodies(server: str) -> None:
    headers = {"X-Skill-Secret": "e2e-secret", "Content-Type": "application/json"}
    bad = requests.post(f"{server}/skill", data=b"{oops", headers=headers, timeout=5)
    assert bad.status_code == 400 and "error" in bad.json()
    big = requests.post(f"{server}/skill", data=b" " * (65 * 1024), headers=headers, timeout=5)
    assert big.status_code == 413 and "error" in big.json()
