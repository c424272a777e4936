"""Output components (simpleText, simpleImage, textCard, basicCard), validated when built.

`to_dict()` gives the component as it goes into `template.outputs` (`{"basicCard": {...}}`);
`body()` gives the inner object, which is what a carousel lists in `items`.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from app.kakao.buttons import Button, ButtonLayout, check_buttons
from app.kakao.limits import (
    MAX_ALT_TEXT,
    MAX_BASIC_CARD_DESCRIPTION,
    MAX_BASIC_CARD_TITLE,
    MAX_CAROUSEL_ITEMS,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_DESCRIPTION,
    MAX_TEXT_CARD_DESCRIPTION_IN_CAROUSEL,
    MAX_TEXT_CARD_TITLE,
    MAX_TEXT_CARD_TOTAL,
    KakaoLimitError,
    optional_text,
    require_text,
    require_web_url,
)


class Component:
    """Base of everything that can be one entry of `template.outputs`."""

    kind: ClassVar[str]

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {self.kind: self.body()}


class CarouselItem(Component):
    """A component that may also be listed in a carousel (which has stricter limits)."""

    carousel_header_allowed: ClassVar[bool] = False
    max_in_carousel: ClassVar[int] = MAX_CAROUSEL_ITEMS

    def check_in_carousel(self, field: str) -> None:
        """Raise `KakaoLimitError` when the item breaks a carousel-only limit."""


def buttons_body(buttons: Sequence[Button], layout: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if buttons:
        body["buttons"] = [button.to_dict() for button in buttons]
    if layout is not None:
        body["buttonLayout"] = layout
    return body


@dataclass(frozen=True)
class SimpleText(Component):
    text: str
    kind: ClassVar[str] = "simpleText"

    def __post_init__(self) -> None:
        require_text("simpleText.text", self.text, MAX_SIMPLE_TEXT)

    def body(self) -> dict[str, Any]:
        return {"text": self.text}


@dataclass(frozen=True)
class SimpleImage(Component):
    image_url: str
    alt_text: str
    kind: ClassVar[str] = "simpleImage"

    def __post_init__(self) -> None:
        require_web_url("simpleImage.imageUrl", self.image_url)
        require_text("simpleImage.altText", self.alt_text, MAX_ALT_TEXT)

    def body(self) -> dict[str, Any]:
        return {"imageUrl": self.image_url, "altText": self.alt_text}


@dataclass(frozen=True)
class Thumbnail:
    """Card image. `fixed_ratio=True` keeps the aspect ratio (and lays 2 buttons out horizontally)."""

    image_url: str
    alt_text: str | None = None
    fixed_ratio: bool = False
    link: str | None = None  # web URL opened when the image is tapped

    def __post_init__(self) -> None:
        require_web_url("thumbnail.imageUrl", self.image_url)
        object.__setattr__(self, "alt_text", optional_text("thumbnail.altText", self.alt_text, MAX_ALT_TEXT))
        if self.link is not None:
            require_web_url("thumbnail.link.web", self.link)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"imageUrl": self.image_url}
        if self.alt_text is not None:
            body["altText"] = self.alt_text
        if self.fixed_ratio:
            body["fixedRatio"] = True
        if self.link is not None:
            body["link"] = {"web": self.link}
        return body


@dataclass(frozen=True)
class TextCard(CarouselItem):
    title: str | None = None
    description: str | None = None
    buttons: Sequence[Button] = ()
    button_layout: ButtonLayout | None = None
    kind: ClassVar[str] = "textCard"

    def __post_init__(self) -> None:
        title = optional_text("textCard.title", self.title, MAX_TEXT_CARD_TITLE)
        description = optional_text("textCard.description", self.description, MAX_TEXT_CARD_DESCRIPTION)
        if title is None and description is None:
            raise KakaoLimitError("textCard needs a title or a description (both are empty)")
        total = len(title or "") + len(description or "")
        if total > MAX_TEXT_CARD_TOTAL:
            raise KakaoLimitError(f"textCard title+description must be ≤ {MAX_TEXT_CARD_TOTAL}, got {total}")
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "buttons", tuple(self.buttons))
        check_buttons("textCard", self.buttons, self.button_layout)

    def check_in_carousel(self, field: str) -> None:
        if self.description is not None:
            limit = MAX_TEXT_CARD_DESCRIPTION_IN_CAROUSEL
            require_text(f"{field}.description (textCard in a carousel)", self.description, limit)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.title is not None:
            body["title"] = self.title
        if self.description is not None:
            body["description"] = self.description
        return body | buttons_body(self.buttons, self.button_layout)


@dataclass(frozen=True)
class BasicCard(CarouselItem):
    thumbnail: Thumbnail
    title: str | None = None
    description: str | None = None
    buttons: Sequence[Button] = ()
    button_layout: ButtonLayout | None = None
    kind: ClassVar[str] = "basicCard"
    carousel_header_allowed: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.thumbnail, Thumbnail):
            raise KakaoLimitError(f"basicCard.thumbnail is required, got {self.thumbnail!r}")
        title = optional_text("basicCard.title", self.title, MAX_BASIC_CARD_TITLE)
        description = optional_text("basicCard.description", self.description, MAX_BASIC_CARD_DESCRIPTION)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "description", description)
        object.__setattr__(self, "buttons", tuple(self.buttons))
        check_buttons("basicCard", self.buttons, self.effective_layout)

    @property
    def effective_layout(self) -> str:
        """buttonLayout wins; without it a fixed-ratio thumbnail lays the buttons out horizontally."""
        if self.button_layout is not None:
            return self.button_layout
        return "horizontal" if self.thumbnail.fixed_ratio else "vertical"

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"thumbnail": self.thumbnail.to_dict()}
        if self.title is not None:
            body["title"] = self.title
        if self.description is not None:
            body["description"] = self.description
        return body | buttons_body(self.buttons, self.button_layout)
