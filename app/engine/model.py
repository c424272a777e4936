"""The content schema: what a flow file in `skills/` may contain.

A flow is a state table (data, not code). Each node has a `kind`; the engine (`advance`) interprets it.
Node references are `node` (same flow) or `flow.node` (another flow). Texts are template ids
(`file.key`, from `templates/`), never literal Korean, so CS staff edit wording in one place.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.engine.matching import normalize, said_as, words_of
from app.understanding.router import Thresholds

NodeRef = Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)?$")]
TemplateId = Annotated[str, Field(min_length=3, pattern=r"^[a-z0-9_]+\.[a-z0-9_]+$")]
ValueKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]

MAX_CHOICES = 7  # + up to 3 global quick replies (이전, 처음으로, 상담직원 연결) = Kakao's 10


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ButtonSpec(_Strict):
    """A card button. Exactly one of `url`, `phone`, `operator`, `message` says what it does."""

    label: str = Field(min_length=1, max_length=14)
    url: str | None = None
    phone: str | None = None
    operator: bool = False
    message: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> ButtonSpec:
        actions = [self.url is not None, self.phone is not None, self.operator, self.message is not None]
        if sum(actions) != 1:
            raise ValueError("a button needs exactly one of: url, phone, operator, message")
        return self


class CardSpec(_Strict):
    title: TemplateId | None = None
    text: TemplateId | None = None
    buttons: tuple[ButtonSpec, ...] = ()

    @model_validator(mode="after")
    def _has_content(self) -> CardSpec:
        if self.title is None and self.text is None:
            raise ValueError("a card needs a title or a text")
        return self


class Say(_Strict):
    """One speech bubble: a plain text (`text`) or a card with buttons (`card`)."""

    text: TemplateId | None = None
    card: CardSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        return {"text": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _exactly_one(self) -> Say:
        if (self.text is None) == (self.card is None):
            raise ValueError("a say item is a template id, {text: id} or {card: {...}}")
        return self

    def template_ids(self) -> list[str]:
        if self.text:
            return [self.text]
        assert self.card is not None
        return [t for t in (self.card.title, self.card.text) if t]


class Choice(_Strict):
    """A quick reply. Recognised from `clientExtra`, the label, or any alias typed by the customer."""

    label: str = Field(min_length=1, max_length=14)
    next: NodeRef
    aliases: tuple[str, ...] = ()
    set: dict[ValueKey, str] = Field(default_factory=dict)


class _Node(_Strict):
    say: tuple[Say, ...] = ()


class MessageNode(_Node):
    kind: Literal["message"]
    next: NodeRef


class _Question(_Node):
    """A node that waits for the customer. `agent`: the handoff node 상담직원 연결 goes to from here
    (default: the flow's `agent`, else the bot's)."""

    agent: NodeRef | None = None


class ChoiceNode(_Question):
    kind: Literal["choice"]
    choices: tuple[Choice, ...] = Field(min_length=1, max_length=MAX_CHOICES)
    retry: TemplateId | None = None  # said when the answer matched no choice; default common.choice_retry

    @field_validator("choices")
    @classmethod
    def _unique_labels(cls, choices: tuple[Choice, ...]) -> tuple[Choice, ...]:
        labels = [c.label for c in choices]
        if len(set(labels)) != len(labels):
            raise ValueError(f"choice labels must be unique, got {labels}")
        return choices


class AskNode(_Question):
    kind: Literal["ask"]
    save: ValueKey
    validator: str = "text"
    hint: TemplateId  # said (with the validator's reason) when the value is rejected
    next: NodeRef
    choices: tuple[Choice, ...] = Field(default=(), max_length=MAX_CHOICES - 1)
    # A message that is clearly another problem switches to it instead of being saved. Where answers
    # naturally read like this guide's other problems ("3번 충전기, 급속" at an EV charger question),
    # `switch: other_guides` lets only another guide's problem switch.
    switch: Literal["any", "other_guides"] = "any"


class Case(_Strict):
    when: dict[ValueKey, str | tuple[str, ...]] = Field(min_length=1)
    next: NodeRef


class BranchNode(_Strict):
    kind: Literal["branch"]
    cases: tuple[Case, ...] = Field(min_length=1)
    otherwise: NodeRef


class EndNode(_Question):
    """Shows the result, then asks 해결되었나요? — 네 closes warmly, 아니요 goes to `on_no`."""

    kind: Literal["end"]
    on_no: NodeRef
    on_yes: NodeRef | None = None  # default: the bot's `resolved` node


class HandoffNode(_Node):
    """Records a handoff request for the web layer and shows the 상담직원 연결 (operator) card."""

    kind: Literal["handoff"]
    category: str | None = None  # 상담유형; None: the category of the flow the customer was in
    reason: str = "flow"
    agent_notes: tuple[TemplateId, ...] = ()  # agent-only texts (admin checks, CPO mail, …)


class CloseNode(_Node):
    """Ends the conversation; the next message starts again from the menu or a matching entry.
    `csat: true` (the close after 해결됐어요): asks the bot's one optional satisfaction question."""

    kind: Literal["close"]
    csat: bool = False


