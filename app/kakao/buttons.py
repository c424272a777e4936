"""Buttons (on cards) and quick replies (chips under the bubbles), validated when built."""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

from app.kakao.limits import (
    BUTTON_LAYOUTS,
    MAX_BUTTON_LABEL,
    MAX_BUTTON_LABEL_HORIZONTAL,
    MAX_BUTTONS_HORIZONTAL,
    MAX_BUTTONS_VERTICAL,
    MAX_QUICK_REPLY_LABEL,
    KakaoLimitError,
    require_count,
    require_present,
    require_text,
    require_web_url,
)
from app.kakao.tolerant import copy_json

ButtonAction = Literal["message", "block", "webLink", "phone", "operator", "share"]
BUTTON_ACTIONS: tuple[ButtonAction, ...] = ("message", "block", "webLink", "phone", "operator", "share")
ButtonLayout = Literal["vertical", "horizontal"]
QuickReplyAction = Literal["message", "block"]

OPERATOR_LABEL = "상담직원 연결"
_JSON_ATOMS = (str, int, float, bool, type(None))
_PHONE_NUMBER = re.compile(r"\+?[0-9()][0-9()\- ]*[0-9]")


def json_object(field: str, value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A detached copy of a JSON-serialisable object; None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise KakaoLimitError(f"{field} must be an object, got {type(value).__name__}")
    try:
        decoded = json.loads(json.dumps(dict(value), ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise KakaoLimitError(f"{field} must be JSON-serialisable: {error}") from error
    return decoded or None


def _optional_str(field: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return require_present(field, value)


class _MessageOrBlock:
    """The two actions buttons and quick replies share: send an utterance, or run a block."""

    @classmethod
    def message(
        cls, label: str, message_text: str | None = None, extra: Mapping[str, Any] | None = None
    ) -> Self:
        """Sends `message_text` (default: the label) as the user's utterance."""
        return cls(label, "message", message_text=message_text or label, extra=extra)  # type: ignore[call-arg]

    @classmethod
    def block(
        cls,
        label: str,
        block_id: str,
        message_text: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Self:
        """Runs block `block_id` directly; `message_text` is shown as the user's utterance."""
        return cls(label, "block", message_text=message_text, block_id=block_id, extra=extra)  # type: ignore[call-arg]


@dataclass(frozen=True)
class Button(_MessageOrBlock):
    """A card button. Build it with the classmethods (`Button.message(...)`, `Button.web_link(...)`…)."""

    label: str
    action: ButtonAction
    message_text: str | None = None
    block_id: str | None = None
    web_link_url: str | None = None
    phone_number: str | None = None
    extra: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        require_text("button label", self.label, MAX_BUTTON_LABEL)
        object.__setattr__(self, "message_text", _optional_str("button messageText", self.message_text))
        object.__setattr__(self, "extra", json_object("button extra", self.extra))
        if self.action == "block":
            require_present("button blockId", self.block_id)
        elif self.action == "webLink":
            require_web_url("button webLinkUrl", self.web_link_url)
        elif self.action == "phone":
            if not isinstance(self.phone_number, str) or not _PHONE_NUMBER.fullmatch(self.phone_number):
                raise KakaoLimitError(f"button phoneNumber must be a phone number, got {self.phone_number!r}")
        elif self.action not in ("message", "operator", "share"):
            raise KakaoLimitError(f"button action must be one of {BUTTON_ACTIONS}, got {self.action!r}")

    @classmethod
    def web_link(cls, label: str, url: str) -> "Button":
        return cls(label, "webLink", web_link_url=url)

    @classmethod
    def phone(cls, label: str, phone_number: str) -> "Button":
        return cls(label, "phone", phone_number=phone_number)

    @classmethod
    def operator(cls, label: str = OPERATOR_LABEL) -> "Button":
        """Opens the 상담 연결 plugin (hand the chat to a human agent)."""
        return cls(label, "operator")

    @classmethod
    def share(cls, label: str) -> "Button":
        return cls(label, "share")

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"label": self.label, "action": self.action}
        optional = {
            "webLinkUrl": self.web_link_url if self.action == "webLink" else None,
            "phoneNumber": self.phone_number if self.action == "phone" else None,
            "blockId": self.block_id if self.action == "block" else None,
            "messageText": self.message_text,
            "extra": copy_json(self.extra),
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        return body


def check_buttons(owner: str, buttons: Sequence[Button], layout: str | None) -> None:
    """Button count and label width for one card; `layout` is the card's effective buttonLayout."""
    if layout is not None and layout not in BUTTON_LAYOUTS:
        raise KakaoLimitError(f"{owner} buttonLayout must be one of {BUTTON_LAYOUTS}, got {layout!r}")
    for button in buttons:
        if not isinstance(button, Button):
            raise KakaoLimitError(f"{owner} buttons must be Button, got {type(button).__name__}")
    if layout == "horizontal":
        require_count(f"{owner} buttons (horizontal)", buttons, MAX_BUTTONS_HORIZONTAL)
        if len(buttons) == MAX_BUTTONS_HORIZONTAL:
            for button in buttons:
                require_text(f"{owner} horizontal button label", button.label, MAX_BUTTON_LABEL_HORIZONTAL)
    else:
        require_count(f"{owner} buttons (vertical)", buttons, MAX_BUTTONS_VERTICAL)


@dataclass(frozen=True)
class QuickReply(_MessageOrBlock):
    """A quick-reply chip. Its `extra` arrives in the next request as `action.clientExtra`."""

    label: str
    action: QuickReplyAction
    message_text: str | None = None
    block_id: str | None = None
    extra: Mapping[str, Any] | None = None
    _flat_extra: bool = field(default=False, init=False, repr=False, compare=False)

    KINDS: ClassVar[tuple[str, ...]] = ("message", "block")

    def __post_init__(self) -> None:
        require_text("quickReply label", self.label, MAX_QUICK_REPLY_LABEL)
        if self.action not in self.KINDS:
            raise KakaoLimitError(f"quickReply action must be one of {self.KINDS}, got {self.action!r}")
        object.__setattr__(self, "message_text", _optional_str("quickReply messageText", self.message_text))
        object.__setattr__(self, "extra", json_object("quickReply extra", self.extra))
        if self.action == "block":
            require_present("quickReply blockId", self.block_id)
        # The usual extra ({"node": …, "choice": …}, {"cmd": "home"}) holds no object or list: a
        # shallow copy of it is a deep one (the renderer copies the extra of every chip on every turn).
        flat = self.extra is not None and all(type(v) in _JSON_ATOMS for v in self.extra.values())
        object.__setattr__(self, "_flat_extra", flat)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"label": self.label, "action": self.action}
        if self.message_text is not None:
            body["messageText"] = self.message_text
        if self.action == "block":
            body["blockId"] = self.block_id
        if self.extra is not None:
            body["extra"] = dict(self.extra) if self._flat_extra else copy_json(self.extra)
        return body
