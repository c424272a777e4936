"""The agent desk as a team uses it: named agents, claiming (담당하기) without double holding, a lead
reassigning, 내 담당, history and memo, sign-in rate limits, disabling, the live list, API paging."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError

from app import create_app
from app.agents.accounts import new_agent
from app.cli import main
from app.web.agent import linkify
from tests.chat import Chat
from tests.conftest import REDIS_URL
from tests.web.conftest import clean_queue

TOKEN = "desk-test-agent-token-0123456789"
KIM, PARK, LEE = "김상담", "박상담", "이리드"
PASSWORD = "password-0123"


def build(tmp_path: Path, **settings: Any) -> Flask:
    app = create_app(
        {
            "agent_token": TOKEN,
            "handoff_spool_dir": tmp_path / "spool",
            "agents_file": tmp_path / "agents.json",
            **settings,
        }
    )
    accounts = app.extensions["agent_desk"].accounts
    if not accounts.all():
        for name, role in ((KIM, "agent"), (PARK, "agent"), (LEE, "lead")):
            accounts.add(new_agent(name, PASSWORD, role))  # type: ignore[arg-type]
    return app


@pytest.fixture(params=["memory", "redis"])
def desk_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    settings: dict[str, Any] = {}
    if request.param == "redis":
        prefix = request.getfixturevalue("redis_prefix")
        settings = {"redis_url": REDIS_URL, "redis_prefix": prefix, "handoff_queue": f"{prefix}handoffs"}
    app = build(tmp_path, **settings)
    yield app
    app.extensions["cs_bot"].close()
    if settings:
        clean_queue(settings["handoff_queue"])
        clean_limits(settings["redis_prefix"])


@pytest.fixture
def memory_app(tmp_path: Path) -> Iterator[Flask]:
    app = build(tmp_path)
    yield app
    app.extensions["cs_bot"].close()


def clean_limits(prefix: str) -> None:
    """flask-limiter's keys (LIMITS:LIMITER/<prefix>agent-login/…): this test's only."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{prefix}agent-login*"))
    if keys:
        client.delete(*keys)
    client.close()


def sign_in(app: Flask, name: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/agent/login", data={"name": name, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def html(response: Any) -> str:
    return str(response.get_data(as_text=True))


def csrf(client: FlaskClient, url: str = "/agent") -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html(client.get(url)))
    assert found
    return found.group(1)


def handoff(app: Flask, user: str, text: str = "영수증을 다시 받고 싶어요") -> str:
    Chat(app.test_client(), user).say("안녕").tap("그 밖의 문의").say(text)
    return str(app.extensions["cs_bot"].handoffs.repo.list(limit=1)[0].record.id)


def post(client: FlaskClient, url: str, **data: str) -> Any:
    return client.post(url, data={**data, "csrf_token": csrf(client)})


def history(app: Flask, handoff_id: str) -> list[tuple[str, str, str]]:
    repo = app.extensions["cs_bot"].handoffs.repo
    (view,) = repo.with_desk([repo.get(handoff_id)])
    return [(h.by, h.action, h.detail) for h in view.history]


# --- claiming, reassigning, 내 담당, history, memo -------------------------------------------------


def test_two_agents_cannot_both_hold_a_handoff_and_a_lead_reassigns(desk_app: Flask) -> None:
    handoff_id = handoff(desk_app, "a" * 66)
    url = f"/agent/handoffs/{handoff_id}"
    kim, park, lee = sign_in(desk_app, KIM), sign_in(desk_app, PARK), sign_in(desk_app, LEE)

    assert post(kim, f"{url}/claim").status_code == 302
    page = html(park.get(url))
    assert "김상담님이 담당 중입니다" in page and "담당하기" not in page
    refused = post(park, f"{url}/claim")
    assert refused.status_code == 409 and "김상담님이 담당 중입니다" in html(refused)
    assert post(park, f"{url}/status", status="done").status_code == 409
    assert post(park, f"{url}/claim", to=LEE).status_code == 403  # only a lead reassigns

    assert post(kim, f"{url}/status", status="in_progress").status_code == 302
    assert post(lee, f"{url}/claim", to=PARK).status_code == 302
    assert post(park, f"{url}/status", status="done").status_code == 302
    assert history(desk_app, handoff_id) == [
        (KIM, "claimed", KIM),
        (KIM, "status", "대기 → 처리중"),
        (LEE, "reassigned", "김상담 → 박상담"),
        (PARK, "status", "처리중 → 완료"),
    ]
    page = html(park.get(url))
    assert "담당 김상담" not in page and f'<span class="muted">담당</span> {PARK}' in page
    listed = re.findall(r'<span class="who">([^<]+)</span> ([^<\n]+)', page)
    assert listed[1:] == [
        (KIM, "담당 · 김상담"),
        (KIM, "상태 변경 · 대기 → 처리중"),
        (LEE, "담당자 변경 · 김상담 → 박상담"),
        (PARK, "상태 변경 · 처리중 → 완료"),
    ]


