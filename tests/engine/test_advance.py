"""The engine on plain values: advance(catalog, session, event) → outcome. No HTTP, no store."""

from __future__ import annotations

import pytest

from app.engine.advance import advance, enter
from app.engine.catalog import Catalog
from app.engine.reply import Card, Event, Outcome
from app.engine.session import Session, Step


def say(catalog: Catalog, session: Session | None, utterance: str, **extra: object) -> Outcome:
    return advance(catalog, session, Event(utterance, dict(extra)))


def walk(catalog: Catalog, *utterances: str) -> Outcome:
    outcome = say(catalog, None, utterances[0])
    for utterance in utterances[1:]:
        outcome = say(catalog, outcome.session, utterance)
    return outcome


def labels(outcome: Outcome) -> list[str]:
    return [q.label for q in outcome.reply.quick_replies]


def text(outcome: Outcome) -> str:
    return outcome.reply.as_text()


def test_new_customer_greeting_gets_the_main_menu(catalog: Catalog) -> None:
    outcome = say(catalog, None, "안녕하세요")
    assert "WELCOME 테스트" in text(outcome)
    assert labels(outcome) == ["기기 인증", "기타 문의", "상담직원 연결"]
    assert outcome.session.node == "main.menu"
    assert outcome.handoff is None


def test_free_text_lands_on_the_matching_flow_entry(catalog: Catalog) -> None:
    outcome = say(catalog, None, "기기 인증이 안돼요")
    assert outcome.session.node == "demo.carrier"
    assert "Q-CARRIER" in text(outcome)
    assert labels(outcome)[:4] == ["SKT", "KT", "LG U+", "알뜰폰"]


def test_a_message_no_guide_fits_gets_an_honest_answer_not_a_guide(catalog: Catalog) -> None:
    assert say(catalog, None, "인증 문자를 보냈는데 안 와요").session.node == "demo.carrier"
    outcome = say(catalog, None, "택시 기사님이 너무 불친절했어요")
    assert outcome.session.node == "main.out_of_scope"
    assert text(outcome) == "OUT-OF-SCOPE"  # never the guide's first question
    assert labels(outcome) == ["기기 인증", "기타 문의", "처음으로", "상담직원 연결"]


def test_typing_a_menu_label_as_first_message_opens_it(catalog: Catalog) -> None:
    outcome = say(catalog, None, "기기 인증")
    assert outcome.session.node == "demo.carrier"
    assert [step.node for step in outcome.session.history] == ["main.menu"]


@pytest.mark.parametrize(
    ("utterance", "extra", "carrier"),
    [
        ("LG U+", {"node": "demo.carrier", "choice": "LG U+"}, "lgu"),  # tap with clientExtra
        ("LG U+", {}, "lgu"),  # tap without clientExtra: the label
        ("lg u+", {}, "lgu"),  # case and spaces ignored
        ("유플러스요", {}, "lgu"),  # alias inside a sentence
        ("u+", {}, "lgu"),
        ("skt요", {}, "skt"),  # "kt" is inside "skt" too: the longer word wins
        ("SK 텔레콤 씁니다!", {}, "skt"),
        ("케이티", {}, "kt"),
        ("KT", {}, "kt"),
        ("저는 알뜰폰이에요", {}, "mvno"),
    ],
)
def test_choice_is_recognised_from_extra_label_or_alias(
    catalog: Catalog, utterance: str, extra: dict[str, str], carrier: str
) -> None:
    start = say(catalog, None, "기기인증").session
    outcome = say(catalog, start, utterance, **extra)
    assert outcome.session.values == {"carrier": carrier}
    assert outcome.session.node == "demo.device"


def test_client_extra_wins_over_a_misleading_utterance(catalog: Catalog) -> None:
    start = say(catalog, None, "기기인증").session
    outcome = say(catalog, start, "아무 말", node="demo.carrier", choice="KT")
    assert outcome.session.values == {"carrier": "kt"}


