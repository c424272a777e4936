"""A customer talking to the app through POST /skill, as KakaoTalk would send it.

chat = Chat(client)
chat.say("기기 인증이 안돼요")          # typed text (no clientExtra)
chat.tap("SKT")                         # tap a quick reply of the last answer: utterance + clientExtra
chat.tap("SKT", extra=False)            # the same tap when Kakao sends only the label text
assert "1688-8086" in chat.text and "네, 해결됐어요" in chat.labels
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.engine.reply import HandoffRequest
from app.kakao import check_response

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def kakao_payload(
    utterance: str, user: str = "u" * 66, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A realistic Open Builder payload (the official example) carrying this turn."""
    body = copy.deepcopy(fixture("official_example"))
    body["userRequest"]["utterance"] = utterance
    body["userRequest"]["user"]["id"] = user
    body["userRequest"]["user"]["properties"]["botUserKey"] = user
    body["action"]["clientExtra"] = extra
    return body


def response_text(body: dict[str, Any]) -> str:
    """Everything the customer reads in a response (texts, card titles/descriptions, button labels)."""
    parts: list[str] = []
    for output in body["template"]["outputs"]:
        ((_, component),) = output.items()
        parts += [str(component.get(k, "")) for k in ("text", "title", "description")]
        parts += [str(b.get("label", "")) for b in component.get("buttons", [])]
    return "\n".join(p for p in parts if p)


class Chat:
    def __init__(self, client: FlaskClient, user: str = "c0" * 33) -> None:
        self.client = client
        self.user = user
        self.last: dict[str, Any] = {}
        self.seen: list[str] = []  # the text of every answer so far, to check a whole walk afterwards

    def say(self, utterance: str, extra: dict[str, Any] | None = None) -> Chat:
        response = self.client.post("/skill", json=kakao_payload(utterance, self.user, extra))
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        problems = check_response(body)
        assert problems == [], problems
        self.last = body
        self.seen.append(response_text(body))
        return self

    def tap(self, label: str, extra: bool = True) -> Chat:
        """Tap the quick reply `label` of the last answer (fails if it was not offered)."""
        offered = {q["label"]: q for q in self.last["template"].get("quickReplies", [])}
        assert label in offered, f"{label!r} not offered; quick replies: {list(offered)}"
        chosen = offered[label]
        return self.say(chosen.get("messageText", label), chosen.get("extra") if extra else None)

    @property
    def text(self) -> str:
        return response_text(self.last)

    @property
    def labels(self) -> list[str]:
        return [q["label"] for q in self.last["template"].get("quickReplies", [])]

    def buttons(self) -> list[dict[str, Any]]:
        """Every card button of the last answer (webLink/phone/operator …)."""
        found: list[dict[str, Any]] = []
        for output in self.last["template"]["outputs"]:
            ((_, component),) = output.items()
            found += component.get("buttons", [])
        return found


def flow_reached(app: Flask, user: str, handoffs: list[HandoffRequest]) -> str | None:
    """The guide a customer is in now: where their stored session is, or what was handed off last."""
    with app.extensions["cs_bot"].store.open(user) as handle:
        node = (handle.state or {}).get("node")
    if node:
        return str(node).split(".", 1)[0]
    return handoffs[-1].flow if handoffs else None