Node = Annotated[
    MessageNode | ChoiceNode | AskNode | BranchNode | EndNode | HandoffNode | CloseNode,
    Field(discriminator="kind"),
]
INTERACTIVE = (ChoiceNode, AskNode, EndNode)
TERMINAL = (HandoffNode, CloseNode)


class Entry(_Strict):
    """Where a customer who writes about this problem starts (`next`), taught by example sentences.

    The intent classifier is trained at start-up on every entry's `examples` (and on the out-of-scope
    set in `_understanding.yaml`); the CS team teaches it a new phrasing by adding a line. `label` is the
    quick reply offered when the bot must ask which of two problems the customer means (≤ 14 chars).
    """

    next: NodeRef
    label: str = Field(min_length=1, max_length=14)
    examples: tuple[str, ...] = Field(min_length=3)

    @field_validator("examples")
    @classmethod
    def _no_blank(cls, examples: tuple[str, ...]) -> tuple[str, ...]:
        if any(not e.strip() for e in examples):
            raise ValueError("examples must not be blank")
        return examples


class FactSpec(_Strict):
    """A collected value's Korean label for agents; `customer_visible: false` keeps it out of what the
    bot repeats back to the customer (e.g. a parking lot's name when ownership is not verified)."""

    label: str = Field(min_length=1)
    customer_visible: bool = True

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: object) -> object:
        return {"label": data} if isinstance(data, str) else data


class Flow(_Strict):
    flow: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    start: NodeRef
    category: str | None = None
    facts: dict[ValueKey, FactSpec] = Field(default_factory=dict)  # value key → label (or FactSpec)
    agent: NodeRef | None = None  # handoff node for 상담직원 연결 from this flow (default: the bot's)
    entries: tuple[Entry, ...] = ()
    nodes: dict[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")], Node] = Field(min_length=1)


class Command(_Strict):
    """A global command: recognised when the whole utterance is the label or an alias, or contains
    one of `contains` (e.g. "상담원 연결해 주세요")."""

    label: str = Field(min_length=1, max_length=14)
    aliases: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()

    @cached_property
    def said(self) -> frozenset[str]:
        """Every normalised form of the label and aliases (the utterance is the command as such)."""
        return said_as((self.label, *self.aliases))

    @cached_property
    def inside(self) -> tuple[str, ...]:
        """The normalised words of `contains` (a sentence that asks for the command)."""
        return words_of(self.contains)


class Understanding(_Strict):
    """`skills/_understanding.yaml`: what the classifier learns besides the flows' entries."""

    out_of_scope: tuple[str, ...] = Field(min_length=10)  # what the bot cannot help with, near-misses too
    handoff_status: tuple[str, ...] = Field(min_length=3)  # "언제 연결돼요?" after a handoff
    # openers that ask for nothing: "안녕하세요 인증문자가 안 와요" is read for what follows them
    greetings: tuple[str, ...] = ()
    thresholds: Thresholds = Field(default_factory=Thresholds)


class CsatChoice(_Strict):
    """A satisfaction quick reply: its label (also recognised when typed) and the score it records."""

    label: str = Field(min_length=1, max_length=14)
    score: int = Field(ge=1, le=5)


class Csat(_Strict):
    """The optional question after 해결됐어요 (`csat: true` close nodes) and the thanks for an answer."""

    question: TemplateId
    thanks: TemplateId
    choices: tuple[CsatChoice, ...] = Field(min_length=3, max_length=5)


class BotSettings(_Strict):
    """`skills/_bot.yaml`: the bot-wide parts of the conversation."""

    home: NodeRef  # the main menu (처음으로)
    agent: NodeRef  # handoff node for 상담직원 연결
    resolved: NodeRef  # where 네 (해결됐어요) on an end node goes by default
    default_category: str
    home_command: Command
    back_command: Command
    agent_command: Command
    answer_yes: Command
    answer_no: Command
    out_of_scope: NodeRef  # where a message the bot cannot help with goes (an honest answer + the menu)
    clarify: TemplateId  # the question offering two problems (their entries' labels) when a message fits both
    handoff_status: NodeRef  # the answer to "언제 연결돼요?" after a handoff
    # after a handoff, a message the bot cannot answer is passed on here (a handoff node: its lines join
    # the open handoff) instead of the out-of-scope answer; None: the `agent` node
    after_handoff: NodeRef | None = None
    csat: Csat | None = None  # the satisfaction question of `csat: true` close nodes
    # a word → other ways customers type it as a whole message ("넹", "ㅇㅇ" for 네): such a message is
    # read as the word everywhere it is matched (choices, commands, 해결되었나요?)
    same_as: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @cached_property
    def spelled(self) -> dict[str, str]:
        """Normalised variant → the word it stands for (`same_as` turned around)."""
        return _turned_around(self.same_as)

    @model_validator(mode="after")
    def _one_word_per_variant(self) -> BotSettings:
        _turned_around(self.same_as)  # raises on a variant given to two words
        return self


def _turned_around(same_as: dict[str, tuple[str, ...]]) -> dict[str, str]:
    spelled: dict[str, str] = {}
    for word, variants in same_as.items():
        for variant in filter(None, map(normalize, variants)):
            if spelled.setdefault(variant, word) != word:
                raise ValueError(f"same_as: {variant!r} stands for both {spelled[variant]!r} and {word!r}")
    return spelled