def test_the_primary_button_is_the_natural_next_step(memory_app: Flask) -> None:
    handoff_id = handoff(memory_app, "n" * 66)
    url = f"/agent/handoffs/{handoff_id}"
    kim = sign_in(memory_app, KIM)

    def primary() -> str:
        found = re.search(r'class="button primary"[^>]*>([^<]+)<', html(kim.get(url)))
        assert found
        return found.group(1)

    assert primary() == "담당하기"
    post(kim, f"{url}/claim")
    assert primary() == "처리중으로 표시"
    post(kim, f"{url}/status", status="in_progress")
    assert primary() == "완료로 표시"
    post(kim, f"{url}/status", status="done")
    assert primary() == "다음 상담 요청 보기"


def test_marking_an_unclaimed_handoff_claims_it(desk_app: Flask) -> None:
    handoff_id = handoff(desk_app, "u" * 66)
    kim = sign_in(desk_app, KIM)
    post(kim, f"/agent/handoffs/{handoff_id}/status", status="in_progress")
    assert [h[1] for h in history(desk_app, handoff_id)] == ["claimed", "status"]


def test_my_handoffs_filter(desk_app: Flask) -> None:
    mine, other = handoff(desk_app, "m" * 66), handoff(desk_app, "o" * 66)
    kim, park = sign_in(desk_app, KIM), sign_in(desk_app, PARK)
    post(kim, f"/agent/handoffs/{mine}/claim")
    post(park, f"/agent/handoffs/{other}/claim")
    page = html(kim.get("/agent?mine=1"))
    assert mine in page and other not in page and "(내 담당)" in page
    assert mine in html(kim.get("/agent")) and other in html(kim.get("/agent"))


