"""Start-up validation: broken content is refused with the file and node named."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.errors import ContentError
from app.engine.loader import load_catalog
from tests.engine.content import BOT, DEMO, DEMO_TEXTS, MAIN, demo_catalog, write_content


def problems_of(tmp_path: Path, **overrides: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        demo_catalog(tmp_path, **overrides)
    return [str(p) for p in caught.value.problems]


def test_demo_content_loads(tmp_path: Path) -> None:
    catalog = demo_catalog(tmp_path)
    assert set(catalog.flows) == {"main", "demo"}
    assert "demo.carrier" in catalog and "demo.nope" not in catalog


def test_unknown_next_names_file_and_node(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("next: done", "next: dnoe"))
    assert any("demo.yaml: plate: next 'demo.dnoe' does not exist" in p for p in found), found


def test_unknown_next_into_another_flow(tmp_path: Path) -> None:
    found = problems_of(tmp_path, main=MAIN.replace("next: demo.carrier", "next: demo.carier"))
    assert any("main.yaml: menu: next 'demo.carier' does not exist" in p for p in found), found


def test_missing_template_names_file_and_node(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo_texts=DEMO_TEXTS.replace("device_q: Q-DEVICE\n", ""))
    assert any("demo.yaml: device: template 'demo.device_q' does not exist" in p for p in found), found


def test_missing_system_template(tmp_path: Path) -> None:
    found = problems_of(tmp_path, common="choice_retry: X\n")
    assert any("common.retry_limit" in p and "missing" in p for p in found), found


def test_template_syntax_error_names_file_and_key(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo_texts=DEMO_TEXTS.replace("case2: CASE2", "case2: 'CASE2 {{ carrier '"))
    assert any("demo.yaml: demo.case2: template syntax error" in p for p in found), found


def test_template_using_an_unknown_value_is_refused(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo_texts=DEMO_TEXTS.replace("CASE2", "CASE2 {{ carier }}"))
    assert any("demo.case2: uses unknown names ['carier']" in p for p in found), found


def test_unreachable_node(tmp_path: Path) -> None:
    demo = DEMO + "  orphan: {kind: close, say: [demo.bye]}\n"
    found = problems_of(tmp_path, demo=demo)
    assert any("demo.yaml: orphan: unreachable" in p for p in found), found


def test_dead_end_loop_without_exit(tmp_path: Path) -> None:
    demo = DEMO.replace(
        "    otherwise: other\n",
        "    otherwise: loop_a\n"
        "  loop_a: {kind: choice, say: [demo.other], choices: [{label: 다음, next: loop_b}]}\n"
        "  loop_b: {kind: choice, say: [demo.other], choices: [{label: 다음, next: loop_a}]}\n",
    )
    found = problems_of(tmp_path, demo=demo)
    assert any("demo.yaml: loop_a: dead end" in p for p in found), found
    assert any("demo.yaml: loop_b: dead end" in p for p in found), found


def test_automatic_loop_is_refused(tmp_path: Path) -> None:
    demo = DEMO.replace(
        "  other: {kind: message, say: [demo.other], next: station}",
        "  other: {kind: message, say: [demo.other], next: other2}\n"
        "  other2: {kind: branch, cases: [{when: {carrier: x}, next: station}], otherwise: other}",
    )
    found = problems_of(tmp_path, demo=demo)
    assert any("demo.yaml: other: automatic steps loop" in p for p in found), found


def test_schema_errors_name_the_node(tmp_path: Path) -> None:
    found = problems_of(
        tmp_path, demo=DEMO.replace("kind: end, say: [demo.case1], on_no: handoff", "kind: end")
    )
    assert any("demo.yaml: case1:" in p and "on_no" in p for p in found), found


def test_unknown_node_kind(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("kind: close", "kind: finish"))
    assert any("demo.yaml: bye:" in p for p in found), found


def test_unknown_validator_and_undeclared_value(tmp_path: Path) -> None:
    demo = DEMO.replace("validator: short_text", "validator: zipcode").replace(
        "save: plate", "save: plate_no"
    )
    found = problems_of(tmp_path, demo=demo)
    assert any("station: unknown validator 'zipcode'" in p for p in found), found
    assert any("plate: value 'plate_no' is not declared" in p for p in found), found


def test_choice_label_too_long_for_kakao(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("label: 알뜰폰", "label: 알뜰폰(MVNO) 이용 고객님"))
    assert any("demo.yaml: carrier:" in p and "14" in p for p in found), found


def test_too_many_choices(tmp_path: Path) -> None:
    extra = "".join(f"      - {{label: 선택{i}, next: device}}\n" for i in range(4))
    demo = DEMO.replace(
        "      - {label: 알뜰폰, next: device, set: {carrier: mvno}}\n",
        "      - {label: 알뜰폰, next: device, set: {carrier: mvno}}\n" + extra,
    )
    found = problems_of(tmp_path, demo=demo)
    assert any("demo.yaml: carrier:" in p and "7" in p for p in found), found


def test_choice_label_that_is_a_global_command(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("label: 알뜰폰", "label: 처음으로"))
    assert any("carrier: choice label '처음으로' is a global command" in p for p in found), found


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo="flow: demo\nnodes: [unclosed\n")
    assert any("demo.yaml" in p and "not valid YAML" in p for p in found), found


def test_flow_name_must_match_file(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("flow: demo", "flow: demo2"))
    assert any("demo.yaml" in p and "must match the file name" in p for p in found), found


def test_bot_settings_must_point_at_real_nodes(tmp_path: Path) -> None:
    from tests.engine.content import BOT

    found = problems_of(tmp_path, bot=BOT.replace("agent: main.agent", "agent: main.menu"))
    assert any("_bot.yaml: agent: must point at a handoff node" in p for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    demo = DEMO.replace("next: done", "next: dnoe").replace("validator: short_text", "validator: zip")
    assert len(problems_of(tmp_path, demo=demo)) >= 2


def test_content_variables_can_be_overridden(tmp_path: Path) -> None:
    skills, templates = write_content(tmp_path)
    catalog = load_catalog(skills, templates, {"brand": "우리 모빌리티", "unknown_var": "x"})
    assert catalog.texts.render("main.welcome", {}) == "WELCOME 우리 모빌리티"


def test_agent_must_be_a_handoff_node(tmp_path: Path) -> None:
    found = problems_of(tmp_path, demo=DEMO.replace("agent: plate_handoff", "agent: done"))
    assert any("demo.yaml: plate: agent 'demo.done' is not a handoff node" in p for p in found), found
    found = problems_of(tmp_path / "x", demo=DEMO.replace("agent: handoff\n", "agent: nowhere\n"))
    assert any("demo.yaml: agent 'demo.nowhere' does not exist" in p for p in found), found


def test_a_variant_standing_for_two_words_is_refused(tmp_path: Path) -> None:
    bot = BOT + "same_as: {네: [넹, 응], 아니요: [ㄴㄴ, 응]}\n"
    found = problems_of(tmp_path, bot=bot)
    assert any("_bot.yaml" in p and "'응' stands for both '네' and '아니요'" in p for p in found), found
