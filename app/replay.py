"""`cs-bot replay`: send payload fixtures to a running server and compare the answers with golden files.

A fixture is one Kakao payload (a JSON object) or a conversation: a JSON array of payloads, or
`{"turns": [...]}` (what `cs-bot chat --record` writes). Each fixture is replayed as its own customer:
every user key in it (`user.id`, `botUserKey`, `plusfriendUserKey`, `appUserId` and their snake_case
forms) is replaced by a fresh key starting with `replay-`, unique to this run and fixture, so answers
never depend on the order of the files or on an earlier run. The server treats `replay-` customers as
test customers: it answers them normally but files no handoff (nothing stored, delivered or shown in
the inbox) and leaves them out of the flow metrics.

The golden file of `dir/name.json` is `dir/golden/name.json` (or `<--golden DIR>/name.json`): per turn,
what was said and the HTTP status and JSON body of the answer. A difference is shown as a unified diff;
`--update` writes the golden files from the answers.
"""

from __future__ import annotations

import copy
import difflib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from app.kakao.request import REPLAY_USER_PREFIX

USER_KEY_FIELDS = (
    "botUserKey",
    "bot_user_key",
    "plusfriendUserKey",
    "plusfriend_user_key",
    "appUserId",
    "app_user_id",
)


class Unreachable(Exception):
    """The server did not answer at all (refused, DNS, timeout)."""


def load_turns(path: Path) -> list[Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("turns"), list):
        return list(data["turns"])
    return list(data) if isinstance(data, list) else [data]


def as_customer(turns: list[Any], customer: str) -> list[Any]:
    """The turns with every user key replaced: the fixture's first key becomes `customer`, any other
    distinct key `customer-2`, `customer-3` … (so the keys stay distinct where they were)."""
    renamed: dict[str, str] = {}

    def new_key(old: Any) -> Any:
        if not isinstance(old, str) or not old.strip():
            return old
        if old not in renamed:
            renamed[old] = customer if not renamed else f"{customer}-{len(renamed) + 1}"
        return renamed[old]

    out = copy.deepcopy(turns)
    for turn in out:
        user = ((turn or {}).get("userRequest") or {}).get("user") if isinstance(turn, dict) else None
        if not isinstance(user, dict):
            continue
        if "id" in user:
            user["id"] = new_key(user["id"])
        properties = user.get("properties")
        if isinstance(properties, dict):
            for field in USER_KEY_FIELDS:
                if field in properties:
                    properties[field] = new_key(properties[field])
    return out


def golden_path(fixture: Path, golden_dir: Path | None) -> Path:
    return (golden_dir or fixture.parent / "golden") / fixture.name


def utterance_of(turn: Any) -> Any:
    return ((turn or {}).get("userRequest") or {}).get("utterance") if isinstance(turn, dict) else None


def post_turns(
    url: str, turns: list[Any], headers: dict[str, str], timeout: float = 5.0
) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = []
    for turn in turns:
        try:
            response = requests.post(
                url,
                data=json.dumps(turn, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json", **headers},
                timeout=timeout,
            )
        except requests.RequestException as exc:
            raise Unreachable(_reason(exc)) from exc
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        answers.append({"said": utterance_of(turn), "status": response.status_code, "answer": body})
    return answers


def dump(answers: Any) -> str:
    return json.dumps(answers, ensure_ascii=False, indent=2) + "\n"


@dataclass
class Result:
    fixture: Path
    golden: Path
    state: str  # "ok", "changed", "new", "updated"
    diff: str = ""
    text: str = ""
    failed_status: bool = False


def replay_one(
    fixture: Path, url: str, headers: dict[str, str], customer: str, golden_dir: Path | None, update: bool
) -> Result:
    turns = as_customer(load_turns(fixture), customer)
    answers = post_turns(url, turns, headers)
    text = dump(answers)
    golden = golden_path(fixture, golden_dir)
    failed = any(a["status"] != 200 for a in answers)
    expected = golden.read_text(encoding="utf-8") if golden.exists() else None
    if expected == text:
        return Result(fixture, golden, "ok", text=text, failed_status=failed)
    diff = ""
    if expected is not None:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"{golden} (expected)",
                tofile=f"{url} (answered now)",
            )
        )
    if update:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        return Result(fixture, golden, "updated", diff=diff, text=text, failed_status=failed)
    return Result(fixture, golden, "changed" if expected is not None else "new", diff, text, failed)


def replay(
    fixtures: Iterable[Path],
    url: str,
    secret: str | None = None,
    golden_dir: Path | None = None,
    update: bool = False,
    write: Callable[[str], None] = print,
) -> int:
    """Replay every fixture; 0 when all answers match their golden files (or were updated), 1 when an
    answer changed or a status was not 200, 2 when the server cannot be reached (one line)."""
    headers = {"X-Skill-Secret": secret} if secret else {}
    run = uuid.uuid4().hex[:8]
    counts = {"ok": 0, "changed": 0, "new": 0, "updated": 0}
    bad_status = 0
    for number, fixture in enumerate(fixtures, start=1):
        customer = f"{REPLAY_USER_PREFIX}{run}-{number:03d}"
        try:
            result = replay_one(fixture, url, headers, customer, golden_dir, update)
        except Unreachable as exc:
            raise Unreachable(f"cannot reach {url}: {exc} (is the server running? cs-bot serve)") from exc
        counts[result.state] += 1
        bad_status += result.failed_status
        note = "  (a status was not 200)" if result.failed_status else ""
        write(f"{result.state.upper():8} {fixture}{note}")
        if result.state == "new":
            write(result.text.rstrip("\n"))
            write(f"         no golden file {result.golden}: run with --update to keep these answers")
        elif result.diff:
            write(result.diff.rstrip("\n"))
    summary = ", ".join(f"{count} {state}" for state, count in counts.items() if count)
    write(f"replayed {sum(counts.values())} fixture(s): {summary}")
    return 1 if counts["changed"] or bad_status else 0


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer within 5 s"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        for known in ("Connection refused", "Name or service not known", "No route to host"):
            if known in text:
                return known.lower()
        return "connection failed"
    return type(exc).__name__