def test_an_internal_memo_is_kept_with_who_and_when(desk_app: Flask) -> None:
    handoff_id = handoff(desk_app, "w" * 66)
    kim = sign_in(desk_app, KIM)
    url = f"/agent/handoffs/{handoff_id}"
    assert post(kim, f"{url}/memo", memo="고객에게 내일 다시 연락 <약속>").status_code == 302
    page = html(kim.get(url))
    assert "고객에게 내일 다시 연락 &lt;약속&gt;</textarea>" in page
    assert re.search(r"김상담 · \d\d-\d\d \d\d:\d\d", page)
    body = desk_app.test_client().get(
        f"/agent/api/handoffs/{handoff_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert body.get_json()["memo"]["text"] == "고객에게 내일 다시 연락 <약속>"


def test_the_api_claims_for_a_named_agent(desk_app: Flask) -> None:
    handoff_id = handoff(desk_app, "k" * 66)
    api = desk_app.test_client()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    url = f"/agent/api/handoffs/{handoff_id}/claim"
    body = api.post(url, json={"agent": KIM}, headers=bearer).get_json()
    assert body["assignee"] == KIM and body["history"][0]["by"] == "API"
    assert api.post(url, json={"agent": "없는사람"}, headers=bearer).status_code == 400


# --- the transcript, notes ----------------------------------------------------------------------


def test_the_transcript_opens_at_the_handoff_moment(memory_app: Flask) -> None:
    handoff_id = handoff(memory_app, "t" * 66, "포인트가 사라졌어요")
    page = html(sign_in(memory_app, KIM).get(f"/agent/handoffs/{handoff_id}"))
    moment = page.index('id="handoff-moment"')
    assert page.index("포인트가 사라졌어요", moment) > moment  # the line right after the marker
    assert "list.scrollTop" in page


def test_urls_in_notes_are_links_and_the_rest_stays_escaped() -> None:
    shown = str(linkify("어드민 https://admin.example.com/orders?id=1&x=2. 확인 <b>굵게</b>"))
    assert (
        '<a href="https://admin.example.com/orders?id=1&amp;x=2" target="_blank" rel="noopener noreferrer">'
        in shown
    )
    assert "</a>. 확인 &lt;b&gt;굵게&lt;/b&gt;" in shown
    assert str(linkify("javascript:alert(1)")) == "javascript:alert(1)"


# --- sign-in: limits, disabling, the token ------------------------------------------------------


def test_failed_sign_ins_are_limited_per_name_with_a_korean_message(desk_app: Flask) -> None:
    client = desk_app.test_client()
    for _ in range(5):
        assert client.post("/agent/login", data={"name": KIM, "password": "wrong"}).status_code == 401
    blocked = client.post("/agent/login", data={"name": KIM, "password": PASSWORD})
    assert blocked.status_code == 429 and "로그인 시도가 너무 많습니다" in html(blocked)
    assert client.post("/agent/login", data={"name": PARK, "password": PASSWORD}).status_code == 302


def test_failed_sign_ins_are_limited_per_address(tmp_path: Path) -> None:
    app = build(tmp_path, agent_login_limit_address="3/minute")
    try:
        client = app.test_client()
        for name in ("가나", "다라", "마바"):
            assert client.post("/agent/login", data={"name": name, "password": "x"}).status_code == 401
        assert client.post("/agent/login", data={"name": KIM, "password": PASSWORD}).status_code == 429
        elsewhere = app.test_client()
        response = elsewhere.post(
            "/agent/login", data={"name": KIM, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.9"}
        )
        assert response.status_code == 302
    finally:
        app.extensions["cs_bot"].close()


def test_disabling_an_agent_ends_their_sessions_at_once(
    desk_app: Flask, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kim = sign_in(desk_app, KIM)
    assert kim.get("/agent").status_code == 200
    settings = desk_app.extensions["cs_bot"].settings
    for name, value in (
        ("AGENTS_FILE", str(settings.agents_file)),
        ("REDIS_URL", settings.redis_url or ""),
        ("REDIS_PREFIX", settings.redis_prefix),
    ):
        monkeypatch.setenv(name, value)
    assert main(["agents", "disable", KIM]) == 0  # another process: the CLI
    assert f"disabled {KIM}" in capsys.readouterr().out
    assert kim.get("/agent").status_code == 302
    assert (
        desk_app.test_client().post("/agent/login", data={"name": KIM, "password": PASSWORD}).status_code
        == 401
    )


def test_the_cli_adds_and_lists_agents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENTS_FILE", str(tmp_path / "agents.json"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["agents", "add", "최리드", "--lead", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["agents", "add", "짧은비번", "--password-stdin"]) == 1
    assert main(["agents", "list"]) == 0
    out = capsys.readouterr()
    assert "최리드\t리드\t사용 중" in out.out and "10자 이상" in out.err
    stored = (tmp_path / "agents.json").read_text(encoding="utf-8")
    assert "a-long-password" not in stored and "scrypt" in stored


def test_the_agent_token_needs_a_minimum_length(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="at least 24 characters"):
        create_app({"agent_token": "x", "handoff_spool_dir": tmp_path})


def test_without_accounts_the_login_page_says_how_to_add_one(tmp_path: Path) -> None:
    app = create_app(
        {"agent_token": TOKEN, "handoff_spool_dir": tmp_path, "agents_file": tmp_path / "a.json"}
    )
    try:
        assert "cs-bot agents add" in html(app.test_client().get("/agent/login"))
    finally:
        app.extensions["cs_bot"].close()


# --- the live list and paging ---------------------------------------------------------------------


def test_the_live_list_answers_304_until_something_changes(desk_app: Flask) -> None:
    kim = sign_in(desk_app, KIM)
    first = kim.get("/agent/list")
    assert first.status_code == 200 and first.headers["ETag"]
    assert 'data-waiting="0"' in html(first)
    again = kim.get("/agent/list", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    handoff_id = handoff(desk_app, "l" * 66)
    changed = kim.get("/agent/list", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and handoff_id in html(changed)
    assert 'data-waiting="1"' in html(changed)
    assert "<title>(1) 상담 요청 · 상담 인박스</title>" in html(kim.get("/agent"))


def test_the_api_pages_through_every_handoff_once(desk_app: Flask) -> None:
    made = [handoff(desk_app, f"{n}" * 66) for n in range(5)]
    api, seen, cursor = desk_app.test_client(), [], None
    for _ in range(5):
        query = {"limit": "2", **({"before": cursor} if cursor else {})}
        body = api.get(
            "/agent/api/handoffs", query_string=query, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        page = body.get_json()
        seen += [h["id"] for h in page["handoffs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]


def test_the_api_token_bootstraps_an_account_and_nothing_else_does(tmp_path: Path) -> None:
    app = create_app(
        {"agent_token": TOKEN, "handoff_spool_dir": tmp_path, "agents_file": tmp_path / "a.json"}
    )
    try:
        client, body = app.test_client(), {"name": "첫상담", "password": "first-password-1", "role": "lead"}
        assert client.post("/agent/api/agents", json=body).status_code == 401
        made = client.post("/agent/api/agents", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert made.status_code == 201 and made.get_json() == {"name": "첫상담", "role": "lead"}
        again = client.post("/agent/api/agents", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert again.status_code == 400  # the name is taken
        signed_in = sign_in(app, "첫상담", "first-password-1")
        token = csrf(signed_in)
        other = {"name": "둘째", "password": "second-password"}
        assert (
            signed_in.post("/agent/api/agents", json=other, headers={"X-CSRF-Token": token}).status_code
            == 401
        )
    finally:
        app.extensions["cs_bot"].close()
