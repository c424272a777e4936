"""What the engine hands back: a reply to show (plain values, no Kakao JSON) and requested actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.session import Session


@dataclass(frozen=True)
class Button:
    label: str
    url: str | None = None
    phone: str | None = None
    operator: bool = False
    message: str | None = None


@dataclass(frozen=True)
class Text:
    text: str

    def as_text(self) -> str:
        return self.text


@dataclass(frozen=True)
class Card:
    title: str | None
    text: str | None
    buttons: tuple[Button, ...] = ()

    def as_text(self) -> str:
        parts = [p for p in (self.title, self.text) if p]
        parts += [f"[{b.label}]" for b in self.buttons]
        return "\n".join(parts)


Message = Text | Card


@dataclass(frozen=True)
class QuickChoice:
    """A quick reply: the label is also the utterance Kakao sends; `extra` comes back as clientExtra."""

    label: str
    extra: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    messages: tuple[Message, ...]
    quick_replies: tuple[QuickChoice, ...] = ()

    def as_text(self) -> str:
        return "\n\n".join(m.as_text() for m in self.messages)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    value: str
    customer_visible: bool = True


@dataclass(frozen=True)
class HandoffRequest:
    """Everything an agent needs, requested by the engine; the web layer records and delivers it."""

    flow: str | None
    node: str
    category: str
    reason: str
    facts: tuple[Fact, ...]
    agent_notes: tuple[str, ...]
    path: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """One customer turn: what they typed or tapped, the tap's clientExtra (may be empty), and plain
    facts about the moment the web layer knows (e.g. `agents`: whether agents answer now), which
    templates can read."""

    utterance: str
    extra: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CsatAnswer:
    """The customer answered the satisfaction question about `flow` with `score`."""

    flow: str
    score: int


@dataclass(frozen=True)
class Outcome:
    session: Session
    reply: Reply
    handoff: HandoffRequest | None = None
    restarted: bool = False  # the saved state was unusable or expired; the customer was told
    # What the engine made of free text this turn, for metrics and events (never shown to customers):
    # "out_of_scope", "clarify", "clarified", "topic_switch", "handoff_status", "stale_tap".
    understood: tuple[str, ...] = ()
    # Every node entered this turn, in order (automatic message/branch steps and the close or handoff
    # node too), and a satisfaction answer: for the CS team's events (app/insight), never shown.
    path: tuple[str, ...] = ()
    csat: CsatAnswer | None = None
