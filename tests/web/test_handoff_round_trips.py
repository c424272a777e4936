"""A handoff turn on Redis (webhook desk, delivery queue on the same Redis): the lock and read — with what
the handoff needs, when the turn may hand off — and one write that saves the session, the transcript,
the record and its delivery jobs together; and what it saved is whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from app import create_app
from tests.chat import Chat
from tests.conftest import REDIS_URL
from tests.round_trips import record_round_trips
from tests.web.conftest import clean_queue

PARKING = "주차 안 했는데 결제됐어요"


@pytest.fixture
def desk_app(redis_prefix: str, tmp_path: Path) -> Iterator[Flask]:
    queue = f"{redis_prefix}handoffs"
    app = create_app(
        {
            "redis_url": REDIS_URL,
            "redis_prefix": redis_prefix,
            "handoff_queue": queue,
            "handoff_webhook_url": "https://desk.example/handoffs",
            "handoff_spool_dir": tmp_path / "spool",
        }
    )
    yield app
    app.extensions["cs_bot"].close()
    clean_queue(queue)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every round trip to Redis from now on: a command's name, or `pipeline` for a whole pipeline."""
    return record_round_trips(monkeypatch)


def test_a_handoff_turn_is_two_round_trips_and_saves_everything(
    desk_app: Flask, redis_prefix: str, sent: list[str]
) -> None:
    warm = Chat(desk_app.test_client(), "c" * 66).say(PARKING).say("상담직원 연결")  # RQ asks INFO once
    assert "상담직원" in warm.text
    assert desk_app.extensions["cs_bot"].handoffs.repo.ping()  # its connection made (HELLO, CLIENT …)
    chat = Chat(desk_app.test_client(), "a" * 66).say(PARKING)
    sent.clear()

    chat.say("상담직원 연결")

    # lock + read (state, transcript, open handoff, latest record: 상담직원 연결 asks for an agent) · write
    assert sent == ["EVALSHA", "EVALSHA"]
    assert "상담직원" in chat.text
    runtime = desk_app.extensions["cs_bot"]
    views = {v.record.bot_user_key: v for v in runtime.handoffs.repo.list()}
    view = views["a" * 66]
    assert [e.text for e in view.record.transcript if e.who == "customer"] == [PARKING, "상담직원 연결"]
    assert set(view.delivery) == {"webhook"} and view.delivery["webhook"].state == "pending"
    client = redis.Redis.from_url(REDIS_URL)
    assert f"{view.record.id}-webhook".encode() in client.lrange(f"rq:queue:{redis_prefix}handoffs", 0, -1)
    assert not client.exists(runtime.store.lock_key("a" * 66))
    client.close()


