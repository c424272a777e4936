"""The `cs-bot` commands a CS editor or operator runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.cli_chat import run_chat
from app.config import PROJECT_ROOT, load_settings


def test_check_passes_on_the_real_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 4 flows")


def test_check_names_file_and_node_of_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PROJECT_ROOT / "skills", tmp_path / "skills")
    main_flow = tmp_path / "skills" / "main.yaml"
    main_flow.write_text(main_flow.read_text(encoding="utf-8").replace("next: other_handoff", "next: gone"))
    monkeypatch.setenv("SKILLS_DIR", str(tmp_path / "skills"))
    assert main(["check"]) == 1
    assert "main.yaml: other: next 'main.gone' does not exist" in capsys.readouterr().err


def test_check_names_an_entry_that_leads_nowhere_instead_of_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PROJECT_ROOT / "skills", tmp_path / "skills")
    flow = tmp_path / "skills" / "parking_lpr.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace("  - next: masked\n", "  - next: maskd\n"))
    monkeypatch.setenv("SKILLS_DIR", str(tmp_path / "skills"))
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "parking_lpr.yaml: entry '주차장명이 안 보여요': next 'parking_lpr.maskd' does not exist" in err
    assert "Traceback" not in err


def test_eval_prints_accuracy_confusion_and_misses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        "messages:\n"
        "  - {text: 충전 다 끝났는데 앱에 아직 이용중으로 떠요, expect: ev_charging.q3}\n"
        "  - {text: 택시 기사님이 길을 돌아갔어요, expect: out_of_scope}\n"
        "  - {text: 택시 기사님이 길을 돌아갔어요 ㅠ, expect: parking_lpr.start}\n",
        encoding="utf-8",
    )
    assert main(["eval", "--set", str(labelled)]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line.split() for line in out.splitlines()}
    assert lines["in scope (right guide and entry)"][-3:] == ["1/2", "50.0", "%"]
    assert lines["out of scope (answered honestly)"][-3:] == ["1/1", "100.0", "%"]
    assert "ev_charging.q3=1" in out
    assert "expected parking_lpr.start, got out_of_scope" in out  # the miss, to teach from
    assert main(["eval", "--set", str(tmp_path / "missing.yaml")]) == 2


def test_chat_runs_the_whole_pipeline_and_taps_by_number() -> None:
    lines = iter(["안녕하세요", "4", "영수증을 다시 받고 싶어요", "/quit"])
    shown: list[str] = []
    status = run_chat(load_settings(), "terminal-test", read=lambda _prompt: next(lines), write=shown.append)
    assert status == 0
    transcript = "\n".join(shown)
    assert "1. 카셰어링 기기 인증" in transcript  # quick replies are numbered
    assert "어떤 내용이 궁금하신지" in transcript  # "4" tapped 그 밖의 문의
    assert "[상담 전달] 상담유형: 일반 문의" in transcript
    assert "(상담직원 연결 → operator)" in transcript


def test_worker_needs_redis(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["worker", "--burst"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err
