"""Kakao i Open Builder protocol: the only package that knows Kakao's JSON shape.

- `parse_skill_request(payload)` → `SkillRequest` (tolerant: never raises).
- Typed response builders (`SkillResponse`, `SimpleText`, `BasicCard`, `Button`, `QuickReply`, …) that
  raise `KakaoLimitError` at construction instead of emitting a response Kakao would reject.
- `split_text` / `simple_texts` for long messages, `check_response` to validate any response dict.
"""

from app.kakao.buttons import Button, QuickReply
from app.kakao.carousel import Carousel, CarouselHeader
from app.kakao.check import check_response
from app.kakao.components import (
    BasicCard,
    CarouselItem,
    Component,
    SimpleImage,
    SimpleText,
    TextCard,
    Thumbnail,
)
from app.kakao.limits import KakaoLimitError
from app.kakao.lists import ListCard, ListItem
from app.kakao.request import DetailParam, SkillRequest, parse_skill_request
from app.kakao.response import SkillResponse
from app.kakao.text import simple_texts, split_text

__all__ = [
    "BasicCard",
    "Button",
    "Carousel",
    "CarouselHeader",
    "CarouselItem",
    "Component",
    "DetailParam",
    "KakaoLimitError",
    "ListCard",
    "ListItem",
    "QuickReply",
    "SimpleImage",
    "SimpleText",
    "SkillRequest",
    "SkillResponse",
    "TextCard",
    "Thumbnail",
    "check_response",
    "parse_skill_request",
    "simple_texts",
    "split_text",
]
