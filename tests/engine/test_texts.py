"""Templates: what the customer reads, whether a template is rendered once at start-up or every turn."""

from __future__ import annotations

from pathlib import Path

from app.engine.texts import TemplateBook, load_templates

SOURCES = """\
plain: 안녕하세요.
brand_only: "{{ vars.brand }} 고객센터예요. {% if vars.phone %}전화 {{ vars.phone }}{% endif %}"
with_value: "차량번호 {{ plate }} 확인했어요."
value_and_brand: "{{ vars.brand }}: {{ plate | default('번호 없음') }}"
random_tip: "{{ ['가', '나', '다', '라', '마', '바', '사', '아'] | random }}"
"""


def book(tmp_path: Path) -> TemplateBook:
    (tmp_path / "common.yaml").write_text(SOURCES, encoding="utf-8")
    return load_templates(tmp_path, {"brand": "모빌", "phone": "1588-0000"})


def test_texts_that_read_only_content_variables_are_the_same_whatever_the_values(tmp_path: Path) -> None:
    texts = book(tmp_path)
    assert texts.render("common.plain", {}) == "안녕하세요."
    for values in ({}, {"plate": "12가3456"}, {"vars": {"brand": "가짜"}}):
        assert texts.render("common.brand_only", values) == "모빌 고객센터예요. 전화 1588-0000"


def test_texts_that_read_the_conversation_follow_its_values(tmp_path: Path) -> None:
    texts = book(tmp_path)
    assert texts.render("common.with_value", {"plate": "12가3456"}) == "차량번호 12가3456 확인했어요."
    assert texts.render("common.with_value", {"plate": "34나5678"}) == "차량번호 34나5678 확인했어요."
    assert texts.render("common.value_and_brand", {}) == "모빌: 번호 없음"
    assert texts.render("common.value_and_brand", {"plate": "1"}) == "모빌: 1"


def test_a_random_choice_is_drawn_again_on_every_rendering(tmp_path: Path) -> None:
    texts = book(tmp_path)
    assert len({texts.render("common.random_tip", {}) for _ in range(200)}) > 1
