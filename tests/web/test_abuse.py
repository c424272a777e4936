"""What one client can send that must not hurt it or anyone else (Flask test client; the server-level
cases — idle sockets, chunked bodies, gunicorn's log — are in test_procfile_server.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.kakao import check_response
from app.kakao.request import MAX_UTTERANCE_CHARS
from tests.conftest import REDIS_URL
from tests.web.conftest import payload, quick_labels, texts

USER = "ab" * 33
DEEP = b'{"userRequest": {"utterance": "hi", "x": ' + b"[" * 1000 + b"]" * 1000 + b"}}"


def raw_post(client: FlaskClient, body: bytes, url: str = "/skill", **headers: str):  # type: ignore[no-untyped-def]
    return client.post(url, data=body, headers={"Content-Type": "application/json", **headers})


def test_json_nested_a_thousand_levels_is_400_not_500(client: FlaskClient) -> None:
    response = raw_post(client, DEEP)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_deep_json_inside_a_json_string_param_is_kept_as_text(client: FlaskClient) -> None:
    body = payload("안녕하세요", USER)
    body["action"]["params"] = {"deep": "[" * 900 + "]" * 900}
    response = client.post("/skill", json=body)
    assert response.status_code == 200
    assert check_response(response.get_json()) == []


def test_deep_json_to_the_agent_api_is_400_not_500(tmp_path: Path) -> None:
    app = create_app({"agent_token": "agent-token-0123456789abcdef", "handoff_spool_dir": tmp_path})
    response = raw_post(
        app.test_client(),
        DEEP,
        "/agent/api/handoffs/H-1/status",
        Authorization="Bearer agent-token-0123456789abcdef",
    )
    assert response.status_code == 400
    app.extensions["cs_bot"].close()


def lone_surrogate_body(user: str) -> bytes:
    """Valid JSON (a `\\ud83d` escape) that is not valid text: half of an emoji's UTF-16 pair."""
    text = json.dumps(payload("PLACEHOLDER", user), ensure_ascii=True)
    return text.replace("PLACEHOLDER", "충전이 안 돼요 \\ud83d").encode()


def test_a_lone_surrogate_never_breaks_the_customers_conversation(app: Flask, client: FlaskClient) -> None:
    """Before: HTTP 500 for that turn and for every later turn of the customer (in-memory server)."""
    first = raw_post(client, lone_surrogate_body(USER))
    assert first.status_code == 200
    assert check_response(first.get_json()) == []
    for turn in ("안녕하세요", "그 밖의 문의", "영수증을 다시 받고 싶어요"):
        later = client.post("/skill", json=payload(turn, USER))
        assert later.status_code == 200
        assert check_response(later.get_json()) == []
    transcript = app.extensions["cs_bot"].handoffs.repo.transcript(USER)
    assert "충전이 안 돼요 \ufffd" in [line.text for line in transcript]


def test_a_lone_surrogate_in_the_user_key_is_answered(client: FlaskClient) -> None:
    body = json.dumps(payload("안녕하세요", "PLACEHOLDER"), ensure_ascii=True)
    response = raw_post(client, body.replace("PLACEHOLDER", "user\\udc00key").encode())
    assert response.status_code == 200
    assert check_response(response.get_json()) == []


def test_an_utterance_is_cut_to_the_cap_before_anything_uses_it(app: Flask, client: FlaskClient) -> None:
    response = client.post("/skill", json=payload("영수증 " + "가" * 20_000, USER))
    assert response.status_code == 200
    assert check_response(response.get_json()) == []
    (typed,) = [e for e in app.extensions["cs_bot"].handoffs.repo.transcript(USER) if e.who == "customer"]
    assert len(typed.text) == MAX_UTTERANCE_CHARS


def test_a_customer_sending_too_fast_is_asked_to_wait_in_korean(client: FlaskClient) -> None:
    answers = [client.post("/skill", json=payload("안녕하세요", USER)) for _ in range(25)]
    assert all(a.status_code == 200 for a in answers)  # Kakao needs 200 with a valid response
    assert all(check_response(a.get_json()) == [] for a in answers)
    slowed = [a.get_json() for a in answers if "잠시 후 다시" in texts(a.get_json())]
    assert len(slowed) == 5  # 20 turns per 5 seconds are answered normally
    assert quick_labels(slowed[0]) == ["처음으로"]
    other = client.post("/skill", json=payload("안녕하세요", "cd" * 33))  # others are not affected
    assert "잠시 후 다시" not in texts(other.get_json())


def test_with_redis_every_worker_counts_against_one_limit(
    redis_app: Flask, redis_prefix: str, tmp_path: Path
) -> None:
    """Two apps on one Redis (two gunicorn workers, or two machines): the customer's turns are
    counted together, in the lock's round trip."""
    second = create_app(
        {"redis_url": REDIS_URL, "redis_prefix": redis_prefix, "handoff_spool_dir": tmp_path / "second"}
    )
    clients = [redis_app.test_client(), second.test_client()]
    answers = [clients[n % 2].post("/skill", json=payload("안녕하세요", USER)).get_json() for n in range(24)]
    second.extensions["cs_bot"].close()
    assert [n for n, a in enumerate(answers) if "잠시 후 다시" in texts(a)] == [20, 21, 22, 23]
    assert all(check_response(a) == [] for a in answers)


def test_the_rate_limit_can_be_turned_off(tmp_path: Path) -> None:
    app = create_app({"rate_limit": "", "handoff_spool_dir": tmp_path})
    client = app.test_client()
    answers = [client.post("/skill", json=payload("안녕하세요", USER)).get_json() for _ in range(25)]
    assert not any("잠시 후 다시" in texts(a) for a in answers)
    app.extensions["cs_bot"].close()


def test_client_extra_reaches_the_engine_unchanged(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeated tap is recognised by the engine from `clientExtra.node`: the web path keeps it whole."""
    import app.conversation as conversation

    seen: list[dict[str, object]] = []
    real_advance = conversation.advance

    def spy(catalog, session, event):  # type: ignore[no-untyped-def]
        seen.append(dict(event.extra))
        return real_advance(catalog, session, event)

    monkeypatch.setattr(conversation, "advance", spy)
    extra = {"node": "ev_charging.ask_error", "choice": 2, "nested": {"a": [1, "둘"]}}
    as_string = payload("네, 인증했어요", USER, extra)
    as_string["action"]["clientExtra"] = json.dumps(extra, ensure_ascii=False)  # Kakao sends either form
    for body in (payload("네, 인증했어요", USER, extra), as_string):
        assert client.post("/skill", json=body).status_code == 200
    assert seen == [extra, extra]


def test_lone_surrogates_are_answered_on_redis_too(redis_app: Flask) -> None:
    client = redis_app.test_client()
    body = json.dumps(payload("PLACEHOLDER", "user\\ud83dkey"), ensure_ascii=True)
    for _ in range(2):
        response = raw_post(client, body.replace("PLACEHOLDER", "충전 \\udc00").encode())
        assert response.status_code == 200
        assert check_response(response.get_json()) == []
