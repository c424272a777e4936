"""Conversation events from real walks through POST /skill: each kind, how a guide was entered, the
CSAT question after 해결됐어요 (and that skipping it changes nothing), no personal data."""

from __future__ import annotations

import hashlib
import hmac
import json

from flask import Flask

from app.insight.events import Event, pseudonym
from tests.chat import Chat
from tests.insight.conftest import recorded

USER = "d1" * 33


def kinds(events: list[Event]) -> list[str]:
    return [e.kind for e in events]


def only(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


def walk_to_iphone_end(chat: Chat) -> Chat:
    return (
        chat.say("안녕하세요")
        .tap("카셰어링 기기 인증")
        .tap("카셰어링")
        .tap("네, 모두 맞아요")
        .tap("SKT")
        .tap("아이폰")
    )


def test_a_menu_walk_to_resolved_with_csat(app: Flask) -> None:
    chat = walk_to_iphone_end(Chat(app.test_client(), USER))
    chat.tap("네, 해결됐어요")
    assert "안내가 도움이 되었나요?" in chat.text
    assert chat.labels == ["😀 만족해요", "🙂 보통이에요", "😞 아쉬워요", "처음으로"]
    chat.tap("🙂 보통이에요")
    assert "의견 감사합니다" in chat.text and chat.labels == ["처음으로"]

    events = recorded(app)
    (entered,) = only(events, "flow_entered")
    assert (entered.flow, entered.node, entered.detail) == (
        "carsharing_auth",
        "carsharing_auth.start",
        {"via": "menu"},
    )
    reached = [e.node for e in only(events, "node_reached")]
    assert reached == [
        "main.menu",
        "carsharing_auth.start",
        "carsharing_auth.preconditions",
        "carsharing_auth.carrier",
        "carsharing_auth.device_skt_kt",
        "carsharing_auth.case2_iphone",
        "carsharing_auth.resolved",
    ]
    (resolved,) = only(events, "resolved")
    assert (resolved.flow, resolved.node) == ("carsharing_auth", "carsharing_auth.case2_iphone")
    (csat,) = only(events, "csat")
    assert (csat.flow, csat.detail) == ("carsharing_auth", {"score": "2"})
    assert kinds(events)[-3:] == ["resolved", "node_reached", "csat"]
    assert only(events, "handed_off") == []


def test_csat_typed_counts_and_skipping_it_changes_nothing(app: Flask) -> None:
    typed = walk_to_iphone_end(Chat(app.test_client(), "d2" * 33)).tap("네, 해결됐어요")
    typed.say("만족해요")  # the label without its emoji
    assert "의견 감사합니다" in typed.text

    skipped = walk_to_iphone_end(Chat(app.test_client(), "d3" * 33)).tap("네, 해결됐어요")
    skipped.say("주차 요금이 잘못 나갔어요")  # the next problem: understood as usual
    assert "의견 감사합니다" not in skipped.text
    menu = walk_to_iphone_end(Chat(app.test_client(), "d4" * 33)).tap("네, 해결됐어요").tap("처음으로")
    assert "카셰어링 기기 인증" in menu.labels

    events = recorded(app)
    assert [(e.flow, e.detail["score"]) for e in only(events, "csat")] == [("carsharing_auth", "3")]
    parking = [e for e in only(events, "flow_entered") if e.flow == "parking_lpr"]
    assert [e.detail["via"] for e in parking] == ["text"]


def test_a_second_tap_on_the_csat_question_is_thanked_but_not_counted_again(app: Flask) -> None:
    chat = walk_to_iphone_end(Chat(app.test_client(), USER)).tap("네, 해결됐어요")
    question = chat.last
    chat.tap("😀 만족해요")
    chat.last = question
    chat.tap("😞 아쉬워요")
    assert "의견 감사합니다" in chat.text
    assert [e.detail["score"] for e in only(recorded(app), "csat")] == ["3"]


def test_no_csat_after_a_handoff(app: Flask) -> None:
    chat = walk_to_iphone_end(Chat(app.test_client(), USER)).tap("아니요")
    assert "안내가 도움이 되었나요?" not in chat.text
    events = recorded(app)
    (handoff,) = only(events, "handed_off")
    assert (handoff.flow, handoff.node, handoff.detail) == (
        "carsharing_auth",
        "carsharing_auth.handoff",
        {"reason": "steps_not_resolved"},
    )
    assert only(events, "resolved") == [] and only(events, "csat") == []


def test_free_text_entry_rejected_answers_and_a_customer_request(app: Flask) -> None:
    chat = Chat(app.test_client(), USER)
    chat.say("주차 요금이 잘못 나갔어요").tap("네, 본인이에요")
    chat.say("모르겠어요").say("몰라요")  # not a plate number: asked again twice
    chat.say("상담직원 연결")
    events = recorded(app)
    (entered,) = only(events, "flow_entered")
    assert (entered.flow, entered.detail["via"]) == ("parking_lpr", "text")
    rejected = only(events, "answer_rejected")
    assert [(e.node, e.detail["retries"]) for e in rejected] == [
        ("parking_lpr.plate", "1"),
        ("parking_lpr.plate", "2"),
    ]
    (handoff,) = only(events, "handed_off")
    assert handoff.detail == {"reason": "customer_request"} and handoff.flow == "parking_lpr"


def test_clarifying_question_and_its_answer(app: Flask) -> None:
    chat = Chat(app.test_client(), USER).say("전기차 충전실패 떴어요")
    first = chat.labels[0]
    chat.tap(first)
    events = recorded(app)
    (clarify,) = only(events, "clarify")
    assert clarify.detail == {"options": "ev_charging.q2,ev_charging.start"}
    (entered,) = only(events, "flow_entered")
    assert (entered.flow, entered.detail["via"]) == ("ev_charging", "clarified")


def test_out_of_scope_text_is_masked_and_capped(app: Flask) -> None:
    Chat(app.test_client(), USER).say("택시 기사님 번호 010-9876-5432 알려주세요 메일은 kim@example.com")
    Chat(app.test_client(), "d5" * 33).say("대리운전 요금 " + "정말 " * 150)
    texts = [e.detail["text"] for e in only(recorded(app), "out_of_scope")]
    assert texts[0] == "택시 기사님 번호 [전화번호] 알려주세요 메일은 [이메일]"
    assert len(texts[1]) == 200 and texts[1].endswith("…")


def test_events_hold_no_user_key(app: Flask) -> None:
    walk_to_iphone_end(Chat(app.test_client(), USER)).tap("아니요")
    events = recorded(app)
    assert {e.customer for e in events} == {pseudonym(b"test-salt", USER)}
    assert USER not in json.dumps([e.to_fields() for e in events])


def test_replay_customers_and_requests_without_a_user_key_leave_no_events(app: Flask) -> None:
    Chat(app.test_client(), "replay-run-1").say("안녕").tap("주차 결제 취소")
    Chat(app.test_client(), "").say("안녕")
    assert recorded(app) == []


def test_a_failed_turn_is_a_handoff_event(app: Flask) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("engine bug")

    app.extensions["cs_bot"].conversations.turn = broken
    Chat(app.test_client(), USER).say("안녕")
    (event,) = recorded(app)
    assert (event.kind, event.detail) == ("handed_off", {"reason": "internal_error"})


def test_going_back_into_a_closed_guide_is_not_a_new_entry(app: Flask) -> None:
    chat = walk_to_iphone_end(Chat(app.test_client(), USER)).tap("네, 해결됐어요")
    chat.say("이전")
    assert "해결되었나요" in chat.text
    assert len(only(recorded(app), "flow_entered")) == 1


def test_fields_round_trip() -> None:
    event = Event("csat", 1.5, "abc", "carsharing_auth", None, {"score": "3"})
    assert Event.from_fields(event.to_fields()) == event


def test_a_pseudonym_is_the_keyed_hash_of_the_key_every_time() -> None:
    expected = hmac.new(b"test-salt", USER.encode(), hashlib.sha256).hexdigest()[:16]
    assert [pseudonym(b"test-salt", USER) for _ in range(3)] == [expected] * 3
    assert pseudonym(b"other-salt", USER) != expected  # another salt (another server) links nothing
    assert pseudonym(b"test-salt", USER + "x") != expected
