"""listCard: a header line, 1–5 rows (ListItem) and optional buttons."""

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from app.kakao.buttons import Button, ButtonLayout, check_buttons, json_object
from app.kakao.components import CarouselItem, buttons_body
from app.kakao.limits import (
    MAX_CAROUSEL_LIST_CARDS,
    MAX_LIST_ITEMS,
    MAX_LIST_ITEMS_IN_CAROUSEL,
    MIN_LIST_ITEMS,
    KakaoLimitError,
    require_count,
    require_present,
    require_web_url,
)

ListItemAction = Literal["block", "message"]


@dataclass(frozen=True)
class ListItem:
    """One row. With `action="block"` a tap runs `block_id` (the title is the utterance);
    with `action="message"` it sends `message_text` (default: the title)."""

    title: str
    description: str | None = None
    image_url: str | None = None
    link_web: str | None = None
    action: ListItemAction | None = None
    block_id: str | None = None
    message_text: str | None = None
    extra: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        require_present("listItem.title", self.title)
        if self.description is not None and not self.description.strip():
            object.__setattr__(self, "description", None)
        if self.image_url is not None:
            require_web_url("listItem.imageUrl", self.image_url)
        if self.link_web is not None:
            require_web_url("listItem.link.web", self.link_web)
        if self.action not in (None, "block", "message"):
            raise KakaoLimitError(f"listItem.action must be 'block' or 'message', got {self.action!r}")
        if self.action == "block":
            require_present("listItem.blockId", self.block_id)
        elif self.block_id is not None:
            raise KakaoLimitError(f"listItem.blockId needs action='block', got action={self.action!r}")
        if self.action == "message" and not self.message_text:
            object.__setattr__(self, "message_text", self.title)
        if self.action is None and (self.message_text is not None or self.extra is not None):
            raise KakaoLimitError("listItem.messageText/extra need action='block' or 'message'")
        object.__setattr__(self, "extra", json_object("listItem.extra", self.extra))

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title}
        optional = {
            "description": self.description,
            "imageUrl": self.image_url,
            "link": {"web": self.link_web} if self.link_web else None,
            "action": self.action,
            "blockId": self.block_id,
            "messageText": self.message_text,
            "extra": copy.deepcopy(self.extra),
        }
        body.update({key: value for key, value in optional.items() if value is not None})
        return body


@dataclass(frozen=True)
class ListCard(CarouselItem):
    header_title: str
    items: Sequence[ListItem]
    buttons: Sequence[Button] = ()
    button_layout: ButtonLayout | None = None
    kind: ClassVar[str] = "listCard"
    max_in_carousel: ClassVar[int] = MAX_CAROUSEL_LIST_CARDS

    def __post_init__(self) -> None:
        require_present("listCard.header.title", self.header_title)
        object.__setattr__(self, "items", tuple(self.items))
        require_count("listCard.items", self.items, MAX_LIST_ITEMS, minimum=MIN_LIST_ITEMS)
        for item in self.items:
            if not isinstance(item, ListItem):
                raise KakaoLimitError(f"listCard.items must be ListItem, got {type(item).__name__}")
        object.__setattr__(self, "buttons", tuple(self.buttons))
        check_buttons("listCard", self.buttons, self.button_layout)

    def check_in_carousel(self, field: str) -> None:
        require_count(f"{field}.items (listCard in a carousel)", self.items, MAX_LIST_ITEMS_IN_CAROUSEL)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "header": {"title": self.header_title},
            "items": [item.to_dict() for item in self.items],
        }
        return body | buttons_body(self.buttons, self.button_layout)
