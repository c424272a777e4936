"""Which questions can hand off with one answer (`Catalog.near_handoff`) and which messages ask for an
agent (`may_hand_off`): on those turns the session store reads what a handoff needs with the lock."""

from __future__ import annotations

from app.engine.advance import advance, may_hand_off
from app.engine.catalog import Catalog
from app.engine.model import AskNode, ChoiceNode, EndNode
from app.engine.reply import Event
from app.engine.session import Session
from app.engine.validators import VALIDATORS

NOW = {"now_label": "12월 2일(수) 오후 3시 5분", "today": "2026-12-02"}


def answers(node: ChoiceNode | AskNode | EndNode) -> list[str]:
    """What a customer can answer there: every choice's label, a valid value, 네 and 아니요."""
    said = [choice.label for choice in getattr(node, "choices", ())]
    if isinstance(node, AskNode):
        said.append(VALIDATORS[node.validator].example)
    if isinstance(node, EndNode):
        said += ["네", "아니요"]
    return said


def test_every_question_an_answer_hands_off_from_is_foreseen(shipped: Catalog) -> None:

    handing_off: set[str] = set()
    for ref, node in shipped.nodes():
        if not isinstance(node, ChoiceNode | AskNode | EndNode):
            continue
        for said in answers(node):
            outcome = advance(shipped, Session(node=ref), Event(said, {}, dict(NOW)))
            if outcome.handoff is not None:
                handing_off.add(ref)
    assert handing_off, "the shipped guides hand off from some questions"
    assert handing_off <= shipped.near_handoff  # every one of them is foreseen
    assert "main.menu" not in shipped.near_handoff  # the menu's choices start guides


def test_asking_for_an_agent_is_foreseen_tapped_or_said(shipped: Catalog) -> None:
    assert may_hand_off(shipped, Event("상담직원 연결", {"cmd": "agent"}, {}))
    assert may_hand_off(shipped, Event("상담직원 연결", {}, {}))
    assert may_hand_off(shipped, Event("상담원 연결해 주세요", {}, {}))
    assert not may_hand_off(shipped, Event("충전이 안 돼요", {}, {}))
    assert not may_hand_off(shipped, Event("처음으로", {"cmd": "home"}, {}))
    assert not may_hand_off(shipped, Event("", {}, {}))
