"""SkillResponse: what the skill returns for one turn (`{"version": "2.0", "template": ...}`)."""

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.kakao.buttons import QuickReply, json_object
from app.kakao.components import Component
from app.kakao.limits import (
    MAX_OUTPUTS,
    MAX_QUICK_REPLIES,
    MIN_OUTPUTS,
    RESPONSE_VERSION,
    KakaoLimitError,
    require_count,
)


@dataclass(frozen=True)
class SkillResponse:
    """1–3 output bubbles, up to 10 quick replies (unique labels) and optional webhook `data`."""

    outputs: Sequence[Component]
    quick_replies: Sequence[QuickReply] = ()
    data: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "quick_replies", tuple(self.quick_replies))
        require_count("template.outputs", self.outputs, MAX_OUTPUTS, minimum=MIN_OUTPUTS)
        require_count("template.quickReplies", self.quick_replies, MAX_QUICK_REPLIES)
        for index, output in enumerate(self.outputs):
            if not isinstance(output, Component):
                raise KakaoLimitError(
                    f"template.outputs[{index}] must be a component, got {type(output).__name__}"
                )
        labels: set[str] = set()
        for index, reply in enumerate(self.quick_replies):
            if not isinstance(reply, QuickReply):
                raise KakaoLimitError(
                    f"template.quickReplies[{index}] must be a QuickReply, got {type(reply).__name__}"
                )
            if reply.label in labels:
                raise KakaoLimitError(f"template.quickReplies label {reply.label!r} is used twice")
            labels.add(reply.label)
        if self.data is not None:
            object.__setattr__(self, "data", json_object("data", self.data) or {})

    def to_dict(self) -> dict[str, Any]:
        template: dict[str, Any] = {"outputs": [output.to_dict() for output in self.outputs]}
        if self.quick_replies:
            template["quickReplies"] = [reply.to_dict() for reply in self.quick_replies]
        response: dict[str, Any] = {"version": RESPONSE_VERSION, "template": template}
        if self.data is not None:
            response["data"] = copy.deepcopy(dict(self.data))
        return response
