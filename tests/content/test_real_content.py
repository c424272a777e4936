"""The real skills/ and templates/: every node of every flow renders within Kakao's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import PROJECT_ROOT
from app.content_check import check_rendering, sample_values, situations
from app.engine.catalog import Catalog
from app.engine.loader import load_catalog
from app.kakao import check_response
from app.kakao.render import render_reply

AGENT_ONLY = (
    *("T 어드민", "어드민", "SMS 안내 템플릿", "CPO", "아지트"),
    *("상담유형", "필수탐색", "감성표현", "보전처리"),
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(PROJECT_ROOT / "skills", PROJECT_ROOT / "templates")


def test_real_content_has_no_problems(catalog: Catalog) -> None:
    assert check_rendering(catalog) == []


def test_every_node_is_rendered_in_every_situation(catalog: Catalog) -> None:
    values = sample_values(catalog, longest=True)
    seen = {ref for ref, _, _ in situations(catalog, values)}
    assert seen == {ref for ref, _ in catalog.nodes()}
    for ref, situation, outcome in situations(catalog, values):
        body = render_reply(outcome.reply)
        assert check_response(body) == [], (ref, situation)
        assert len(body["template"]["outputs"]) <= 3
        assert len(body["template"].get("quickReplies", [])) <= 10


def test_main_menu_offers_the_three_services(catalog: Catalog) -> None:
    from app.engine.model import ChoiceNode

    menu = catalog.node(catalog.bot.home)
    assert isinstance(menu, ChoiceNode)
    assert [c.label for c in menu.choices][:3] == ["카셰어링 기기 인증", "전기차 충전 오류", "주차 결제 취소"]


def test_no_agent_internal_wording_in_customer_texts(catalog: Catalog) -> None:
    agent_only = {t for _, node in catalog.nodes() for t in getattr(node, "agent_notes", ())}
    for template_id, source in catalog.texts.sources.items():
        if template_id in agent_only:
            continue
        for word in AGENT_ONLY:
            assert word not in source, f"{template_id} shows agent-internal wording {word!r} to customers"


def test_check_catches_a_text_that_breaks_kakao_limits(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(PROJECT_ROOT / "skills", tmp_path / "skills")
    shutil.copytree(PROJECT_ROOT / "templates", tmp_path / "templates")
    long_title = "가" * 60  # a card title may have 50 characters
    (tmp_path / "templates" / "common.yaml").write_text(
        (PROJECT_ROOT / "templates" / "common.yaml")
        .read_text(encoding="utf-8")
        .replace("handoff_title: 상담직원에게 전달해 드릴게요", f"handoff_title: {long_title}"),
        encoding="utf-8",
    )
    broken = load_catalog(tmp_path / "skills", tmp_path / "templates")
    problems = [str(p) for p in check_rendering(broken)]
    assert any("main.yaml: agent" in p and "textCard.title" in p for p in problems), problems
