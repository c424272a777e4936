"""Every code an agent reads has a Korean label kept with the content (skills/_labels.yaml), and the
labels reach the inbox, the webhook's `reason_label` and the Slack text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.config import PROJECT_ROOT, load_settings
from app.engine.loader import load_catalog
from app.engine.model import HandoffNode
from app.handoff.desks import payload, slack_text
from app.handoff.labels import check_labels, load_labels
from app.handoff.record import HandoffView, seoul_now
from app.handoff.setup import build_handoff_service
from app.kakao.request import parse_skill_request
from tests.chat import kakao_payload

SKILLS = PROJECT_ROOT / "skills"


def test_every_reason_in_the_flows_has_a_korean_label() -> None:
    catalog = load_catalog(SKILLS, PROJECT_ROOT / "templates", {})
    labels, problems = load_labels(SKILLS)
    assert problems == [] and check_labels(catalog, labels) == []
    used = {node.reason for _, node in catalog.nodes() if isinstance(node, HandoffNode)}
    assert len(used) >= 10
    for reason in used:
        assert labels.reason(reason) != reason
        assert any("가" <= ch <= "힣" for ch in labels.reason(reason)), reason


def test_check_fails_on_a_reason_without_a_label(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SKILLS, tmp_path / "skills")
    labels = tmp_path / "skills" / "_labels.yaml"
    labels.write_text(
        "\n".join(
            line
            for line in labels.read_text(encoding="utf-8").splitlines()
            if "charger_inspection" not in line
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SKILLS_DIR", str(tmp_path / "skills"))
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "ev_charging.yaml: handoff_q1: reason 'charger_inspection' has no Korean label" in err


def test_labels_reach_the_webhook_the_slack_text_and_the_inbox(tmp_path: Path) -> None:
    service = build_handoff_service(load_settings({"handoff_spool_dir": tmp_path}))
    request = parse_skill_request(kakao_payload("충전이 안 돼요", "e" * 66))
    record = service._record(
        request, seoul_now(), node="ev.handoff_q1", category="전기차충전", reason="charger_inspection"
    )
    view = HandoffView(record=record)
    assert record.reason_label == "충전기 점검 필요"
    assert payload(view)["reason_label"] == "충전기 점검 필요"
    assert "충전기 점검 필요" in slack_text(view)
    assert service.labels.desk("slack") == "슬랙"
    service.dispatcher.close()
