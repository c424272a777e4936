"""The conversation state of one customer, as the engine sees it (the store only sees JSON)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SCHEMA_VERSION = 2
MAX_HISTORY = 30
UNREADABLE = "?unreadable"  # a node no catalog has: the engine restarts the customer with a notice


class Step(BaseModel):
    """A question the customer answered, with the values as they were before answering it:
    이전 goes back there and forgets what was answered since."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    node: str
    values: dict[str, str] = Field(default_factory=dict)


class Session(BaseModel):
    """Where the customer is (`node`, qualified `flow.node`), how they got there, what they told us."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: int = SCHEMA_VERSION
    node: str | None = None  # None: no conversation in progress (new, or closed/handed off)
    origin: str | None = None  # flow of the last self-service node, kept for the handoff category
    history: tuple[Step, ...] = ()  # questions answered before `node`, for 이전
    values: dict[str, str] = Field(default_factory=dict)
    arrival_values: dict[str, str] = Field(default_factory=dict)  # `values` when the customer reached `node`
    retries: int = 0  # failed answers at the current node
    turns: int = 0
    offered: tuple[str, ...] = ()  # entries offered by a clarifying question, answered on the next turn
    handoff_at: str | None = (
        None  # when this conversation was handed to an agent ("12월 2일(수) 오후 3시 5분")
    )
    csat: str | None = None  # the guide whose 해결됐어요 was just asked about (satisfaction question)

    def to_state(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_state(cls, state: dict[str, Any] | None) -> Session | None:
        """None when there is no state (new or expired customer). A state that cannot be read (older
        schema, corrupt) becomes a session at an unknown node, so the customer is told we restart."""
        if not state:
            return None
        try:
            if state.get("v") != SCHEMA_VERSION:
                raise ValueError("other schema version")
            return cls.model_validate(state)
        except (ValidationError, ValueError):
            return cls(node=UNREADABLE)

    @property
    def flow(self) -> str | None:
        return self.node.split(".", 1)[0] if self.node else None
