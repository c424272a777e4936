"""A customer who asks for an agent again after the first handoff was closed, through /skill on
memory and the real Redis: the new record keeps only the lines said since, while the inbox page, the
JSON API and the webhook payload show the whole conversation in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.handoff.desks import payload
from app.handoff.record import HandoffRecord
from app.handoff.redis_repository import RedisHandoffRepository, unpack_record
from app.handoff.repository import HandoffRepository, MemoryHandoffRepository
from tests.chat import Chat
from tests.web.conftest import app_on

TOKEN = "test-agent-token-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
USER = "t" * 66
FIRST_WORDS = ["주차 안 했는데 결제됐어요", "상담직원 연결"]
LATER_WORDS = ["아직 환불이 안 됐어요", "상담직원 연결"]


@pytest.fixture(params=["memory", "redis"])
def inbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    settings = {
        "handoff_spool_dir": tmp_path / "spool",
        "agent_token": TOKEN,
        "agents_file": tmp_path / "agents.json",
    }
    with app_on(request.param, request, **settings) as app:
        yield app


def repo_of(app: Flask) -> HandoffRepository:
    found: HandoffRepository = app.extensions["cs_bot"].handoffs.repo
    return found


def stored(repo: HandoffRepository, handoff_id: str) -> HandoffRecord:
    if isinstance(repo, RedisHandoffRepository):
        return unpack_record(repo.client.hget(repo._key(handoff_id), "record"))  # type: ignore[arg-type]
    assert isinstance(repo, MemoryHandoffRepository)
    return repo._views[handoff_id].record


def customer_lines(lines: list[dict[str, Any]]) -> list[str]:
    return [line["text"] for line in lines if line["who"] == "customer"]


def test_a_second_handoff_keeps_only_new_lines_and_agents_see_the_whole_conversation(inbox: Flask) -> None:
    client, repo = inbox.test_client(), repo_of(inbox)
    chat = Chat(client, USER)
    for words in FIRST_WORDS:
        chat.say(words)
    (first,) = repo.list()
    closed = client.post(
        f"/agent/api/handoffs/{first.record.id}/status", json={"status": "done"}, headers=BEARER
    )
    assert closed.status_code == 200
    for words in LATER_WORDS:
        chat.say(words)
    second = repo.list()[0]
    assert second.record.id != first.record.id

    kept = stored(repo, second.record.id)
    assert [e.text for e in kept.transcript if e.who == "customer"] == LATER_WORDS
    assert kept.transcript_continues == first.record.id
    assert kept.earlier_lines == len(first.record.transcript)

    whole = FIRST_WORDS + LATER_WORDS
    api = client.get(f"/agent/api/handoffs/{second.record.id}", headers=BEARER).get_json()
    assert customer_lines(api["transcript"]) == whole
    assert api["transcript_gone"] == 0
    view = repo.get(second.record.id)
    assert view is not None and customer_lines(payload(view)["transcript"]) == whole
    listed = client.get("/agent/api/handoffs?status=open", headers=BEARER).get_json()
    (item,) = listed["handoffs"]
    assert customer_lines(item["transcript"]) == whole


def test_the_detail_page_shows_the_whole_conversation_in_order_and_what_expired(inbox: Flask) -> None:
    client, repo = inbox.test_client(), repo_of(inbox)
    agent = inbox.test_client()
    account = {"name": "김상담", "password": "password-kim-1"}
    assert client.post("/agent/api/agents", json=account, headers=BEARER).status_code == 201
    assert agent.post("/agent/login", data=account).status_code == 302
    chat = Chat(client, USER)
    for words in FIRST_WORDS:
        chat.say(words)
    (first,) = repo.list()
    repo.change_status(first.record.id, "done", "김상담", first.record.created_at)
    for words in LATER_WORDS:
        chat.say(words)
    second = repo.list()[0]

    page = agent.get(f"/agent/handoffs/{second.record.id}").get_data(as_text=True)
    transcript = page[page.index('<ol class="transcript"') :]
    said = [
        transcript.index(f'<div class="bubble">{words}')
        for words in ("주차 안 했는데 결제됐어요", "아직 환불이 안 됐어요")
    ]
    assert said == sorted(said)
    assert transcript.count('class="bubble-row customer') == 4
    assert "보관 기간이 지나" not in transcript

    if isinstance(repo, RedisHandoffRepository):  # the first record's 30 days are over
        repo.client.delete(repo._key(first.record.id))
    else:
        repo._views.pop(first.record.id)
    page = agent.get(f"/agent/handoffs/{second.record.id}").get_data(as_text=True)
    transcript = page[page.index('<ol class="transcript"') :]
    gone = len(first.record.transcript)
    assert f"이전 대화 일부({gone}개)는 보관 기간이 지나 없습니다" in transcript
    assert "주차 안 했는데 결제됐어요" not in transcript and "아직 환불이 안 됐어요" in transcript
