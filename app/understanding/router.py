"""From the classifier's ranking to what the bot does with a free-text message.

- `Route(target)`: a guide's entry (or the menu for a greeting) fits clearly;
- `Clarify(first, second)`: two entries fit about equally — ask one short question offering both;
- `OutOfScope()`: nothing the bot can help with fits (or nothing fits confidently) — say so honestly;
- `HandoffStatus()`: a question about a handoff already made ("언제 연결돼요?").

Thresholds live with the content (`skills/_understanding.yaml`) and are tuned on the development set,
never on the held-out evaluation set.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from app.understanding.classifier import IntentClassifier, Ranked
from app.understanding.text import MAX_CHARS, canonical

OUT_OF_SCOPE = "out_of_scope"
HANDOFF_STATUS = "handoff_status"
SPECIAL = (OUT_OF_SCOPE, HANDOFF_STATUS)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accept: float = Field(0.45, gt=0, lt=1, description="route to the top intent from this probability")
    clarify_margin: float = Field(
        0.15, ge=0, lt=1, description="ask which one when the top two entries are closer than this"
    )
    clarify_floor: float = Field(
        0.5, gt=0, le=1, description="…and together at least this likely (else: not understood)"
    )
    switch: float = Field(
        0.8, gt=0, lt=1, description="mid-flow, leave the current question for another problem from here"
    )
    switch_min_chars: int = Field(
        5, ge=1, description='mid-flow, an answer shorter than this ("1번", "B2") is never a new problem'
    )
    after_handoff: float = Field(
        0.25, gt=0, lt=1, description="after a handoff, a message this likely about it is answered so"
    )


@dataclass(frozen=True)
class Route:
    target: str
    probability: float


@dataclass(frozen=True)
class Clarify:
    first: str
    second: str


@dataclass(frozen=True)
class OutOfScope:
    probability: float


@dataclass(frozen=True)
class HandoffStatus:
    probability: float


Decision = Route | Clarify | OutOfScope | HandoffStatus


_SEPARATORS = re.compile(r"[\s\W_]*")
# a shorter greeting must be followed by a space or a sign: "저기요금이…" is not "저기요"
_GLUED_GREETING_CHARS = 4


class Router:
    def __init__(
        self,
        classifier: IntentClassifier,
        thresholds: Thresholds,
        menu: str,
        greetings: Sequence[str] = (),
    ) -> None:
        self.classifier = classifier
        self.thresholds = thresholds
        self.menu = menu  # the greeting intent's target: never offered in a clarifying question
        # openers that ask for nothing ("안녕하세요", "수고하십니다"), longest first
        self.greetings = tuple(sorted({_folded(g) for g in greetings if g.strip()}, key=len, reverse=True))

    def decide(self, text: str, after_handoff: bool = False) -> Decision:
        """What to do with a first message (or one typed at the menu). Right after a handoff, short
        complaints ("답이 없네요", "빨리요") are about the wait, unless they name another problem.
        A message that opens with a greeting and does not read as a problem as a whole ("안녕하세요
        공유차 인증문자가 안와요" reads as a greeting) is answered for what follows the greeting when
        that names a problem a guide answers."""
        ranked = self.classifier.rank(text)
        if after_handoff and ranked[0].label in (OUT_OF_SCOPE, HANDOFF_STATUS, self.menu):
            status = next((r.probability for r in ranked if r.label == HANDOFF_STATUS), 0.0)
            if status >= self.thresholds.after_handoff:
                return HandoffStatus(status)
        decision = self.decide_ranked(ranked)
        if not self.names_a_problem(ranked[0].label) and (rest := self.after_greeting(text)):
            instead = self.decide_ranked(self.classifier.rank(rest))
            if isinstance(instead, Clarify) or (
                isinstance(instead, Route) and self.names_a_problem(instead.target)
            ):
                return instead
        return decision

    def names_a_problem(self, label: str) -> bool:
        """A guide's entry — not out of scope, not the menu's own file (greetings, thanks)."""
        return label not in SPECIAL and label.split(".", 1)[0] != self.menu.split(".", 1)[0]

    def after_greeting(self, text: str) -> str:
        """What the message says after the greetings it opens with ("" when it is only greetings, or
        does not open with one)."""
        rest, found = _folded(text[:MAX_CHARS]), False
        while True:
            greeting = next((g for g in self.greetings if _opens(rest, g)), None)
            if greeting is None:
                return rest.strip() if found else ""
            found = True
            rest = _SEPARATORS.sub("", rest[len(greeting) :], count=1)

    def decide_ranked(self, ranked: list[Ranked]) -> Decision:
        limits = self.thresholds
        first, second = ranked[0], ranked[1]
        if first.label == OUT_OF_SCOPE:
            return OutOfScope(first.probability)
        if first.label == HANDOFF_STATUS:
            if first.probability >= limits.accept:
                return HandoffStatus(first.probability)
            return OutOfScope(1 - first.probability)
        close = first.probability - second.probability < limits.clarify_margin
        if (
            close
            and self._offerable(first.label)
            and self._offerable(second.label)
            and first.probability + second.probability >= limits.clarify_floor
        ):
            return Clarify(first.label, second.label)
        if first.probability >= limits.accept:
            return Route(first.label, first.probability)
        return OutOfScope(1 - first.probability)

    def switch(self, text: str, expecting_value: bool) -> Route | None:
        """Mid-flow: the entry of another problem the message is about, else None. Where the bot waits
        for a value (a lot name, a date) only a clear problem statement counts (`switch`); where it
        offered choices and none fits, the message is read like a first message (`accept`)."""
        if expecting_value and len(canonical(text)) < self.thresholds.switch_min_chars:
            return None
        first = self.classifier.rank(text, top=1)[0]
        if not self.names_a_problem(first.label) and (rest := self.after_greeting(text)):
            first = self.classifier.rank(rest, top=1)[0]
        if not self.names_a_problem(first.label):  # a greeting or a thank-you mid-flow: not a new problem
            return None
        limit = self.thresholds.switch if expecting_value else self.thresholds.accept
        if first.probability >= limit:
            return Route(first.label, first.probability)
        return None

    def _offerable(self, label: str) -> bool:
        return label not in SPECIAL and label != self.menu


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _opens(text: str, greeting: str) -> bool:
    """`text` starts with `greeting` as a word of its own (or glued to the next word, for a long one)."""
    if not text.startswith(greeting):
        return False
    following = text[len(greeting) : len(greeting) + 1]
    return not following or not (following.isalnum()) or len(greeting) >= _GLUED_GREETING_CHARS
