"""The engine's two additions for the CS team's events: `Outcome.path` (every node a turn entered) and
the optional satisfaction question after 해결됐어요 (`csat: true` close nodes, `Outcome.csat`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import load_settings
from app.engine.advance import advance
from app.engine.catalog import Catalog
from app.engine.errors import ContentError
from app.engine.loader import load_catalog
from app.engine.reply import CsatAnswer, Event
from app.engine.session import Session, Step
from tests.engine.content import BOT, COMMON, DEMO, demo_catalog


@pytest.fixture(scope="module")
def real() -> Catalog:
    settings = load_settings()
    return load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)


def at(ref: str, **values: str) -> Session:
    return Session(node=ref, history=(Step(node="main.menu"),), values=values, origin=ref.split(".")[0])


def test_path_has_every_node_entered_automatic_steps_included(real: Catalog) -> None:
    tap = Event("결제 완료", {"node": "parking_lpr.status", "choice": "결제 완료"})
    outcome = advance(real, at("parking_lpr.status", parking_ownership="완료"), tap)
    assert outcome.path == (
        "parking_lpr.paid",
        "parking_lpr.improve",
        "parking_lpr.next_step",
        "parking_lpr.cancel_menu",
    )
    retry = advance(real, at("parking_lpr.status"), Event("음"))
    assert retry.path == ()


def resolved(real: Catalog) -> Session:
    yes = Event("네, 해결됐어요", {"node": "carsharing_auth.case2_iphone", "choice": "yes"})
    outcome = advance(real, at("carsharing_auth.case2_iphone"), yes)
    assert [q.label for q in outcome.reply.quick_replies] == [
        "😀 만족해요",
        "🙂 보통이에요",
        "😞 아쉬워요",
        "처음으로",
    ]
    assert outcome.reply.quick_replies[0].extra == {"csat": 3, "flow": "carsharing_auth"}
    assert outcome.reply.as_text().endswith("안내가 도움이 되었나요?")
    assert outcome.session.csat == "carsharing_auth" and outcome.session.node is None
    return outcome.session


def test_a_tapped_or_typed_score_is_thanked_and_reported(real: Catalog) -> None:
    after = resolved(real)
    tapped = advance(real, after, Event("😞 아쉬워요", {"csat": 1, "flow": "carsharing_auth"}))
    assert tapped.csat == CsatAnswer("carsharing_auth", 1)
    assert "의견 감사합니다" in tapped.reply.as_text() and tapped.session.csat is None
    typed = advance(real, after, Event("보통이에요"))
    assert typed.csat == CsatAnswer("carsharing_auth", 2)


def test_anything_else_is_understood_as_usual(real: Catalog) -> None:
    after = resolved(real)
    menu = advance(real, after, Event("처음으로", {"cmd": "home"}))
    assert menu.csat is None and menu.session.node == "main.menu"
    other = advance(real, after, Event("주차 요금이 잘못 나갔어요"))
    assert other.csat is None and other.session.node == "parking_lpr.start"
    later = advance(real, other.session, Event("만족해요"))  # the question is no longer open
    assert later.csat is None


def test_the_bots_resolved_node_asks_about_the_guide_the_customer_was_in(real: Catalog) -> None:
    tap = Event("확인했어요", {"node": "parking_lpr.self_menu", "choice": "확인했어요"})
    outcome = advance(real, at("parking_lpr.self_menu"), tap)
    assert outcome.path == ("main.resolved",) and outcome.session.csat == "parking_lpr"


def test_no_question_without_csat_content(tmp_path: Path) -> None:
    catalog = demo_catalog(tmp_path)
    assert catalog.bot.csat is None
    with pytest.raises(ContentError) as caught:
        demo_catalog(tmp_path, demo=DEMO.replace("bye: {kind: close,", "bye: {kind: close, csat: true,"))
    assert any("csat: true" in str(p) for p in caught.value.problems)


def test_csat_content_is_checked(tmp_path: Path) -> None:
    bot = BOT + "csat: {question: common.nope, thanks: common.nope, choices: [{label: 좋아요, score: 3},"
    bot += " {label: 보통, score: 2}, {label: 별로, score: 1}]}\n"
    with pytest.raises(ContentError) as caught:
        demo_catalog(tmp_path, bot=bot, common=COMMON)
    assert any("template 'common.nope' does not exist" in str(p) for p in caught.value.problems)
