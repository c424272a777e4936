"""Engine replies → Kakao SkillResponse JSON, within every limit (or KakaoLimitError, caught by tests).

Long texts are split into several bubbles at paragraph/line/word breaks; when that makes more than
Kakao's 3 bubbles, neighbouring texts are joined again where they fit in one bubble.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson

from app.engine.reply import Button as ReplyButton
from app.engine.reply import Card, Reply, Text
from app.kakao.buttons import Button, QuickReply
from app.kakao.components import Component, SimpleText, TextCard
from app.kakao.limits import MAX_OUTPUTS, MAX_SIMPLE_TEXT
from app.kakao.response import SkillResponse
from app.kakao.text import split_text

APOLOGY = (
    "죄송합니다. 일시적인 오류로 지금은 답변을 드리기 어려워요.\n"
    "잠시 후 다시 말씀해 주시거나, 아래 [상담직원 연결] 버튼을 눌러 상담직원과 이야기해 주세요."
)
HOME_LABEL = "처음으로"
SLOW_DOWN = "메시지가 너무 빠르게 이어지고 있어요. 잠시 후 다시 말씀해 주세요."


def render_reply(reply: Reply) -> dict[str, Any]:
    outputs = _components(reply)
    quick = [_quick_reply(q.label, q.extra) for q in reply.quick_replies]
    return SkillResponse(outputs, quick).to_dict()


def _quick_reply(label: str, extra: Any) -> QuickReply:
    """Quick replies repeat from turn to turn (a node's choices, the global commands): each distinct
    one is checked against Kakao's limits and its extra copied once, not on every turn."""
    try:
        key = tuple(sorted(extra.items())) if extra else None
        return _checked_quick_reply(label, key)
    except TypeError:  # an extra with unhashable values: build it each time
        return QuickReply.message(label, extra=extra)


@functools.lru_cache(maxsize=4096)
def _checked_quick_reply(label: str, extra: tuple[tuple[str, Any], ...] | None) -> QuickReply:
    return QuickReply.message(label, extra=dict(extra) if extra else None)


def apology_response() -> dict[str, Any]:
    """What the customer sees when something inside failed: never an error bubble, always a way on."""
    card = TextCard(description=APOLOGY, buttons=(Button.operator(),))
    return SkillResponse([card], [QuickReply.message(HOME_LABEL, extra={"cmd": "home"})]).to_dict()


@functools.cache
def apology_json() -> bytes:
    """`apology_response()` serialised once (it never changes)."""
    return orjson.dumps(apology_response())


def slow_down_response() -> dict[str, Any]:
    """The answer to a customer over the per-user rate limit: 잠시 후 다시."""
    body = SkillResponse([SimpleText(SLOW_DOWN)], [QuickReply.message(HOME_LABEL, extra={"cmd": "home"})])
    return body.to_dict()


def response_json(body: dict[str, Any]) -> bytes:
    """A SkillResponse dict as compact UTF-8 JSON (Korean as is, keys in their built order)."""
    return orjson.dumps(body)


def _components(reply: Reply) -> list[Component]:
    bubbles: list[str | Card] = []
    for message in reply.messages:
        if isinstance(message, Text):
            bubbles += split_text(message.text)
        else:
            bubbles.append(message)
    if len(bubbles) > MAX_OUTPUTS:
        bubbles = _join_texts(bubbles)
    return [SimpleText(b) if isinstance(b, str) else _card(b) for b in bubbles]


def _join_texts(bubbles: list[str | Card]) -> list[str | Card]:
    joined: list[str | Card] = []
    for bubble in bubbles:
        last = joined[-1] if joined else None
        if (
            isinstance(bubble, str)
            and isinstance(last, str)
            and len(last) + 2 + len(bubble) <= MAX_SIMPLE_TEXT
        ):
            joined[-1] = f"{last}\n\n{bubble}"
        else:
            joined.append(bubble)
    return joined


def _card(card: Card) -> TextCard:
    return TextCard(title=card.title, description=card.text, buttons=tuple(_button(b) for b in card.buttons))


def _button(button: ReplyButton) -> Button:
    if button.operator:
        return Button.operator(button.label)
    if button.url is not None:
        return Button.web_link(button.label, button.url)
    if button.phone is not None:
        return Button.phone(button.label, button.phone)
    return Button.message(button.label, button.message)