def test_a_record_that_cannot_be_written_still_reaches_an_agent(
    desk_app: Flask, sent: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record rides in the turn's write: if Redis refuses it, the turn fails like any store failure
    — the customer reads the apology with 상담직원 연결 and the request is kept for an agent."""
    runtime = desk_app.extensions["cs_bot"]
    repo = runtime.handoffs.repo
    chat = Chat(desk_app.test_client(), "b" * 66).say(PARKING)
    monkeypatch.setattr(repo, "_key", lambda handoff_id: repo._last_key("b" * 66))  # a string key: HSET fails
    redis.Redis.from_url(REDIS_URL).set(repo._last_key("b" * 66), "not a hash")

    chat.say("상담직원 연결")

    assert "일시적인 오류" in chat.text and "상담직원 연결" in chat.text  # the apology card and its button
    kept = runtime.handoffs.spool.pending()
    assert [r.reason for r in kept] == ["internal_error"]
    assert kept[0].transcript[-1].text == "상담직원 연결"


def test_asking_again_adds_to_the_open_handoff_in_one_more_read(desk_app: Flask, sent: list[str]) -> None:
    warm = Chat(desk_app.test_client(), "c" * 66).say(PARKING).say("상담직원 연결")  # RQ asks INFO once
    assert "상담직원" in warm.text
    assert desk_app.extensions["cs_bot"].handoffs.repo.ping()  # its connection made (HELLO, CLIENT …)
    chat = Chat(desk_app.test_client(), "d" * 66).say(PARKING).say("상담직원 연결")
    chat.say("언제 연결돼요? 급해요")
    sent.clear()

    chat.say("상담직원 연결")

    # lock + read with what a handoff needs · the open handoff's status and newest line · write
    assert sent == ["EVALSHA", "HMGET", "EVALSHA"]
    runtime = desk_app.extensions["cs_bot"]
    (view,) = [
        v
        for v in runtime.handoffs.repo.with_desk(runtime.handoffs.repo.list())
        if v.record.bot_user_key == "d" * 66
    ]
    assert [e.text for e in view.followups if e.who == "customer"] == [
        "언제 연결돼요? 급해요",
        "상담직원 연결",
    ]
    assert [h.action for h in view.history] == ["again"]


def test_what_is_added_after_a_handoff_was_read_for_by_the_handoff_turn(
    desk_app: Flask, sent: list[str]
) -> None:
    warm = Chat(desk_app.test_client(), "c" * 66).say(PARKING).say("상담직원 연결")  # RQ asks INFO once
    assert "상담직원" in warm.text
    assert desk_app.extensions["cs_bot"].handoffs.repo.ping()
    chat = Chat(desk_app.test_client(), "e" * 66).say(PARKING).say("상담직원 연결")
    sent.clear()

    chat.say("34나5678 차량이에요")  # joins the open handoff

    # lock + read with what a handoff needs (asked for by the handoff turn) · the open handoff · write
    assert sent == ["EVALSHA", "HMGET", "EVALSHA"]
    assert "앞서 전달해 드린 문의에 덧붙여" in chat.text


def test_asking_again_on_a_record_saved_before_newest_line_times_were_kept(
    desk_app: Flask, redis_client: redis.Redis
) -> None:
    chat = Chat(desk_app.test_client(), "e" * 66).say(PARKING).say("상담직원 연결")
    runtime = desk_app.extensions["cs_bot"]
    (first,) = [v for v in runtime.handoffs.repo.list() if v.record.bot_user_key == "e" * 66]
    redis_client.hdel(runtime.handoffs.repo._key(first.record.id), "last_at")  # as an older version saved it
    chat.say("결제 취소가 안 됐어요").say("상담직원 연결")
    view = runtime.handoffs.repo.with_desk([runtime.handoffs.repo.get(first.record.id)])[0]
    assert [e.text for e in view.followups if e.who == "customer"] == [
        "결제 취소가 안 됐어요",
        "상담직원 연결",
    ]


def test_an_answer_that_hands_off_was_read_for_by_the_turn_before(
    desk_app: Flask, redis_prefix: str, sent: list[str]
) -> None:
    """At 그 밖의 문의 the next message is handed to an agent: the turn that asked the question left a
    hint, so the handoff turn reads the transcript with its lock."""
    warm = Chat(desk_app.test_client(), "c" * 66).say(PARKING).say("상담직원 연결")  # RQ asks INFO once
    assert "상담직원" in warm.text
    assert desk_app.extensions["cs_bot"].handoffs.repo.ping()  # its connection made (HELLO, CLIENT …)
    chat = Chat(desk_app.test_client(), "f" * 66).say("안녕하세요").say("그 밖의 문의")
    sent.clear()

    chat.say("영수증을 다시 받고 싶어요")

    assert sent == ["EVALSHA", "EVALSHA"]
    runtime = desk_app.extensions["cs_bot"]
    (view,) = [v for v in runtime.handoffs.repo.list() if v.record.bot_user_key == "f" * 66]
    customer = [e.text for e in view.record.transcript if e.who == "customer"]
    assert customer == ["안녕하세요", "그 밖의 문의", "영수증을 다시 받고 싶어요"]


def test_a_handoff_nobody_foresaw_reads_for_itself_and_saves_everything(
    desk_app: Flask, redis_client: redis.Redis, sent: list[str]
) -> None:
    warm = Chat(desk_app.test_client(), "c" * 66).say(PARKING).say("상담직원 연결")  # RQ asks INFO once
    assert "상담직원" in warm.text
    assert desk_app.extensions["cs_bot"].handoffs.repo.ping()  # its connection made (HELLO, CLIENT …)
    chat = Chat(desk_app.test_client(), "g" * 66).say("안녕하세요").say("그 밖의 문의")
    store = desk_app.extensions["cs_bot"].store
    redis_client.delete(store.hint_key("g" * 66))  # e.g. written by a version that kept no hint
    sent.clear()

    chat.say("영수증을 다시 받고 싶어요")

    assert sent == ["EVALSHA", "pipeline", "EVALSHA"]  # lock+read · transcript+open+latest · write
    runtime = desk_app.extensions["cs_bot"]
    (view,) = [v for v in runtime.handoffs.repo.list() if v.record.bot_user_key == "g" * 66]
    customer = [e.text for e in view.record.transcript if e.who == "customer"]
    assert customer == ["안녕하세요", "그 밖의 문의", "영수증을 다시 받고 싶어요"]


def test_turns_that_cannot_hand_off_read_nothing_more(desk_app: Flask, redis_client: redis.Redis) -> None:
    """A question none of whose answers hands off leaves no hint: its next turn reads only the state."""
    Chat(desk_app.test_client(), "h" * 66).say(PARKING)
    store = desk_app.extensions["cs_bot"].store
    catalog = desk_app.extensions["cs_bot"].conversations.catalog
    node = json.loads(redis_client.get(store.state_key("h" * 66)))["node"]
    assert node not in catalog.near_handoff
    assert not redis_client.exists(store.hint_key("h" * 66))
