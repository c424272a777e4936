"""How the engine acts on what the understanding layer decides: clarifying questions, honest
out-of-scope answers, topic switches mid-flow, and questions about a handoff already made."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from app.engine.advance import advance
from app.engine.catalog import Catalog
from app.engine.reply import Event, Outcome
from app.engine.session import Session
from app.understanding.router import Clarify, Decision, HandoffStatus, OutOfScope, Route

NOW = {"now_label": "12월 2일(수) 오후 3시 5분", "today": "2026-12-02"}


@dataclass
class FixedRouter:
    """Decides what the test says, so the engine's handling is tested apart from the classifier."""

    decision: Decision
    switch_to: str | None = None
    menu: str = "main.menu"
    greetings: tuple[str, ...] = ()

    def decide(self, text: str, after_handoff: bool = False) -> Decision:
        return self.decision

    def switch(self, text: str, expecting_value: bool) -> Route | None:
        return Route(self.switch_to, 0.99) if self.switch_to else None


def with_router(catalog: Catalog, decision: Decision, switch_to: str | None = None) -> Catalog:
    return replace(catalog, router=FixedRouter(decision, switch_to))  # type: ignore[arg-type]


def say(catalog: Catalog, session: Session | None, utterance: str, **extra: object) -> Outcome:
    return advance(catalog, session, Event(utterance, dict(extra), dict(NOW)))


def labels(outcome: Outcome) -> list[str]:
    return [q.label for q in outcome.reply.quick_replies]


def test_two_close_problems_get_one_question_offering_both(catalog: Catalog) -> None:
    asking = with_router(catalog, Clarify("demo.carrier", "demo.station"))
    outcome = say(asking, None, "인증이랑 충전소가 좀")
    assert outcome.reply.as_text() == "CLARIFY"
    assert labels(outcome) == ["기기 인증", "충전소 알려주기", "처음으로", "상담직원 연결"]
    assert outcome.session.offered == ("demo.carrier", "demo.station")
    assert outcome.understood == ("clarify",)
    assert outcome.session.node is None  # nothing started yet

    tapped = say(asking, outcome.session, "충전소 알려주기", clarify="demo.station")
    assert tapped.session.node == "demo.station" and "Q-STATION" in tapped.reply.as_text()
    typed = say(asking, outcome.session, "기기 인증이요")
    assert typed.session.node == "demo.carrier"
    assert typed.session.offered == ()


def test_a_forged_or_stale_clarify_tap_is_understood_afresh(catalog: Catalog) -> None:
    asking = with_router(catalog, Clarify("demo.carrier", "demo.station"))
    offered = say(asking, None, "둘 중 하나").session
    honest = with_router(catalog, OutOfScope(0.9))
    outcome = say(honest, offered, "엉뚱한 답", clarify="main.agent")
    assert outcome.session.node == "main.out_of_scope"
    assert outcome.handoff is None


def test_out_of_scope_is_answered_honestly_with_the_menus_choices(catalog: Catalog) -> None:
    outcome = say(with_router(catalog, OutOfScope(0.9)), None, "택시 기사님이 불친절했어요")
    assert outcome.reply.as_text() == "OUT-OF-SCOPE"
    assert "Q-CARRIER" not in outcome.reply.as_text()
    assert outcome.understood == ("out_of_scope",)
    then = say(catalog, outcome.session, "기기 인증")  # a menu label typed there opens it
    assert then.session.node == "demo.carrier"


def test_a_new_problem_typed_at_a_free_text_question_switches_instead_of_being_saved(
    catalog: Catalog,
) -> None:
    at_station = say(catalog, None, "충전소 번호 알려드릴게요").session
    assert at_station.node == "demo.station"
    other_guide = with_router(catalog, OutOfScope(0.9), switch_to="main.out_of_scope")  # another flow
    outcome = say(other_guide, at_station, "아 그리고 택시 결제도 이상해요")
    assert outcome.session.node == "main.out_of_scope"
    assert "station" not in outcome.session.values
    assert "topic_switch" in outcome.understood
    # another problem of the same guide too (a name was asked for; the EV guide's description
    # questions, whose answers read like its entries, are covered in tests/flows)
    same_guide = with_router(catalog, OutOfScope(0.9), switch_to="demo.carrier")
    switched = say(same_guide, at_station, "아 근데 기기 인증이 안 돼요")
    assert switched.session.node == "demo.carrier" and "station" not in switched.session.values


def test_a_value_found_in_the_sentence_wins_over_a_switch(catalog: Catalog) -> None:
    at_plate = say(catalog, None, "충전소 번호 알려드릴게요").session
    at_plate = say(catalog, at_plate, "강남역").session
    assert at_plate.node == "demo.plate"
    switching = with_router(catalog, OutOfScope(0.9), switch_to="demo.carrier")
    outcome = say(switching, at_plate, "제 차 번호는 123 가 4567 입니다 인증도 안 되고요")
    assert outcome.session.values["plate"] == "123가4567"
    assert outcome.session.node is None or outcome.session.node == "demo.done"


def test_no_switch_back_to_a_question_already_answered(catalog: Catalog) -> None:
    at_station = say(catalog, None, "충전소 번호 알려드릴게요").session
    same = with_router(catalog, OutOfScope(0.9), switch_to="demo.station")
    outcome = say(same, at_station, "충전소 번호 말씀드린다니까요")
    assert outcome.session.values["station"] == "충전소 번호 말씀드린다니까요"


def handed_off(catalog: Catalog) -> Session:
    outcome = say(catalog, say(catalog, None, "기기인증").session, "상담직원 연결")
    assert outcome.handoff is not None
    assert outcome.session.handoff_at == NOW["now_label"]
    return outcome.session


@pytest.mark.parametrize(
    "question", ["언제 연결돼요?", "접수됐나요", "답변이 없어요", "상담원 언제 연결돼요?"]
)
def test_after_a_handoff_a_question_about_it_gets_its_time_not_the_greeting(
    catalog: Catalog, question: str
) -> None:
    outcome = say(catalog, handed_off(catalog), question)
    assert outcome.reply.as_text() == f"HANDOFF-STATUS {NOW['now_label']}"
    assert "WELCOME" not in outcome.reply.as_text()
    assert outcome.handoff is None
    assert outcome.understood == ("handoff_status",)


def test_after_a_handoff_the_command_itself_still_asks_for_an_agent(catalog: Catalog) -> None:
    outcome = say(catalog, handed_off(catalog), "상담직원 연결")
    assert outcome.handoff is not None


def test_after_a_handoff_a_tapped_button_is_taken_as_tapped_not_as_a_question_about_the_wait(
    catalog: Catalog,
) -> None:
    """Even where the classifier would read the label as a question about the wait, a tap (its extra
    names the question it belongs to) answers that question."""
    session = say(catalog, handed_off(catalog), "처음으로").session
    assert session.node == "main.menu" and session.handoff_at
    waiting = with_router(catalog, HandoffStatus(0.99))
    typed = say(waiting, session, "기기 인증")
    assert typed.understood == ("handoff_status",)  # typed: the classifier's reading counts
    tapped = say(waiting, session, "기기 인증", node="main.menu", choice="기기 인증")
    assert "handoff_status" not in tapped.understood
    assert tapped.session.node == "demo.carrier"
    assert "HANDOFF-STATUS" not in tapped.reply.as_text()


def test_without_a_handoff_the_same_question_is_not_answered_with_a_time(catalog: Catalog) -> None:
    outcome = say(catalog, None, "언제 연결돼요?")
    assert NOW["now_label"] not in outcome.reply.as_text()