def test_a_tap_for_another_node_is_not_taken_as_this_answer(catalog: Catalog) -> None:
    """A repeated tap (double tap, Kakao retry) names the question it answered: the customer is asked
    the current question again, nothing is saved and no failed try is counted."""
    start = say(catalog, None, "기기인증").session
    at_device = say(catalog, start, "SKT", node="demo.carrier", choice="SKT").session
    again = say(catalog, at_device, "SKT", node="demo.carrier", choice="SKT")
    assert again.session.node == "demo.device"
    assert again.session.values == {"carrier": "skt"}
    assert again.session.retries == 0
    assert text(again) == "STALE-TAP\n\nQ-DEVICE"
    assert labels(again)[:2] == ["아이폰", "갤럭시/안드로이드"]
    at_plate = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역").session
    stale_at_ask = say(catalog, at_plate, "갤럭시", node="demo.device", choice="갤럭시/안드로이드")
    assert stale_at_ask.session.node == "demo.plate"
    assert "plate" not in stale_at_ask.session.values


def test_unrecognised_answer_reprompts_and_offers_an_agent_after_three_tries(catalog: Catalog) -> None:
    session = say(catalog, None, "기기인증").session
    for attempt in (1, 2):
        outcome = say(catalog, session, "음 잘 모르겠는데")
        session = outcome.session
        assert session.node == "demo.carrier"
        assert session.retries == attempt
        assert "RETRY-CHOICE" in text(outcome)
        assert "RETRY-LIMIT" not in text(outcome)
        assert "SKT" in labels(outcome)
    third = say(catalog, session, "음 잘 모르겠는데")
    assert "RETRY-LIMIT" in text(third)
    agent = [q for q in third.reply.quick_replies if q.label == "상담직원 연결"]
    assert agent and agent[0].extra == {"cmd": "agent", "reason": "retry_limit"}
    handed = say(catalog, third.session, "상담직원 연결", **agent[0].extra)
    assert handed.handoff is not None
    assert handed.handoff.reason == "retry_limit"
    typed = say(catalog, third.session, "상담원 연결해 주세요")  # typed, or a tap without clientExtra
    assert typed.handoff is not None and typed.handoff.reason == "retry_limit"


@pytest.mark.parametrize(
    ("carrier", "device", "node", "marker"),
    [
        ("LG U+", "아이폰", "demo.case1", "CASE1 통신사=lgu"),
        ("알뜰폰", "iphone 15 pro", "demo.case1", "CASE1 통신사=mvno"),
        ("SKT", "갤럭시", "demo.case2", "CASE2"),
        ("KT", "아이폰", "demo.case2", "CASE2"),
        ("알뜰폰", "안드로이드", "demo.station", "OTHER"),
    ],
)
def test_branch_routes_on_collected_values(
    catalog: Catalog, carrier: str, device: str, node: str, marker: str
) -> None:
    outcome = walk(catalog, "기기인증", carrier, device)
    assert outcome.session.node == node
    assert marker in text(outcome)


def test_end_node_asks_if_solved_with_yes_no_replies(catalog: Catalog) -> None:
    outcome = walk(catalog, "기기인증", "SKT", "갤럭시")
    assert "QUESTION-RESOLVED" in text(outcome)
    assert labels(outcome)[:2] == ["네", "아니요"]
    card = [m for m in outcome.reply.messages if isinstance(m, Card)]
    assert card and card[0].buttons[0].url == "https://example.com/center"


@pytest.mark.parametrize("answer", ["네", "예", "해결됐어요", "네 됐어요 감사"])
def test_yes_closes_the_conversation(catalog: Catalog, answer: str) -> None:
    outcome = walk(catalog, "기기인증", "SKT", "갤럭시", answer)
    assert "MAIN-BYE" in text(outcome)
    assert outcome.session.node is None
    assert outcome.handoff is None
    assert labels(outcome) == ["처음으로"]


