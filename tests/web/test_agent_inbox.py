"""The agent inbox (/agent) through Flask's test client: sign-in by name, server-side sessions, CSRF,
list and filters, detail, status changes, the JSON API, escaping, and one run against Redis.
Claiming, history, memo, rate limits and the live list: tests/web/test_agent_desk.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.agents.accounts import new_agent
from app.handoff.desks import payload as desk_payload
from app.handoff.record import DeliveryState, HandoffRecord, new_handoff_id, seoul_now
from app.handoff.redis_repository import RedisHandoffRepository
from app.handoff.repository import HandoffRepository
from app.session import StoreUnavailable
from app.web import agent_auth
from app.web.agent import seoul
from tests.chat import Chat
from tests.conftest import REDIS_URL

TOKEN = "test-agent-token-0123456789"
AGENT, PASSWORD = "김상담", "password-kim-1"
LOGIN = {"name": AGENT, "password": PASSWORD}
DISABLED = {"error": "agent inbox is disabled (set AGENT_TOKEN)"}
OTHER = "일반 문의"


@pytest.fixture
def inbox_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "agent_token": TOKEN,
            "handoff_spool_dir": tmp_path / "spool",
            "agents_file": tmp_path / "agents.json",
        }
    )
    add_agent(app, AGENT, PASSWORD)
    yield app
    app.extensions["cs_bot"].close()


def add_agent(app: Flask, name: str, password: str, role: str = "agent") -> None:
    app.extensions["agent_desk"].accounts.add(new_agent(name, password, role))  # type: ignore[arg-type]


@pytest.fixture
def customer(inbox_app: Flask) -> FlaskClient:
    return inbox_app.test_client()


@pytest.fixture
def agent(inbox_app: Flask) -> FlaskClient:
    client = inbox_app.test_client()
    assert client.post("/agent/login", data=LOGIN).status_code == 302
    return client


def repo(app: Flask) -> HandoffRepository:
    found: HandoffRepository = app.extensions["cs_bot"].handoffs.repo
    return found


def newest_id(app: Flask) -> str:
    return repo(app).list(limit=1)[0].record.id


def other_inquiry(client: FlaskClient, user: str, text: str = "영수증을 다시 받고 싶어요") -> None:
    Chat(client, user).say("안녕").tap("그 밖의 문의").say(text)


def parking_agent(client: FlaskClient, user: str) -> None:
    Chat(client, user).say("주차 안 했는데 결제됐어요").say("상담직원 연결")


def html(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined]


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "no CSRF field on the page"
    return found.group(1)


def listed_ids(page: str) -> list[str]:
    return re.findall(r'<tr class="row" data-href="[^"]*" data-id="([^"]+)"', page)


def mark(agent: FlaskClient, handoff_id: str, status: str) -> None:
    token = csrf(html(agent.get(f"/agent/handoffs/{handoff_id}")))
    response = agent.post(
        f"/agent/handoffs/{handoff_id}/status", data={"status": status, "csrf_token": token}
    )
    assert response.status_code == 302, html(response)


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- switched off, sign-in, cookies, CSRF ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/agent"),
        ("GET", "/agent/"),
        ("GET", "/agent/login"),
        ("POST", "/agent/login"),
        ("GET", "/agent/handoffs/H-1"),
        ("POST", "/agent/handoffs/H-1/status"),
        ("GET", "/agent/api/handoffs"),
        ("POST", "/agent/api/handoffs/H-1/status"),
        ("GET", "/agent/static/agent.css"),
        ("GET", "/agent/anything/else"),
    ],
)
def test_without_agent_token_every_agent_url_is_404(client: FlaskClient, method: str, url: str) -> None:
    response = client.open(url, method=method, headers=bearer(), data={"token": ""})
    assert response.status_code == 404
    assert response.get_json() == DISABLED


def test_login_form_is_korean(customer: FlaskClient) -> None:
    response = customer.get("/agent/login")
    assert response.status_code == 200
    page = html(response)
    assert '<html lang="ko">' in page and "상담 인박스 로그인" in page
    assert 'name="name" type="text"' in page and 'name="password" type="password"' in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": AGENT, "password": "wrong-password"},
        {"name": "없는사람", "password": PASSWORD},
        {"name": "", "password": PASSWORD},
        {"token": TOKEN},  # the API token is not a sign-in
    ],
)
def test_wrong_name_or_password_shows_the_form_again_with_a_korean_error(
    customer: FlaskClient, data: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    response = customer.post("/agent/login", data=data)
    assert response.status_code == 401
    assert "이름 또는 비밀번호가 올바르지 않습니다" in html(response)
    assert "failed sign-in" in caplog.text
    assert PASSWORD not in caplog.text and "wrong-password" not in caplog.text
    assert "Set-Cookie" not in response.headers
    assert customer.get("/agent").status_code == 302


def test_right_password_sets_a_strict_httponly_random_session_cookie(customer: FlaskClient) -> None:
    response = customer.post("/agent/login", data=LOGIN)
    assert response.status_code == 302 and response.location == "/agent"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{agent_auth.COOKIE}=")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/agent", "Max-Age=43200"):
        assert flag in cookie
    assert "Secure" not in cookie  # plain http (local use)
    assert TOKEN not in cookie and PASSWORD not in cookie
    page = customer.get("/agent")
    assert page.status_code == 200 and AGENT in html(page)  # who is signed in


@pytest.mark.parametrize(
    "kwargs", [{"base_url": "https://localhost"}, {"headers": {"X-Forwarded-Proto": "https"}}]
)
def test_cookie_is_secure_over_https(customer: FlaskClient, kwargs: dict[str, object]) -> None:
    response = customer.post("/agent/login", data=LOGIN, **kwargs)  # type: ignore[arg-type]
    assert "; Secure" in response.headers["Set-Cookie"]


def test_pages_redirect_to_the_login_and_back_to_the_wanted_url(customer: FlaskClient) -> None:
    response = customer.get("/agent/handoffs/H-1?status=done")
    assert response.status_code == 302
    assert response.location == "/agent/login?next=/agent/handoffs/H-1?status%3Ddone"
    form = html(customer.get(response.location))
    assert 'name="next" value="/agent/handoffs/H-1?status=done"' in form
    signed_in = customer.post("/agent/login", data={**LOGIN, "next": "/agent/handoffs/H-1?status=done"})
    assert signed_in.location == "/agent/handoffs/H-1?status=done"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/agent", "//evil.example/agent", "/\\evil.example", "/skill", "javascript:x"],
)
def test_login_never_redirects_outside_the_inbox(customer: FlaskClient, target: str) -> None:
    response = customer.post("/agent/login", data={**LOGIN, "next": target})
    assert response.location == "/agent"


@pytest.mark.parametrize(
    "value",
    [
        "not-a-session",
        "1700000000.deadbeef",
        "x" * 43,  # shaped like a session id, never issued
        TOKEN,
    ],
)
def test_forged_or_expired_cookies_are_refused(customer: FlaskClient, value: str) -> None:
    customer.set_cookie(agent_auth.COOKIE, value, path="/agent")
    assert customer.get("/agent").status_code == 302
    assert customer.get("/agent/api/handoffs").status_code == 401


def test_logout_ends_the_session_even_for_a_saved_cookie(agent: FlaskClient) -> None:
    saved = agent.get_cookie(agent_auth.COOKIE, path="/agent")
    assert saved is not None
    token = csrf(html(agent.get("/agent")))
    assert agent.post("/agent/logout").status_code == 400  # CSRF token required
    response = agent.post("/agent/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/agent/login"
    assert agent.get("/agent").status_code == 302
    agent.set_cookie(agent_auth.COOKIE, saved.value, path="/agent")  # replaying the old cookie
    assert agent.get("/agent").status_code == 302
    assert agent.get("/agent/api/handoffs").status_code == 401


def test_forms_without_the_csrf_token_are_refused(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    for data in ({"status": "done"}, {"status": "done", "csrf_token": "0" * 64}):
        response = agent.post(f"/agent/handoffs/{handoff_id}/status", data=data)
        assert response.status_code == 400
        assert "보안 토큰" in html(response)
    assert repo(inbox_app).get(handoff_id).status == "open"  # type: ignore[union-attr]


# --- the list and its filters ---------------------------------------------------------------------


def test_empty_inbox_says_so_in_korean(agent: FlaskClient) -> None:
    page = html(agent.get("/agent"))
    assert "조건에 맞는 상담 요청이 없습니다" in page
    assert "대기 0건 · 처리중 0건" in page


def test_list_shows_open_handoffs_newest_first(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    created = []
    for n, user in enumerate(("a" * 66, "b" * 66, "c" * 66)):
        other_inquiry(customer, user, f"영수증 문의 {n}")
        created.append(newest_id(inbox_app))
    page = html(agent.get("/agent"))
    assert listed_ids(page) == created[::-1]
    assert "대기 3건 · 처리중 0건" in page
    assert "그 밖의 문의" in page  # reason_label
    assert "문의 내용: 영수증 문의 2" in page  # summary: the first facts
    assert "Xq2mV8kLpT" in page  # plusfriendUserKey, shortened
    assert re.search(r"\d\d-\d\d \d\d:\d\d</time>", page)  # 접수 시각, 11-25 15:30


def test_list_shows_delivery_state_per_desk(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    assert ">—<" in html(agent.get("/agent"))
    repo(inbox_app).set_delivery(handoff_id, "webhook", DeliveryState(state="delivered", attempts=1))
    repo(inbox_app).set_delivery(handoff_id, "slack", DeliveryState(state="retrying", attempts=2))
    page = html(agent.get("/agent"))
    assert "상담 데스크(웹훅) 전달됨" in page and "슬랙 재시도 중" in page


def test_filter_by_category(inbox_app: Flask, customer: FlaskClient, agent: FlaskClient) -> None:
    other_inquiry(customer, "a" * 66)
    general = newest_id(inbox_app)
    parking_agent(customer, "b" * 66)
    parking = newest_id(inbox_app)
    parking_category = repo(inbox_app).get(parking).record.category  # type: ignore[union-attr]
    page = html(agent.get("/agent"))
    assert f'<option value="{OTHER}">' in page and f'<option value="{parking_category}">' in page
    assert listed_ids(html(agent.get("/agent", query_string={"category": OTHER}))) == [general]
    only_parking = html(agent.get("/agent", query_string={"category": parking_category}))
    assert listed_ids(only_parking) == [parking]
    assert f'<option value="{parking_category}" selected>' in only_parking
    assert listed_ids(html(agent.get("/agent", query_string={"category": ""}))) == [parking, general]


def test_filter_by_status(inbox_app: Flask, customer: FlaskClient, agent: FlaskClient) -> None:
    ids = []
    for user in ("a" * 66, "b" * 66, "c" * 66):
        other_inquiry(customer, user)
        ids.append(newest_id(inbox_app))
    waiting, working, finished = ids
    mark(agent, working, "in_progress")
    mark(agent, finished, "done")

    def shown(status: str | None) -> list[str]:
        return listed_ids(html(agent.get("/agent", query_string={"status": status} if status else {})))

    assert shown(None) == [working, waiting]  # 미완료: 대기 + 처리중
    assert shown("active") == [working, waiting]
    assert shown("open") == [waiting]
    assert shown("in_progress") == [working]
    assert shown("done") == [finished]
    assert shown("all") == [finished, working, waiting]
    assert shown("nonsense") == [working, waiting]
    page = html(agent.get("/agent", query_string={"status": "done", "category": OTHER}))
    assert "대기 1건 · 처리중 1건 · 완료 1건" in page
    assert '<option value="done" selected>완료</option>' in page
    assert f"/agent/handoffs/{finished}?status=done&amp;category=" in page  # filters kept in links


# --- the detail page ------------------------------------------------------------------------------


def test_detail_shows_keys_facts_and_the_transcript_in_order(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66, "영수증을 다시 받고 싶어요")
    handoff_id = newest_id(inbox_app)
    page = html(agent.get(f"/agent/handoffs/{handoff_id}"))
    assert handoff_id in page and OTHER in page and "그 밖의 문의" in page
    assert "a" * 66 in page  # botUserKey in full
    assert "Xq2mV8kLpT3a" in page  # plusfriendUserKey in full
    assert "main.menu → main.other → main.other_handoff" in page
    assert '<th scope="row">문의 내용</th><td>영수증을 다시 받고 싶어요</td>' in page
    lines = [
        "안녕",
        "무엇을 도와드릴까요",
        "그 밖의 문의",
        "어떤 내용이 궁금하신지",
        "영수증을 다시 받고 싶어요",
    ]
    transcript = page[page.index('<ol class="transcript"') :]
    positions = [transcript.index(line) for line in lines]
    assert positions == sorted(positions)
    assert transcript.count('class="bubble-row customer') == 3
    assert transcript.count('class="bubble-row customer moment"') == 1  # where the handoff was asked
    assert transcript.count('class="tag tapped"') == 1  # 그 밖의 문의 was tapped
    assert "대기</span>" in page and "담당하기" in page  # unclaimed: the next step is to take it


def test_detail_shows_agent_notes_outside_hours_and_delivery(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    parking_agent(customer, "b" * 66)
    made = repo(inbox_app).get(newest_id(inbox_app)).record  # type: ignore[union-attr]
    noted = made.model_copy(
        update={
            "id": new_handoff_id(seoul_now()),
            "agent_notes": ("T 어드민에서 결제 내역 확인\n확인 후 취소 처리", "CPO 메일 발송"),
            "outside_hours": True,
            "facts": (),
        }
    )
    repo(inbox_app).save(noted)
    failed_at = seoul_now()
    repo(inbox_app).set_delivery(
        noted.id,
        "slack",
        DeliveryState(state="failed", attempts=12, last_error="HTTP 503", updated_at=failed_at),
    )
    page = html(agent.get(f"/agent/handoffs/{noted.id}"))
    assert "<li>T 어드민에서 결제 내역 확인\n확인 후 취소 처리</li>" in page  # line breaks kept (pre-wrap)
    assert "CPO 메일 발송" in page
    assert "상담 시간 외 접수" in page
    assert "슬랙" in page and "실패" in page and "12회" in page and "HTTP 503" in page
    assert "챗봇이 수집한 정보가 없습니다" in page


def test_unknown_handoff_is_a_korean_404_page(agent: FlaskClient) -> None:
    response = agent.get("/agent/handoffs/H-00000000-000000-000000")
    assert response.status_code == 404
    assert "상담 요청을 찾을 수 없습니다" in html(response)
    assert agent.get("/agent/nowhere").status_code == 404


def test_status_changes_persist_and_move_the_handoff_between_filters(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    detail = f"/agent/handoffs/{handoff_id}"
    token = csrf(html(agent.get(detail)))
    response = agent.post(
        f"{detail}/status?status=open&category={OTHER}", data={"status": "in_progress", "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.location.startswith(f"{detail}?status=open&category=")  # back to the same list later
    page = html(agent.get(response.location))
    assert '<span class="badge status-in_progress" data-testid="status">처리중</span>' in page
    assert "상태 변경" in page and "대기로 되돌리기" in page
    assert repo(inbox_app).get(handoff_id).status == "in_progress"  # type: ignore[union-attr]

    agent.post(f"{detail}/status", data={"status": "done", "csrf_token": token})
    assert handoff_id not in listed_ids(html(agent.get("/agent")))
    assert listed_ids(html(agent.get("/agent?status=done"))) == [handoff_id]

    agent.post(f"{detail}/status", data={"status": "open", "csrf_token": token})
    assert listed_ids(html(agent.get("/agent?status=open"))) == [handoff_id]


def test_a_status_that_does_not_exist_is_refused(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    token = csrf(html(agent.get("/agent")))
    response = agent.post(
        f"/agent/handoffs/{handoff_id}/status", data={"status": "closed", "csrf_token": token}
    )
    assert response.status_code == 400
    missing = agent.post("/agent/handoffs/H-nope/status", data={"status": "done", "csrf_token": token})
    assert missing.status_code == 404


def test_customer_text_is_escaped_everywhere(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66, "<script>alert('x')</script> <b>굵게</b>")
    handoff_id = newest_id(inbox_app)
    for page in (html(agent.get("/agent")), html(agent.get(f"/agent/handoffs/{handoff_id}"))):
        assert "<script>alert" not in page and "<b>굵게" not in page
        assert "&lt;script&gt;alert(" in page
    response = agent.get("/agent")
    assert "script-src 'nonce-" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_times_are_shown_in_seoul() -> None:
    assert seoul(datetime(2026, 11, 25, 6, 30, tzinfo=UTC)) == "11-25 15:30"
    assert seoul(None) == "—"


# --- JSON API -------------------------------------------------------------------------------------


def test_api_needs_the_token(inbox_app: Flask, customer: FlaskClient) -> None:
    for headers in ({}, bearer("wrong"), {"Authorization": TOKEN}):
        response = customer.get("/agent/api/handoffs", headers=headers)
        assert response.status_code == 401
        assert "error" in response.get_json()
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    empty = {"handoffs": [], "next_cursor": None}
    assert customer.get("/agent/api/handoffs", headers=bearer()).get_json() == empty


def test_api_handoff_is_the_desk_payload_plus_status_and_delivery(
    inbox_app: Flask, customer: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    at = seoul_now()
    repo(inbox_app).set_delivery(
        handoff_id,
        "webhook",
        DeliveryState(state="retrying", attempts=2, last_error="HTTP 502", updated_at=at),
    )
    (listed,) = customer.get("/agent/api/handoffs", headers=bearer()).get_json()["handoffs"]
    one = customer.get(f"/agent/api/handoffs/{handoff_id}", headers=bearer()).get_json()
    assert listed == one
    expected = desk_payload(repo(inbox_app).get(handoff_id))  # type: ignore[arg-type]
    assert {k: v for k, v in one.items() if k in expected and k != "inbox_url"} == {
        k: v for k, v in expected.items() if k != "inbox_url"
    }
    assert one["inbox_url"] == f"http://localhost/agent/handoffs/{handoff_id}"
    assert one["status"] == "open" and one["status_label"] == "대기" and one["status_at"] is None
    assert one["assignee"] is None and one["memo"] is None and one["history"] == []
    assert one["delivery"] == {
        "webhook": {
            "state": "retrying",
            "state_label": "재시도 중",
            "attempts": 2,
            "last_error": "HTTP 502",
            "updated_at": at.isoformat(),
        }
    }
    assert one["facts"] == [{"key": "inquiry", "label": "문의 내용", "value": "영수증을 다시 받고 싶어요"}]


def test_api_filters_and_limits(inbox_app: Flask, customer: FlaskClient) -> None:
    other_inquiry(customer, "a" * 66)
    general = newest_id(inbox_app)
    parking_agent(customer, "b" * 66)
    parking = newest_id(inbox_app)
    repo(inbox_app).set_status(parking, "done", seoul_now())

    def ids(**query: str) -> list[str]:
        response = customer.get("/agent/api/handoffs", query_string=query, headers=bearer())
        assert response.status_code == 200, response.get_json()
        return [h["id"] for h in response.get_json()["handoffs"]]

    assert ids() == [general] == ids(status="active") == ids(status="open")
    assert ids(status="done") == [parking]
    assert ids(status="in_progress") == []
    assert ids(status="all") == [parking, general]
    assert ids(status="all", limit="1") == [parking]
    assert ids(status="all", category=OTHER) == [general]
    for bad in ({"status": "closed"}, {"limit": "0"}, {"limit": "x"}, {"limit": "51"}, {"before": "x"}):
        response = customer.get("/agent/api/handoffs", query_string=bad, headers=bearer())
        assert response.status_code == 400 and "error" in response.get_json()


def test_api_changes_the_status(inbox_app: Flask, customer: FlaskClient, agent: FlaskClient) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    url = f"/agent/api/handoffs/{handoff_id}/status"
    response = customer.post(url, json={"status": "in_progress"}, headers=bearer())
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == handoff_id and body["status"] == "in_progress" and body["status_label"] == "처리중"
    assert datetime.fromisoformat(body["status_at"]).utcoffset() == timedelta(hours=9)
    assert listed_ids(html(agent.get("/agent?status=in_progress"))) == [handoff_id]
    assert customer.post(url, json={"status": "done"}, headers=bearer()).get_json()["status"] == "done"
    assert repo(inbox_app).get(handoff_id).status == "done"  # type: ignore[union-attr]


@pytest.mark.parametrize("body", [{"status": "closed"}, {}, ["done"], None, "done"])
def test_api_refuses_a_bad_status(inbox_app: Flask, customer: FlaskClient, body: object) -> None:
    other_inquiry(customer, "a" * 66)
    url = f"/agent/api/handoffs/{newest_id(inbox_app)}/status"
    response = customer.post(url, json=body, headers=bearer())
    assert response.status_code == 400 and "error" in response.get_json()
    not_json = customer.post(url, data="status=done", headers=bearer())
    assert not_json.status_code == 400


def test_api_unknown_ids_and_paths_are_json_404(customer: FlaskClient) -> None:
    for response in (
        customer.get("/agent/api/handoffs/H-nope", headers=bearer()),
        customer.post("/agent/api/handoffs/H-nope/status", json={"status": "done"}, headers=bearer()),
        customer.get("/agent/api/nothing", headers=bearer()),
    ):
        assert response.status_code == 404 and "error" in response.get_json()


def test_api_accepts_the_session_cookie_and_then_needs_the_csrf_header(
    inbox_app: Flask, customer: FlaskClient, agent: FlaskClient
) -> None:
    other_inquiry(customer, "a" * 66)
    handoff_id = newest_id(inbox_app)
    assert agent.get(f"/agent/api/handoffs/{handoff_id}").status_code == 200
    url = f"/agent/api/handoffs/{handoff_id}/status"
    assert agent.post(url, json={"status": "done"}).status_code == 400
    token = csrf(html(agent.get("/agent")))
    response = agent.post(url, json={"status": "done"}, headers={agent_auth.CSRF_HEADER: token})
    assert response.status_code == 200 and response.get_json()["status"] == "done"


def test_a_store_outage_is_503_not_a_crash(
    inbox_app: Flask, agent: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(**_: object) -> None:
        raise StoreUnavailable("Redis unavailable while listing handoffs")

    monkeypatch.setattr(repo(inbox_app), "page", down)
    page = agent.get("/agent")
    assert page.status_code == 503 and "저장소에 연결할 수 없습니다" in html(page)
    api = agent.get("/agent/api/handoffs")
    assert api.status_code == 503 and "error" in api.get_json()


# --- Redis ----------------------------------------------------------------------------------------


@pytest.fixture
def redis_inbox(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Flask:
    monkeypatch.setenv("AGENT_TOKEN", TOKEN)  # redis_app reads settings from the environment
    found: Flask = request.getfixturevalue("redis_app")
    add_agent(found, AGENT, PASSWORD)  # in Redis, beside the handoffs
    return found


def test_inbox_reads_and_writes_the_redis_repository(redis_inbox: Flask, redis_prefix: str) -> None:
    customer, agent = redis_inbox.test_client(), redis_inbox.test_client()
    assert agent.post("/agent/login", data=LOGIN).status_code == 302
    other_inquiry(customer, "r" * 66, "레디스에 저장된 문의")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        elsewhere = RedisHandoffRepository(client, prefix=redis_prefix)  # another worker's view of Redis
        (chatted,) = elsewhere.list()
        outside = HandoffRecord(
            id=new_handoff_id(seoul_now()),
            created_at=seoul_now(),
            bot_user_key="w" * 66,
            node="main.agent",
            category="다른 워커가 저장한 요청",
            reason="customer_request",
        )
        elsewhere.save(outside)  # written by another process: the inbox must see it
        page = html(agent.get("/agent"))
        assert listed_ids(page) == [outside.id, chatted.record.id]
        assert "레디스에 저장된 문의" in html(agent.get(f"/agent/handoffs/{chatted.record.id}"))
        mark(agent, chatted.record.id, "in_progress")
        assert elsewhere.get(chatted.record.id).status == "in_progress"  # type: ignore[union-attr]
        api = agent.get("/agent/api/handoffs?category=다른 워커가 저장한 요청", headers=bearer())
        assert [h["id"] for h in api.get_json()["handoffs"]] == [outside.id]
    finally:
        client.close()
