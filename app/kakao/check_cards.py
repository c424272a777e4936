"""`check_response` for the body of each output component (spec §4, limits §5)."""

from collections.abc import Callable
from typing import Any

from app.kakao.check_items import check_item_card
from app.kakao.check_parts import check_buttons, check_extra, check_link, check_profile, check_thumbnail
from app.kakao.check_rules import Findings, get
from app.kakao.limits import (
    COMMERCE_CARD_THUMBNAILS,
    MAX_ALT_TEXT,
    MAX_BASIC_CARD_DESCRIPTION,
    MAX_BASIC_CARD_TITLE,
    MAX_COMMERCE_CARD_DESCRIPTION,
    MAX_COMMERCE_CARD_TITLE,
    MAX_LIST_ITEMS,
    MAX_LIST_ITEMS_IN_CAROUSEL,
    MAX_SIMPLE_TEXT,
    MAX_TEXT_CARD_DESCRIPTION,
    MAX_TEXT_CARD_DESCRIPTION_IN_CAROUSEL,
    MAX_TEXT_CARD_TITLE,
    MAX_TEXT_CARD_TOTAL,
    MIN_LIST_ITEMS,
)

CardCheck = Callable[[Findings, str, Any, bool], None]

_BUTTONED = ("buttons", "buttonLayout", "forwardable")
LIST_ITEM_FIELDS = ("title", "description", "imageUrl", "link", "action", "blockId", "messageText", "extra")


def check_simple_text(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    body = found.object(path, value, ("text", "forwardable"), required=("text",))
    if body is not None:
        found.text(f"{path}.text", get(body, "text"), maximum=MAX_SIMPLE_TEXT)
        found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_simple_image(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    body = found.object(path, value, ("imageUrl", "altText", "forwardable"), required=("imageUrl", "altText"))
    if body is not None:
        found.url(f"{path}.imageUrl", get(body, "imageUrl"))
        found.text(f"{path}.altText", get(body, "altText"), maximum=MAX_ALT_TEXT)
        found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_text_card(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    body = found.object(path, value, ("title", "description", *_BUTTONED))
    if body is None:
        return
    title = found.text(f"{path}.title", get(body, "title"), maximum=MAX_TEXT_CARD_TITLE)
    limit = MAX_TEXT_CARD_DESCRIPTION_IN_CAROUSEL if in_carousel else MAX_TEXT_CARD_DESCRIPTION
    description = found.text(f"{path}.description", get(body, "description"), maximum=limit)
    if not (title or "").strip() and not (description or "").strip():
        found.add(path, "needs a title or a description")
    total = len(title or "") + len(description or "")
    each_fits = len(title or "") <= MAX_TEXT_CARD_TITLE and len(description or "") <= limit
    if total > MAX_TEXT_CARD_TOTAL and each_fits:  # don't report one overlong field twice
        found.add(path, f"title+description is {total} characters, over the limit of {MAX_TEXT_CARD_TOTAL}")
    check_buttons(found, path, body)
    found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_basic_card(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    known = ("title", "description", "thumbnail", "profile", "social", *_BUTTONED)
    body = found.object(path, value, known, required=("thumbnail",))
    if body is None:
        return
    found.text(f"{path}.title", get(body, "title"), maximum=MAX_BASIC_CARD_TITLE)
    found.text(f"{path}.description", get(body, "description"), maximum=MAX_BASIC_CARD_DESCRIPTION)
    thumbnail = (
        check_thumbnail(found, f"{path}.thumbnail", body["thumbnail"]) if "thumbnail" in body else None
    )
    if "profile" in body:
        check_profile(found, f"{path}.profile", body["profile"])
    if "social" in body:
        found.object(f"{path}.social", body["social"], ("like", "comment", "share"))
    check_buttons(found, path, body, fixed_ratio=bool(thumbnail and thumbnail.get("fixedRatio") is True))
    found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_commerce_card(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    prices = ("price", "currency", "discount", "discountRate", "discountedPrice")
    known = ("title", "description", "thumbnails", "profile", *prices, *_BUTTONED)
    body = found.object(path, value, known, required=("price",))
    if body is None:
        return
    found.text(f"{path}.title", get(body, "title"), maximum=MAX_COMMERCE_CARD_TITLE)
    found.text(f"{path}.description", get(body, "description"), maximum=MAX_COMMERCE_CARD_DESCRIPTION)
    for field in ("price", "discount", "discountRate", "discountedPrice"):
        found.integer(f"{path}.{field}", get(body, field), minimum=0)
    found.one_of(f"{path}.currency", get(body, "currency"), ("won",))
    if "discountRate" in body and "discountedPrice" not in body:
        found.add(f"{path}.discountedPrice", "is required when discountRate is given")
    limit = COMMERCE_CARD_THUMBNAILS
    thumbnails = found.array(f"{path}.thumbnails", get(body, "thumbnails"), minimum=limit, maximum=limit)
    fixed_ratio = False
    for index, thumbnail in enumerate(thumbnails):
        checked = check_thumbnail(found, f"{path}.thumbnails[{index}]", thumbnail)
        fixed_ratio = fixed_ratio or bool(checked and checked.get("fixedRatio") is True)
    if "profile" in body:
        check_profile(found, f"{path}.profile", body["profile"])
    check_buttons(found, path, body, fixed_ratio=fixed_ratio)
    found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_list_card(found: Findings, path: str, value: Any, in_carousel: bool = False) -> None:
    body = found.object(path, value, ("header", "items", *_BUTTONED), required=("header",))
    if body is None:
        return
    if "header" in body:
        header = found.object(f"{path}.header", body["header"], LIST_ITEM_FIELDS, required=("title",))
        if header is not None:
            found.text(f"{path}.header.title", get(header, "title"))
    maximum = MAX_LIST_ITEMS_IN_CAROUSEL if in_carousel else MAX_LIST_ITEMS
    items = found.array(f"{path}.items", get(body, "items"), minimum=MIN_LIST_ITEMS, maximum=maximum)
    for index, item in enumerate(items):
        check_list_item(found, f"{path}.items[{index}]", item)
    check_buttons(found, path, body)
    found.boolean(f"{path}.forwardable", get(body, "forwardable"))


def check_list_item(found: Findings, path: str, value: Any) -> None:
    item = found.object(path, value, LIST_ITEM_FIELDS, required=("title",))
    if item is None:
        return
    for field in ("title", "messageText", "blockId"):
        found.text(f"{path}.{field}", get(item, field))
    found.text(f"{path}.description", get(item, "description"), minimum=0)
    found.url(f"{path}.imageUrl", get(item, "imageUrl"))
    if "link" in item:
        check_link(found, f"{path}.link", item["link"])
    action = get(item, "action")
    found.one_of(f"{path}.action", action, ("block", "message"))
    if action == "block" and "blockId" not in item:
        found.add(f"{path}.blockId", "is required for action 'block'")
    check_extra(found, f"{path}.extra", get(item, "extra"))


CARD_CHECKS: dict[str, CardCheck] = {
    "simpleText": check_simple_text,
    "simpleImage": check_simple_image,
    "textCard": check_text_card,
    "basicCard": check_basic_card,
    "commerceCard": check_commerce_card,
    "listCard": check_list_card,
    "itemCard": check_item_card,
}