@pytest.mark.parametrize(
    "answer", ["아니요", "아니", "해결이 안 됐어요", "아직이요", "여전히 안돼요", "안 됐어요"]
)
def test_no_hands_off_even_when_a_yes_word_is_in_the_sentence(catalog: Catalog, answer: str) -> None:
    outcome = walk(catalog, "기기인증", "SKT", "갤럭시", answer)
    assert outcome.handoff is not None
    assert outcome.handoff.reason == "not_solved"


def test_end_node_reasks_on_an_unclear_answer(catalog: Catalog) -> None:
    outcome = walk(catalog, "기기인증", "SKT", "갤럭시", "음")
    assert outcome.session.node == "demo.case2"
    assert "QUESTION-RESOLVED" in text(outcome)
    assert outcome.session.retries == 1


def test_end_node_yes_via_client_extra(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "SKT", "갤럭시").session
    outcome = say(catalog, session, "네, 해결됐어요", node="demo.case2", choice="yes")
    assert outcome.session.node is None and "MAIN-BYE" in text(outcome)


def test_ask_validates_and_stores_the_normalised_value(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시").session
    assert session.node == "demo.station"
    outcome = say(catalog, session, "  강남역   충전소 ")
    assert outcome.session.values["station"] == "강남역 충전소"
    assert outcome.session.node == "demo.plate"
    outcome = say(catalog, outcome.session, "12가 3456")
    assert outcome.session.values["plate"] == "12가3456"
    assert "DONE 12가3456" in text(outcome)


@pytest.mark.parametrize("bad", ["", "   ", "1234", "가나다라", "12가34567"])
def test_ask_rejects_bad_values_with_reason_and_hint(catalog: Catalog, bad: str) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역").session
    outcome = say(catalog, session, bad)
    assert outcome.session.node == "demo.plate"
    assert "plate" not in outcome.session.values
    assert "HINT-PLATE" in text(outcome)
    assert outcome.reply.messages[0].as_text() != "HINT-PLATE (예: 12가3456)"  # the reason comes first
    assert outcome.session.retries == 1


def test_ask_offers_agent_after_three_bad_values_and_still_accepts_a_good_one(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역").session
    for _ in range(3):
        outcome = say(catalog, session, "모름요 123")
        session = outcome.session
    assert "RETRY-LIMIT" in text(outcome)
    assert "상담직원 연결" in labels(outcome)
    assert say(catalog, session, "서울 12가 3456").session.values["plate"] == "서울12가3456"


def test_ask_shortcut_choice(catalog: Catalog) -> None:
    outcome = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역", "모르겠어요")
    assert outcome.handoff is not None
    assert "모르겠어요" in labels(walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역"))


def test_global_home_resets_everything(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "SKT").session
    outcome = say(catalog, session, "처음으로")
    assert outcome.session.node == "main.menu"
    assert outcome.session.values == {} and outcome.session.history == ()
    assert "WELCOME" in text(outcome)


def test_global_home_from_quick_reply_extra(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "SKT").session
    assert say(catalog, session, "아무거나", cmd="home").session.node == "main.menu"


def test_back_goes_one_question_back_and_forgets_only_its_answer(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시").session
    assert session.values == {"carrier": "mvno", "device": "android"}
    outcome = say(catalog, session, "이전")
    assert outcome.session.node == "demo.device"
    assert "Q-DEVICE" in text(outcome)
    assert outcome.session.values == {"carrier": "mvno"}  # the device is asked again
    outcome = say(catalog, outcome.session, "뒤로")
    assert outcome.session.node == "demo.carrier"
    outcome = say(catalog, outcome.session, "이전")
    assert outcome.session.node == "main.menu"
    assert say(catalog, outcome.session, "이전").session.node == "main.menu"  # nothing before the menu


def test_back_is_offered_only_when_there_is_somewhere_to_go(catalog: Catalog) -> None:
    entered = say(catalog, None, "인증 문자를 보냈는데 안 돼요")  # an entry, not the menu
    assert entered.session.node == "demo.carrier" and entered.session.history == ()
    assert "이전" not in labels(entered)
    assert "이전" in labels(say(catalog, entered.session, "SKT"))


def test_agent_command_mid_flow_hands_off_through_the_flows_agent_node(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "LG U+").session
    outcome = say(catalog, session, "상담원 연결해 주세요")
    handoff = outcome.handoff
    assert handoff is not None
    assert handoff.node == "demo.handoff"  # the flow's `agent`
    assert handoff.category == "렌터카 ▶ 카셰어링"
    assert handoff.reason == "customer_request"  # not the node's own reason: the customer asked
    assert handoff.agent_notes == ("AGENT-ONLY 어드민에서 lgu 확인",)
    assert handoff.flow == "demo"
    assert [(f.label, f.value) for f in handoff.facts] == [("통신사", "lgu")]
    assert handoff.path == ("main.menu", "demo.carrier", "demo.device", "demo.handoff")


def test_a_question_can_name_its_own_handoff(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역").session
    assert session.node == "demo.plate"
    handoff = say(catalog, session, "상담직원 연결").handoff
    assert handoff is not None
    assert (handoff.node, handoff.category, handoff.reason) == (
        "demo.plate_handoff",
        "차량 ▶ 번호",
        "customer_request",
    )


def test_first_message_prefers_a_specific_entry_over_a_loose_menu_alias(catalog: Catalog) -> None:
    # the menu alias 충전소 is in the message, but the entry 충전소+번호 fits it better
    specific = say(catalog, None, "충전소 번호 알려드릴게요")
    assert specific.session.node == "demo.station"
    exact = say(catalog, None, "충전소")  # the whole message is a menu alias: the menu item
    assert exact.session.node == "demo.carrier"
    at_menu = say(catalog, say(catalog, None, "안녕").session, "충전소 번호 알려드릴게요")
    assert at_menu.session.node == "demo.station"
    loose = say(catalog, None, "인증이 이상해요")  # no entry fits: the loose menu alias still helps
    assert loose.session.node == "demo.carrier"


def test_handoff_card_has_operator_button_and_agent_notes_stay_internal(catalog: Catalog) -> None:
    outcome = walk(catalog, "기기인증", "SKT", "갤럭시", "아니요")
    assert outcome.handoff is not None
    assert outcome.handoff.agent_notes == ("AGENT-ONLY 어드민에서 skt 확인",)
    assert "AGENT-ONLY" not in text(outcome)
    cards = [m for m in outcome.reply.messages if isinstance(m, Card)]
    assert cards[-1].title == "HANDOFF-TITLE"
    assert "통신사=skt" in (cards[-1].text or "")
    assert [b.operator for b in cards[-1].buttons] == [True]
    assert labels(outcome) == ["처음으로"]


def test_agent_from_main_menu_uses_default_category(catalog: Catalog) -> None:
    outcome = walk(catalog, "안녕", "상담직원 연결")
    assert outcome.handoff is not None and outcome.handoff.category == "일반 문의"
    assert outcome.handoff.node == "main.agent" and outcome.handoff.flow is None


def test_back_after_a_handoff_returns_to_the_last_question(catalog: Catalog) -> None:
    handed = walk(catalog, "기기인증", "SKT", "갤럭시", "아니요")
    outcome = say(catalog, handed.session, "이전")
    assert outcome.session.node == "demo.case2"
    assert outcome.session.values == {"carrier": "skt", "device": "android"}


def test_new_topic_after_a_closed_conversation_starts_clean(catalog: Catalog) -> None:
    closed = walk(catalog, "기기인증", "SKT", "갤럭시", "네")
    outcome = say(catalog, closed.session, "기기 인증 문의요")
    assert outcome.session.node == "demo.carrier"
    assert outcome.session.values == {}


def test_saved_node_that_no_longer_exists_restarts_with_notice(catalog: Catalog) -> None:
    stale = Session(node="demo.renamed_node", values={"carrier": "skt"}, history=(Step(node="main.menu"),))
    outcome = say(catalog, stale, "SKT")
    assert outcome.restarted
    assert text(outcome).startswith("NOTICE-RESTART")
    assert outcome.session.node == "main.menu"
    assert outcome.session.values == {}


def test_saved_flow_that_no_longer_exists_restarts_with_notice(catalog: Catalog) -> None:
    outcome = say(catalog, Session(node="gone_flow.start"), "안녕")
    assert outcome.restarted and outcome.session.node == "main.menu"


def test_tap_on_a_bubble_after_the_session_expired_says_so(catalog: Catalog) -> None:
    outcome = say(catalog, None, "SKT", node="demo.carrier", choice="SKT")
    assert outcome.restarted
    assert text(outcome).startswith("NOTICE-EXPIRED")
    assert outcome.session.node == "main.menu"


def test_advance_is_pure(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "SKT").session
    before = session.model_dump()
    first = say(catalog, session, "아이폰")
    second = say(catalog, session, "아이폰")
    assert session.model_dump() == before
    assert first == second


def test_turns_are_counted(catalog: Catalog) -> None:
    assert walk(catalog, "안녕", "기기 인증", "SKT").session.turns == 3


def test_enter_previews_a_node_with_given_values(catalog: Catalog) -> None:
    outcome = enter(catalog, "demo.case1", {"carrier": "mvno"})
    assert "CASE1 통신사=mvno" in text(outcome)
    assert outcome.session.node == "demo.case1"


def test_session_state_round_trips_and_rejects_unknown_schema() -> None:
    session = Session(
        node="demo.carrier", history=(Step(node="main.menu"),), values={"carrier": "skt"}, turns=4
    )
    assert Session.from_state(session.to_state()) == session
    assert Session.from_state(None) is None
    assert Session.from_state({}) is None


@pytest.mark.parametrize(
    "state", [{"v": 999, "node": "x.y"}, {"v": 1, "retries": "many"}, {"node": "main.menu"}]
)
def test_unreadable_state_restarts_with_notice(catalog: Catalog, state: dict[str, object]) -> None:
    outcome = say(catalog, Session.from_state(state), "SKT")
    assert outcome.restarted
    assert text(outcome).startswith("NOTICE-RESTART")
    assert outcome.session.node == "main.menu"


def test_hidden_facts_reach_the_agent_but_are_not_repeated_to_the_customer(catalog: Catalog) -> None:
    outcome = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "비밀 주차장", "12가3456", "아니요")
    assert outcome.handoff is not None
    facts = {f.key: f for f in outcome.handoff.facts}
    assert facts["station"].value == "비밀 주차장" and not facts["station"].customer_visible
    assert "비밀 주차장" not in text(outcome)
    assert "차량번호=12가3456" in text(outcome)


def test_outside_business_hours_the_handoff_says_when_agents_answer(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "SKT").session
    closed = {"agents": {"available": False, "back": "내일(목) 오전 9시", "hours": "평일 09:00~18:00"}}
    outcome = advance(catalog, session, Event("상담직원 연결", {}, closed))
    assert "CLOSED-UNTIL 내일(목) 오전 9시" in text(outcome)
    open_now = {"agents": {"available": True, "back": "", "hours": "평일 09:00~18:00"}}
    assert "CLOSED-UNTIL" not in text(advance(catalog, session, Event("상담직원 연결", {}, open_now)))
    assert "CLOSED-UNTIL" not in text(say(catalog, session, "상담직원 연결"))  # no context: nothing said


def test_back_then_another_answer_leaves_no_stale_value_in_the_handoff(catalog: Catalog) -> None:
    session = walk(catalog, "기기인증", "알뜰폰", "갤럭시", "강남역").session  # at plate, station known
    session = say(catalog, session, "이전").session  # station asked again
    session = say(catalog, session, "이전").session  # back at the device question (arrived via branch)
    assert session.node == "demo.device" and "station" not in session.values
    handed = say(catalog, say(catalog, session, "아이폰").session, "아니요")
    assert handed.handoff is not None
    assert {f.key for f in handed.handoff.facts} == {"carrier", "device"}
