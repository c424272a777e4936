"""The server exactly as the Procfile starts it (gunicorn.conf.py, gevent), without Redis: one process,
conversations that continue, and no way for slow or idle clients, big or malformed requests to hurt
the customers being answered."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from app.kakao import check_response
from tests.chat import FIXTURES
from tests.web.conftest import payload, quick_labels, texts
from tests.web.servers import stop, wait_ready

ROOT = Path(__file__).resolve().parents[2]
SECRET = "procfile-secret-0042"
KAKAO_TIMEOUT = 5.0  # Open Builder waits this long for a skill answer


def procfile_web_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.removeprefix("web:").strip()
    raise AssertionError("Procfile has no web: line")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(env_extra: dict[str, str], log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY")}
    env.update(
        PORT=str(port),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        SKILL_SECRET=SECRET,
        **env_extra,
    )
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {procfile_web_command()}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    log_path = tmp_path_factory.mktemp("procfile") / "server.log"
    process, base = start({"HANDOFF_SPOOL_DIR": str(log_path.parent / "spool")}, log_path)
    try:
        wait_ready(process, base, log_path)
        yield base, log_path
    finally:
        stop(process)


@pytest.fixture
def server(served: tuple[str, Path]) -> str:
    return served[0]


def skill(base: str, body: object, timeout: float = KAKAO_TIMEOUT) -> requests.Response:
    return requests.post(f"{base}/skill", json=body, headers={"X-Skill-Secret": SECRET}, timeout=timeout)


def test_without_redis_a_conversation_keeps_its_state_on_the_procfile_server(server: str) -> None:
    """Before: two in-memory workers; turn 2 got the greeting again, turns 4–5 were not understood."""
    user = "f1" * 33
    menu = skill(server, payload("안녕하세요", user)).json()
    assert "카셰어링 기기 인증" in quick_labels(menu)
    for _ in range(3):
        asked = skill(server, payload("그 밖의 문의", user)).json()
        assert "적어 주세요" in texts(asked)
        back = skill(server, payload("이전", user)).json()
        assert "무엇을 도와드릴까요" in texts(back)
    skill(server, payload("그 밖의 문의", user))
    handed = skill(server, payload("영수증을 다시 받고 싶어요", user)).json()
    assert "영수증을 다시 받고 싶어요" in texts(handed)


def test_several_workers_without_redis_refuse_to_start_with_a_clear_message(tmp_path: Path) -> None:
    log_path = tmp_path / "server.log"
    process, _ = start({"WEB_CONCURRENCY": "2", "HANDOFF_SPOOL_DIR": str(tmp_path)}, log_path)
    try:
        process.wait(timeout=20)
    finally:
        stop(process)
    assert process.returncode != 0
    assert "REDIS_URL is not set" in log_path.read_text()


def open_connections(base: str) -> list[socket.socket]:
    """Dozens of clients that connect and then stall: idle, headers without body, half a body,
    half a request line, slowly dripping headers."""
    host, port = base.removeprefix("http://").split(":")
    held: list[socket.socket] = []

    def connect(first: bytes) -> None:
        sock = socket.create_connection((host, int(port)), timeout=5)
        if first:
            sock.sendall(first)
        held.append(sock)

    head = (
        f"POST /skill HTTP/1.1\r\nHost: x\r\nX-Skill-Secret: {SECRET}\r\nContent-Type: application/json\r\n"
    )
    for _ in range(20):
        connect(b"")  # connected, nothing sent
    for _ in range(20):
        connect(f"{head}Content-Length: 500\r\n\r\n".encode())  # headers, no body
    for _ in range(15):
        connect(f'{head}Content-Length: 500\r\n\r\n{{"userRequest": {{"utter'.encode())  # half a body
    for _ in range(10):
        connect(b"POST /sk")  # half a request line
    for _ in range(10):
        connect(f"{head}X-Slow: ".encode())  # headers still coming
    return held


def test_idle_and_half_sent_connections_do_not_keep_a_customer_waiting(server: str) -> None:
    """Before: ~24 idle connections stopped the service from answering anyone within Kakao's 5 s."""
    held = open_connections(server)
    try:
        assert len(held) == 75
        for turn in ("안녕하세요", "그 밖의 문의"):
            answered = skill(server, payload(turn, "e2" * 33), timeout=KAKAO_TIMEOUT)
            assert answered.status_code == 200
            assert check_response(answered.json()) == []
        assert requests.get(f"{server}/healthz", timeout=KAKAO_TIMEOUT).status_code == 200
    finally:
        for sock in held:
            sock.close()


