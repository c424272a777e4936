"""`cs-bot chat`: the whole pipeline (payload → engine → Kakao JSON) in a terminal, for content editors.

Type a message, or the number of a quick reply to tap it (sent with its clientExtra, as Kakao does).
`/save FILE` saves the conversation so far as a replay fixture (`cs-bot replay FILE`); `--record FILE`
keeps saving it after every turn. `/quit` leaves.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from app.config import Settings
from app.content_check import check_rendering
from app.conversation import Conversations
from app.engine.errors import ContentError
from app.engine.loader import load_catalog
from app.handoff.delivery import ThreadDispatcher
from app.handoff.hours import BusinessHours
from app.handoff.repository import MemoryHandoffRepository
from app.handoff.service import HandoffService
from app.handoff.spool import Spool
from app.kakao.request import parse_skill_request
from app.session import MemoryStore


def run_chat(
    settings: Settings, user: str, read: Any = input, write: Any = print, record: Path | None = None
) -> int:
    logging.basicConfig(level=logging.ERROR)
    try:
        catalog = load_catalog(settings.skills_dir, settings.templates_dir, settings.bot_vars)
    except ContentError as exc:
        write(str(exc))
        return 1
    for problem in check_rendering(catalog):
        write(f"warning: {problem}")
    conversations = Conversations(catalog, MemoryStore(), local_handoffs(settings))
    conversations.on_handoff = lambda handoff, _request: write(_handoff_text(handoff))
    quick: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    write("대화를 시작하세요. 빠른 답장은 번호로 누를 수 있어요. (/save 파일 저장, /quit 종료)")
    while True:
        try:
            line = read("나> ").strip()
        except EOFError:
            return 0
        if line in ("/quit", "/exit"):
            return 0
        if line.startswith("/save"):
            target = line.removeprefix("/save").strip()
            if not target:
                write("저장할 파일 이름을 적어 주세요: /save tests/fixtures/conversations/예시.json")
            else:
                write(f"saved {len(turns)} turn(s) to {save_fixture(Path(target), turns)}")
            continue
        utterance, extra = line, {}
        if line.isdigit() and 1 <= int(line) <= len(quick):
            tapped = quick[int(line) - 1]
            utterance, extra = tapped.get("messageText", tapped["label"]), tapped.get("extra", {})
        payload = {
            "userRequest": {"utterance": utterance, "user": {"id": user}},
            "action": {"clientExtra": extra},
        }
        response = conversations.handle(parse_skill_request(payload))
        turns.append(payload)
        if record is not None:
            save_fixture(record, turns)
        quick = response["template"].get("quickReplies", [])
        write(render_for_terminal(response))


def save_fixture(path: Path, turns: list[dict[str, Any]]) -> Path:
    """The conversation as a replay fixture: `{"turns": [payload, …]}` (replay gives it its own user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"turns": turns}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def local_handoffs(settings: Settings) -> HandoffService:
    """Handoffs stay in this process: nothing is sent to the configured desks from a terminal chat."""
    repo = MemoryHandoffRepository()
    spool = Spool(Path(tempfile.mkdtemp(prefix="cs-bot-chat-")))
    hours = BusinessHours.parse(settings.business_hours, settings.holidays, settings.public_holidays)
    return HandoffService(repo, ThreadDispatcher(repo, []), spool, hours)


def render_for_terminal(response: dict[str, Any]) -> str:
    lines: list[str] = []
    for output in response["template"]["outputs"]:
        ((kind, body),) = output.items()
        if kind == "simpleText":
            lines.append(f"봇> {body['text']}")
        else:
            lines.append(f"봇> [{kind}] {body.get('title', '')}")
            if body.get("description"):
                lines.append(f"    {body['description']}")
            for button in body.get("buttons", []):
                target = button.get("webLinkUrl") or button.get("phoneNumber") or button["action"]
                lines.append(f"    ({button['label']} → {target})")
    for number, reply in enumerate(response["template"].get("quickReplies", []), start=1):
        lines.append(f"  {number}. {reply['label']}")
    return "\n".join(lines)


def _handoff_text(handoff: Any) -> str:
    facts = ", ".join(f"{f.label}={f.value}" for f in handoff.facts) or "-"
    return f"[상담 전달] 상담유형: {handoff.category} / 사유: {handoff.reason} / 수집 정보: {facts}"
