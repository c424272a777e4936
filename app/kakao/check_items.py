"""`check_response` for itemCard (아이템형 말풍선), the component with the most rules."""

from typing import Any

from app.kakao.check_parts import check_buttons, check_thumbnail
from app.kakao.check_rules import Findings, get
from app.kakao.limits import (
    MAX_ITEM_CARD_PROFILE_TITLE,
    MAX_ITEM_CARD_TEXT,
    MAX_ITEM_CARD_TEXT_IN_CAROUSEL,
    MAX_ITEM_LIST,
    MAX_ITEM_LIST_IN_CAROUSEL,
    MAX_ITEM_LIST_SUMMARY_DESCRIPTION,
    MAX_ITEM_LIST_SUMMARY_TITLE,
    MAX_ITEM_LIST_TITLE,
)

ITEM_CARD_FIELDS = (
    "thumbnail", "head", "profile", "imageTitle", "itemList", "itemListAlignment", "itemListSummary",
    "title", "description", "buttons", "buttonLayout", "forwardable",
)  # fmt: skip
MAX_ITEM_CARD_LINES = 12


def check_item_card(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    body = found.object(path, value, ITEM_CARD_FIELDS)
    if body is None:
        return
    if "thumbnail" in body:
        thumbnail = check_thumbnail(found, f"{path}.thumbnail", body["thumbnail"])
        _check_ratio(found, f"{path}.thumbnail", thumbnail, in_carousel)
    if "head" in body:
        head = found.object(f"{path}.head", body["head"], ("title",), required=("title",))
        if head is not None:
            found.text(f"{path}.head.title", get(head, "title"))
    if "head" in body and "profile" in body:
        found.add(path, "head and profile cannot be used together")
    if "profile" in body:
        _check_profile(found, f"{path}.profile", body["profile"])
    if "imageTitle" in body:
        _check_image_title(found, f"{path}.imageTitle", body["imageTitle"])
    _check_item_list(found, path, body, in_carousel)
    _check_text(found, path, body, in_carousel)
    check_buttons(found, path, body)
    found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def _check_ratio(found: Findings, path: str, thumbnail: dict[str, Any] | None, in_carousel: bool) -> None:
    """Single cards: 2:1 or 1:1 (no size given means 1:1). Carousels: 2:1 only."""
    if thumbnail is None:
        return
    width, height = thumbnail.get("width"), thumbnail.get("height")
    if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
        if in_carousel:
            found.add(path, "needs width and height in a 2:1 ratio inside a carousel")
        return
    allowed = {(2, 1)} if in_carousel else {(2, 1), (1, 1)}
    if not any(width * h == height * w for w, h in allowed):
        ratios = " or ".join(f"{w}:{h}" for w, h in sorted(allowed, reverse=True))
        found.add(path, f"width:height must be {ratios}, got {width}:{height}")


def _check_profile(found: Findings, path: str, value: object) -> None:
    profile = found.object(path, value, ("title", "imageUrl", "width", "height"), required=("title",))
    if profile is None:
        return
    found.text(f"{path}.title", get(profile, "title"), maximum=MAX_ITEM_CARD_PROFILE_TITLE)
    found.url(f"{path}.imageUrl", get(profile, "imageUrl"))
    found.integer(f"{path}.width", get(profile, "width"), minimum=1)
    found.integer(f"{path}.height", get(profile, "height"), minimum=1)


def _check_image_title(found: Findings, path: str, value: object) -> None:
    image_title = found.object(path, value, ("title", "description", "imageUrl"), required=("title",))
    if image_title is None:
        return
    found.text(f"{path}.title", get(image_title, "title"))
    found.text(f"{path}.description", get(image_title, "description"), minimum=0)
    found.url(f"{path}.imageUrl", get(image_title, "imageUrl"))


def _check_item_list(found: Findings, path: str, body: dict[str, Any], in_carousel: bool) -> None:
    maximum = MAX_ITEM_LIST_IN_CAROUSEL if in_carousel else MAX_ITEM_LIST
    rows = found.array(f"{path}.itemList", get(body, "itemList"), minimum=1, maximum=maximum)
    for index, value in enumerate(rows):
        row_path = f"{path}.itemList[{index}]"
        row = found.object(row_path, value, ("title", "description"), required=("title", "description"))
        if row is not None:
            found.text(f"{row_path}.title", get(row, "title"), maximum=MAX_ITEM_LIST_TITLE)
            found.text(f"{row_path}.description", get(row, "description"))
    found.one_of(f"{path}.itemListAlignment", get(body, "itemListAlignment"), ("left", "right"))
    if "itemListSummary" in body:
        summary_path = f"{path}.itemListSummary"
        fields = ("title", "description")
        summary = found.object(summary_path, body["itemListSummary"], fields, required=fields)
        if summary is not None:
            found.text(f"{summary_path}.title", get(summary, "title"), maximum=MAX_ITEM_LIST_SUMMARY_TITLE)
            limit = MAX_ITEM_LIST_SUMMARY_DESCRIPTION
            found.text(f"{summary_path}.description", get(summary, "description"), maximum=limit)


def _check_text(found: Findings, path: str, body: dict[str, Any], in_carousel: bool) -> None:
    """title + description together: ≤ 200 characters (100 in a carousel) and ≤ 12 lines."""
    title = found.text(f"{path}.title", get(body, "title"), minimum=0)
    description = found.text(f"{path}.description", get(body, "description"), minimum=0)
    if description and not title:
        found.add(f"{path}.description", "needs a title")
    lines = sum(part.count("\n") + 1 for part in (title, description) if part)
    limit = MAX_ITEM_CARD_TEXT_IN_CAROUSEL if in_carousel else MAX_ITEM_CARD_TEXT
    total = len(title or "") + len(description or "")
    if total > limit:
        found.add(path, f"title+description is {total} characters, over the limit of {limit}")
    if lines > MAX_ITEM_CARD_LINES:
        found.add(path, f"title+description has {lines} lines, over the limit of {MAX_ITEM_CARD_LINES}")
