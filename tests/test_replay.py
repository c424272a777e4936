"""`cs-bot replay` against a live server: golden answers, readable diffs, `--update`, one customer per
fixture, no real handoffs, a one-line error when the server is down; `cs-bot chat` records fixtures."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.cli import main
from app.cli_chat import run_chat
from app.config import load_settings
from app.replay import as_customer
from tests.chat import FIXTURES
from tests.ports import free_port_in_range

SHARED_USER = "d7" * 33  # the same customer in every fixture below, as fixtures used to be


def turn(utterance: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "userRequest": {
            "utterance": utterance,
            "user": {
                "id": SHARED_USER,
                "properties": {"botUserKey": SHARED_USER, "plusfriendUserKey": "pf1"},
            },
        },
        "action": {"clientExtra": extra},
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    """The app on a real HTTP port, hours fixed so no answer depends on the clock."""
    app = create_app(
        {
            "business_hours": "mon-sun 00:00-24:00",
            "public_holidays": False,
            "handoff_spool_dir": tmp_path_factory.mktemp("spool"),
        }
    )
    server = make_server("127.0.0.1", free_port_in_range(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/skill", app
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["cs_bot"].close()


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    directory = tmp_path / "fixtures"
    directory.mkdir()
    shutil.copy(FIXTURES / "minimal.json", directory / "minimal.json")
    (directory / "other.json").write_text(json.dumps([turn("그 밖의 문의")], ensure_ascii=False))
    (directory / "receipt.json").write_text(
        json.dumps({"turns": [turn("영수증을 다시 받고 싶어요")]}, ensure_ascii=False)
    )
    return directory


def replay(url: str, *args: str | Path) -> int:
    return main(["replay", *map(str, args), "--url", url])


def test_a_changed_answer_is_shown_as_a_diff_and_update_fixes_it(
    live: tuple[str, Flask], fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = live
    minimal = fixtures / "minimal.json"
    assert replay(url, minimal) == 0
    assert "NEW" in capsys.readouterr().out  # no golden yet: answers shown, nothing written
    assert not (fixtures / "golden").exists()

    assert replay(url, minimal, "--update") == 0
    golden = fixtures / "golden" / "minimal.json"
    kept = json.loads(golden.read_text(encoding="utf-8"))
    assert kept[0]["said"] == "주차 안 했는데 결제됐어요" and kept[0]["status"] == 200
    capsys.readouterr()
    assert replay(url, minimal) == 0
    assert capsys.readouterr().out.startswith("OK       ")

    text = kept[0]["answer"]["template"]["outputs"][0]["simpleText"]["text"]
    edited = golden.read_text(encoding="utf-8").replace("많이 놀라셨겠어요", "놀라셨죠")
    golden.write_text(edited, encoding="utf-8")
    assert replay(url, minimal) == 1
    out = capsys.readouterr().out
    assert out.startswith("CHANGED  ")
    assert f"--- {golden} (expected)" in out and f"+++ {url} (answered now)" in out
    assert any(line.startswith("-") and "놀라셨죠" in line for line in out.splitlines())
    assert any(line.startswith("+") and "많이 놀라셨겠어요" in line for line in out.splitlines())
    assert "1 changed" in out

    assert replay(url, minimal, "--update") == 0
    assert "UPDATED" in capsys.readouterr().out
    fixed = json.loads(golden.read_text(encoding="utf-8"))
    assert fixed[0]["answer"]["template"]["outputs"][0]["simpleText"]["text"] == text
    assert replay(url, minimal) == 0


def test_each_fixture_is_its_own_customer_whatever_the_order(
    live: tuple[str, Flask], fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = live
    other, receipt = fixtures / "other.json", fixtures / "receipt.json"
    assert replay(url, other, receipt, "--update") == 0
    # as one customer, "영수증…" after "그 밖의 문의" would be the answer to its question (a handoff);
    # as its own customer it is a first message, whatever came before
    assert replay(url, receipt, other) == 0
    assert replay(url, receipt) == 0
    assert capsys.readouterr().out.count("OK ") == 3


def test_user_keys_are_replaced_consistently() -> None:
    turns = as_customer([turn("안녕"), turn("처음으로")], "replay-run-001")
    for rewritten in turns:
        user = rewritten["userRequest"]["user"]
        assert user["id"] == user["properties"]["botUserKey"] == "replay-run-001"
        assert user["properties"]["plusfriendUserKey"] == "replay-run-001-2"
    no_user = as_customer([{"userRequest": {"utterance": "안녕"}}], "replay-x")
    assert no_user == [{"userRequest": {"utterance": "안녕"}}]


def test_replays_file_no_handoffs(live: tuple[str, Flask], tmp_path: Path) -> None:
    url, app = live
    fixture = tmp_path / "agent.json"
    fixture.write_text(json.dumps([turn("안녕"), turn("상담직원 연결")], ensure_ascii=False))
    assert replay(url, fixture, "--update") == 0
    answers = json.loads((tmp_path / "golden" / "agent.json").read_text(encoding="utf-8"))
    buttons = answers[1]["answer"]["template"]["outputs"][0]["textCard"]["buttons"]
    assert [b["action"] for b in buttons] == ["operator"]  # the customer side is the real one
    assert app.extensions["cs_bot"].handoffs.repo.list() == []  # but no agent gets a test customer


def test_an_unreachable_server_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closed = free_port_in_range()  # free now: nothing listens there
    assert replay(f"http://127.0.0.1:{closed}/skill", FIXTURES / "minimal.json") == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(f"cs-bot replay: cannot reach http://127.0.0.1:{closed}/skill")
    assert replay("http://127.0.0.1:1/skill", tmp_path / "missing.json") == 2
    assert "no such file" in capsys.readouterr().err


def test_a_chat_is_saved_and_recorded_as_a_fixture_that_replays(
    live: tuple[str, Flask], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = live
    saved, recorded = tmp_path / "saved.json", tmp_path / "recorded.json"
    lines = iter(["안녕하세요", "4", f"/save {saved}", "영수증을 다시 받고 싶어요", "/quit"])
    shown: list[str] = []
    status = run_chat(
        load_settings(), "chat-rec", read=lambda _prompt: next(lines), write=shown.append, record=recorded
    )
    assert status == 0 and f"saved 2 turn(s) to {saved}" in shown
    saved_turns = json.loads(saved.read_text(encoding="utf-8"))["turns"]
    assert [t["userRequest"]["utterance"] for t in saved_turns] == ["안녕하세요", "그 밖의 문의"]
    assert saved_turns[1]["action"]["clientExtra"]  # the tap is kept with its clientExtra
    recorded_turns = json.loads(recorded.read_text(encoding="utf-8"))["turns"]
    assert len(recorded_turns) == 3

    assert replay(url, recorded, "--update") == 0
    answers = json.loads((tmp_path / "golden" / "recorded.json").read_text(encoding="utf-8"))
    assert [a["said"] for a in answers] == ["안녕하세요", "그 밖의 문의", "영수증을 다시 받고 싶어요"]
    assert "영수증을 다시 받고 싶어요" in json.dumps(answers[2], ensure_ascii=False)  # handed over