def raw_exchange(base: str, data: bytes, then: list[bytes] | None = None) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=KAKAO_TIMEOUT) as sock:
        sock.sendall(data)
        for part in then or []:
            try:
                sock.sendall(part)
            except OSError:  # the server answered and closed while we were still sending
                break
        return read_response(sock)


def read_response(sock: socket.socket) -> bytes:
    """One HTTP response: the head, then Content-Length bytes of body (or until the server closes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(4096)
        if not part:
            return data
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        None,
    )
    while length is not None and len(body) < length:
        part = sock.recv(4096)
        if not part:
            break
        body += part
    return head + b"\r\n\r\n" + body


def test_a_chunked_body_over_the_limit_gets_413(server: str) -> None:
    head = (
        f"POST /skill HTTP/1.1\r\nHost: x\r\nX-Skill-Secret: {SECRET}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b" " * 8000
    chunks = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 10 + [b"0\r\n\r\n"]
    answer = raw_exchange(server, head, chunks)
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error"' in answer


def test_json_nested_a_thousand_levels_deep_gets_400(server: str) -> None:
    deep = b'{"userRequest": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = requests.post(
        f"{server}/skill",
        data=deep,
        headers={"X-Skill-Secret": SECRET, "Content-Type": "application/json"},
        timeout=KAKAO_TIMEOUT,
    )
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_very_long_utterance_is_answered_quickly_enough_for_kakao(server: str) -> None:
    """Before: a 63,000-character utterance took ~1.1 s of CPU; eight in parallel pushed others past 5 s."""
    long_text = "charging card not read " * 2739  # 62,997 characters, just under the 64 KB body limit
    with ThreadPoolExecutor(max_workers=9) as pool:
        senders = [pool.submit(skill, server, payload(long_text, f"e3{i:064x}")) for i in range(8)]
        customer = pool.submit(skill, server, payload("안녕하세요", "e4" * 33))
        assert customer.result().status_code == 200  # within Kakao's 5 s (the request's timeout)
        answers = [sender.result() for sender in senders]
    assert all(a.status_code == 200 and check_response(a.json()) == [] for a in answers)


def test_fixtures_answer_through_the_procfile_server(server: str) -> None:
    import json

    for path in sorted(FIXTURES.glob("*.json")):
        response = skill(server, json.loads(path.read_text()))
        assert response.status_code == 200, path.name
        assert check_response(response.json()) == [], path.name


def test_the_skill_secret_never_reaches_any_log(served: tuple[str, Path]) -> None:
    base, log_path = served
    requests.post(f"{base}/skill?key={SECRET}", json=payload("안녕", "e5" * 33), timeout=KAKAO_TIMEOUT)
    for line in (
        f"GET /skill?key={SECRET}\r\n\r\n",
        f"GET /skill?key={SECRET} HTTP/1.1 extra\r\n\r\n",
        f"G\x00T /skill?key={SECRET} HTTP/1.1\r\n\r\n",
        f"POST /skill?key={SECRET}&x=1 HTTP/9.9\r\n\r\n",
    ):
        answer = raw_exchange(base, line.encode())
        assert answer.startswith(b"HTTP/1.1 400")
    time.sleep(0.5)  # let the log lines reach the file
    log = log_path.read_text()
    assert "Invalid request" in log  # gunicorn did log the malformed lines ...
    assert SECRET not in log  # ... without the secret
