"""carousel: 1–10 cards of one type side by side, with an optional header card."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from app.kakao.components import CarouselItem, Component, Thumbnail
from app.kakao.limits import MIN_CAROUSEL_ITEMS, KakaoLimitError, require_count, require_present


@dataclass(frozen=True)
class CarouselHeader:
    """The card in front of a carousel; Kakao honours only the thumbnail's imageUrl."""

    title: str
    description: str
    thumbnail: Thumbnail

    def __post_init__(self) -> None:
        require_present("carousel.header.title", self.title)
        require_present("carousel.header.description", self.description)
        if not isinstance(self.thumbnail, Thumbnail):
            raise KakaoLimitError(f"carousel.header.thumbnail is required, got {self.thumbnail!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "thumbnail": {"imageUrl": self.thumbnail.image_url},
        }


@dataclass(frozen=True)
class Carousel(Component):
    items: Sequence[CarouselItem]
    header: CarouselHeader | None = None
    kind: ClassVar[str] = "carousel"

    def __post_init__(self) -> None:
        items = tuple(self.items)
        object.__setattr__(self, "items", items)
        if not items:
            raise KakaoLimitError(f"carousel.items must have at least {MIN_CAROUSEL_ITEMS} entry, got 0")
        item_class = type(items[0])
        if not isinstance(items[0], CarouselItem):
            raise KakaoLimitError(f"carousel items must be cards, got {item_class.__name__}")
        for index, item in enumerate(items):
            if type(item) is not item_class:
                raise KakaoLimitError(
                    f"carousel.items[{index}] must be a {item_class.kind} like the first item, "
                    f"got {type(item).__name__}"
                )
            item.check_in_carousel(f"carousel.items[{index}]")
        require_count(
            f"carousel.items ({self.item_type})",
            items,
            item_class.max_in_carousel,
            minimum=MIN_CAROUSEL_ITEMS,
        )
        if self.header is not None and not isinstance(self.header, CarouselHeader):
            raise KakaoLimitError(
                f"carousel.header must be a CarouselHeader, got {type(self.header).__name__}"
            )
        if self.header is not None and not item_class.carousel_header_allowed:
            raise KakaoLimitError(f"carousel.header is not allowed for a {self.item_type} carousel")

    @property
    def item_type(self) -> str:
        """The carousel `type`: the kind of its items (basicCard, textCard, listCard, …)."""
        return self.items[0].kind

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.item_type, "items": [item.body() for item in self.items]}
        if self.header is not None:
            body["header"] = self.header.to_dict()
        return body
