"""check_response: every component, button and carousel rule, one violation at a time."""

import copy
from typing import Any

import pytest

from app.kakao import check_response

IMAGE = "https://cdn.example.com/a.png"
P = "template.outputs[0]"


def problems(component: dict[str, Any]) -> list[str]:
    return check_response({"version": "2.0", "template": {"outputs": [component]}})


def at(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if path else prefix


def carousel(kind: str, items: list[Any], **fields: Any) -> dict[str, Any]:
    return {"carousel": {"type": kind, "items": items, **fields}}


def button(label: str = "확인", action: str = "message", **fields: Any) -> dict[str, Any]:
    return {"label": label, "action": action, **fields}


BASIC = {"thumbnail": {"imageUrl": IMAGE}, "title": "제목", "description": "설명"}
TEXT_CARD = {"title": "제목", "description": "설명"}
LIST_CARD = {"header": {"title": "헤더"}, "items": [{"title": "항목"}]}
COMMERCE = {"price": 10000, "currency": "won", "thumbnails": [{"imageUrl": IMAGE}], "title": "충전 쿠폰"}
ITEM_CARD = {
    "imageTitle": {"title": "주차 영수증", "description": "강남역 1번 주차장"},
    "itemList": [{"title": "입차", "description": "14:02"}, {"title": "출차", "description": "16:40"}],
    "itemListAlignment": "right",
    "itemListSummary": {"title": "합계", "description": "₩6,000"},
    "title": "결제 내역",
    "description": "카드 결제",
}
HEADER = {"title": "쿠폰", "description": "골라요", "thumbnail": {"imageUrl": IMAGE}}


def changed(base: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    for key, value in fields.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    "component",
    [
        {"simpleText": {"text": "가" * 1000}},
        {"simpleImage": {"imageUrl": IMAGE, "altText": "가" * 50}},
        {"textCard": changed(TEXT_CARD, title="가" * 50, description="나" * 350)},
        {"textCard": {"description": "나" * 400, "buttons": [button(), button("b"), button("c")]}},
        {"basicCard": changed(BASIC, title="가" * 50, description="나" * 230, forwardable=True)},
        {"basicCard": changed(BASIC, profile={"nickname": "모빌리티"}, social={"like": 1})},
        {
            "commerceCard": changed(
                COMMERCE, discountRate=10, discountedPrice=9000, profile={"nickname": "샵"}
            )
        },
        {"listCard": changed(LIST_CARD, items=[{"title": f"{n}"} for n in range(5)])},
        {"itemCard": ITEM_CARD},
        {"itemCard": changed(ITEM_CARD, thumbnail={"imageUrl": IMAGE, "width": 800, "height": 800})},
        carousel("basicCard", [BASIC] * 10),
        carousel("listCard", [changed(LIST_CARD, items=[{"title": "a"}] * 4)] * 5),
        carousel("textCard", [changed(TEXT_CARD, description="가" * 128)]),
        {"textCard": changed(TEXT_CARD, title=...)},
        carousel("commerceCard", [COMMERCE, COMMERCE], header=HEADER),
    ],
)
def test_valid_components(component: dict[str, Any]) -> None:
    assert problems(component) == []


@pytest.mark.parametrize(
    ("component", "path", "message"),
    [
        (
            {"simpleText": {"text": "가" * 1001}},
            "simpleText.text",
            "is 1001 characters, over the limit of 1000",
        ),
        ({"simpleText": {"text": " "}}, "simpleText.text", "must not be empty or blank"),
        ({"simpleText": {"text": 5}}, "simpleText.text", "must be a string, got number"),
        ({"simpleText": {}}, "simpleText.text", "is required"),
        (
            {"simpleText": {"text": "a", "forwardable": "yes"}},
            "simpleText.forwardable",
            "must be a boolean, got string",
        ),
        (
            {"simpleImage": {"imageUrl": IMAGE, "altText": "가" * 51}},
            "simpleImage.altText",
            "is 51 characters, over the limit of 50",
        ),
        ({"simpleImage": {"imageUrl": IMAGE}}, "simpleImage.altText", "is required"),
        (
            {"simpleImage": {"imageUrl": "ftp://x/a.png", "altText": "a"}},
            "simpleImage.imageUrl",
            "must be an absolute http(s) URL, got 'ftp://x/a.png'",
        ),
        (
            {"textCard": changed(TEXT_CARD, title="가" * 51)},
            "textCard.title",
            "is 51 characters, over the limit of 50",
        ),
        (
            {"textCard": changed(TEXT_CARD, title=..., description="가" * 401)},
            "textCard.description",
            "is 401 characters, over the limit of 400",
        ),
        (
            {"textCard": {"title": "가" * 50, "description": "나" * 351}},
            "textCard",
            "title+description is 401 characters, over the limit of 400",
        ),
        ({"textCard": {"buttons": [button()]}}, "textCard", "needs a title or a description"),
        ({"basicCard": changed(BASIC, thumbnail=...)}, "basicCard.thumbnail", "is required"),
        (
            {"basicCard": changed(BASIC, title="가" * 51)},
            "basicCard.title",
            "is 51 characters, over the limit of 50",
        ),
        (
            {"basicCard": changed(BASIC, description="가" * 231)},
            "basicCard.description",
            "is 231 characters, over the limit of 230",
        ),
        (
            {"basicCard": changed(BASIC, thumbnail={"altText": "a"})},
            "basicCard.thumbnail.imageUrl",
            "is required",
        ),
        (
            {"basicCard": changed(BASIC, thumbnail={"imageUrl": IMAGE, "altText": "가" * 51})},
            "basicCard.thumbnail.altText",
            "is 51 characters, over the limit of 50",
        ),
        (
            {"basicCard": changed(BASIC, thumbnail={"imageUrl": IMAGE, "link": {"web": "javascript:x"}})},
            "basicCard.thumbnail.link.web",
            "must be an absolute http(s) URL, got 'javascript:x'",
        ),
        (
            {"basicCard": changed(BASIC, thumbnail={"imageUrl": IMAGE, "link": {}})},
            "basicCard.thumbnail.link",
            "needs at least one of web, pc, mobile",
        ),
        (
            {"basicCard": changed(BASIC, profile={"imageUrl": IMAGE})},
            "basicCard.profile.nickname",
            "is required",
        ),
        ({"basicCard": changed(BASIC, subtitle="a")}, "basicCard.subtitle", "unknown field"),
        (
            {"commerceCard": changed(COMMERCE, title="가" * 31)},
            "commerceCard.title",
            "is 31 characters, over the limit of 30",
        ),
        (
            {"commerceCard": changed(COMMERCE, description="가" * 41)},
            "commerceCard.description",
            "is 41 characters, over the limit of 40",
        ),
        ({"commerceCard": changed(COMMERCE, price=...)}, "commerceCard.price", "is required"),
        (
            {"commerceCard": changed(COMMERCE, price="10000")},
            "commerceCard.price",
            "must be an integer, got string",
        ),
        (
            {"commerceCard": changed(COMMERCE, currency="usd")},
            "commerceCard.currency",
            "must be one of won, got 'usd'",
        ),
        (
            {"commerceCard": changed(COMMERCE, discountRate=10)},
            "commerceCard.discountedPrice",
            "is required when discountRate is given",
        ),
        (
            {"commerceCard": changed(COMMERCE, thumbnails=[])},
            "commerceCard.thumbnails",
            "has 0 entries, needs at least 1",
        ),
        (
            {"commerceCard": changed(COMMERCE, thumbnails=[{"imageUrl": IMAGE}] * 2)},
            "commerceCard.thumbnails",
            "has 2 entries, over the limit of 1",
        ),
        ({"commerceCard": changed(COMMERCE, thumbnails=...)}, "commerceCard.thumbnails", "is required"),
        (
            {"listCard": changed(LIST_CARD, items=[{"title": "a"}] * 6)},
            "listCard.items",
            "has 6 entries, over the limit of 5",
        ),
        ({"listCard": changed(LIST_CARD, items=[])}, "listCard.items", "has 0 entries, needs at least 1"),
        ({"listCard": changed(LIST_CARD, items=...)}, "listCard.items", "is required"),
        ({"listCard": changed(LIST_CARD, header=...)}, "listCard.header", "is required"),
        (
            {"listCard": changed(LIST_CARD, header={"imageUrl": IMAGE})},
            "listCard.header.title",
            "is required",
        ),
        (
            {"listCard": changed(LIST_CARD, items=[{"title": "a", "action": "block"}])},
            "listCard.items[0].blockId",
            "is required for action 'block'",
        ),
        (
            {"listCard": changed(LIST_CARD, items=[{"title": "a", "action": "webLink"}])},
            "listCard.items[0].action",
            "must be one of block, message, got 'webLink'",
        ),
        (
            {"listCard": changed(LIST_CARD, items=[{"description": "a"}])},
            "listCard.items[0].title",
            "is required",
        ),
        (
            {"listCard": changed(LIST_CARD, items=[{"title": "a", "imageUrl": "a.png"}])},
            "listCard.items[0].imageUrl",
            "must be an absolute http(s) URL, got 'a.png'",
        ),
        (
            {"listCard": changed(LIST_CARD, items=[{"title": "a", "action": "message", "extra": "x"}])},
            "listCard.items[0].extra",
            "must be an object (it arrives as action.clientExtra), got string",
        ),
    ],
)
def test_component_violations(component: dict[str, Any], path: str, message: str) -> None:
    found = problems(component)
    assert len(found) == 1, found
    assert found[0].startswith(f"{at(P, path)}: {message}"), found


@pytest.mark.parametrize(
    ("buttons", "layout", "expected"),
    [
        ([button("가" * 15)], None, "buttons[0].label: is 15 characters, over the limit of 14"),
        ([button(""), button("b")], None, "buttons[0].label: must not be empty or blank"),
        ([{"action": "share"}], None, "buttons[0].label: is required"),
        ([{"label": "a"}], None, "buttons[0].action: is required"),
        (
            [button(action="addChannel")],
            None,
            "buttons[0].action: must be one of webLink, message, phone, block, share, operator",
        ),
        ([button(action="webLink")], None, "buttons[0].webLinkUrl: is required for action 'webLink'"),
        (
            [button(action="webLink", webLinkUrl="ftp://a.com")],
            None,
            "buttons[0].webLinkUrl: must be an absolute http(s) URL, got 'ftp://a.com'",
        ),
        (
            [button(action="webLink", webLinkUrl="example.com")],
            None,
            "buttons[0].webLinkUrl: must be an absolute http(s) URL",
        ),
        ([button(action="phone")], None, "buttons[0].phoneNumber: is required for action 'phone'"),
        ([button(action="block")], None, "buttons[0].blockId: is required for action 'block'"),
        (
            [button(extra="node")],
            None,
            "buttons[0].extra: must be an object (it arrives as action.clientExtra), got string",
        ),
        ([button(url=IMAGE)], None, "buttons[0].url: unknown field"),
        (
            [button(), button("b"), button("c"), button("d")],
            None,
            "buttons: has 4 entries, over the limit of 3",
        ),
        (
            [button(), button("b"), button("c"), button("d")],
            "vertical",
            "buttons: has 4 entries, over the limit of 3",
        ),
        ([button(), button("b"), button("c")], "horizontal", "buttons: has 3 entries, over the limit of 2"),
        (
            [button("가" * 9), button("b")],
            "horizontal",
            "buttons[0].label: is 9 characters, over the limit of 8",
        ),
        ([button()], "grid", "buttonLayout: must be one of vertical, horizontal, got 'grid'"),
        ("확인", None, "buttons: must be an array, got string"),
    ],
)
def test_button_violations(buttons: Any, layout: str | None, expected: str) -> None:
    card = changed(TEXT_CARD, buttons=buttons)
    if layout is not None:
        card["buttonLayout"] = layout
    found = problems({"textCard": card})
    assert len(found) == 1, found
    assert found[0].startswith(f"{P}.textCard.{expected}"), found


def test_button_boundaries() -> None:
    three = [button("가" * 14), button("b", "operator"), button("c", "share")]
    assert problems({"textCard": changed(TEXT_CARD, buttons=three)}) == []
    horizontal = [button("가" * 8), button("나" * 8, "phone", phoneNumber="1588-0000")]
    assert problems({"textCard": changed(TEXT_CARD, buttons=horizontal, buttonLayout="horizontal")}) == []
    single = [button("가" * 14, "block", blockId="b1", extra={"a": 1})]
    assert problems({"textCard": changed(TEXT_CARD, buttons=single, buttonLayout="horizontal")}) == []


def test_fixed_ratio_thumbnail_makes_basic_card_buttons_horizontal() -> None:
    square = changed(BASIC, thumbnail={"imageUrl": IMAGE, "fixedRatio": True})
    three = [button(), button("b"), button("c")]
    assert problems({"basicCard": changed(square, buttons=three)}) == [
        f"{P}.basicCard.buttons: has 3 entries, over the limit of 2"
    ]
    assert problems({"basicCard": changed(square, buttons=three, buttonLayout="vertical")}) == []
    assert problems({"basicCard": changed(square, buttons=[button("가" * 9), button("b")])}) == [
        f"{P}.basicCard.buttons[0].label: is 9 characters, over the limit of 8"
    ]


C = f"{P}.carousel"


@pytest.mark.parametrize(
    ("component", "path", "message"),
    [
        (carousel("basicCard", [BASIC] * 11), "items", "has 11 entries, over the limit of 10"),
        (carousel("listCard", [LIST_CARD] * 6), "items", "has 6 entries, over the limit of 5"),
        (carousel("basicCard", []), "items", "has 0 entries, needs at least 1"),
        ({"carousel": {"items": [BASIC]}}, "type", "is required"),
        (
            carousel("simpleText", [{"text": "a"}]),
            "type",
            "must be one of basicCard, commerceCard, listCard, itemCard, textCard, got 'simpleText'",
        ),
        (
            carousel("basicCard", [{"basicCard": BASIC}]),
            "items[0]",
            "must be the basicCard itself, not wrapped in {'basicCard': …}",
        ),
        (carousel("basicCard", [BASIC, TEXT_CARD]), "items[1].thumbnail", "is required"),
        (
            carousel("textCard", [changed(TEXT_CARD, description="가" * 129)]),
            "items[0].description",
            "is 129 characters, over the limit of 128",
        ),
        (
            carousel("listCard", [changed(LIST_CARD, items=[{"title": "a"}] * 5)]),
            "items[0].items",
            "has 5 entries, over the limit of 4",
        ),
        (carousel("textCard", [TEXT_CARD], header=HEADER), "header", "is not allowed in a textCard carousel"),
        (carousel("listCard", [LIST_CARD], header=HEADER), "header", "is not allowed in a listCard carousel"),
        (
            carousel("basicCard", [BASIC], header={"title": "a", "description": "b"}),
            "header.thumbnail",
            "is required",
        ),
        (
            carousel("basicCard", [BASIC], header={"title": "a", "thumbnail": {"imageUrl": IMAGE}}),
            "header.description",
            "is required",
        ),
    ],
)
def test_carousel_violations(component: dict[str, Any], path: str, message: str) -> None:
    found = problems(component)
    assert len(found) == 1, found
    assert found[0].startswith(f"{at(C, path)}: {message}"), found


ITEM = f"{P}.itemCard"


@pytest.mark.parametrize(
    ("card", "path", "message"),
    [
        (changed(ITEM_CARD, itemList=...), "itemList", "is required"),
        (
            changed(ITEM_CARD, itemList=[{"title": "a", "description": "b"}] * 11),
            "itemList",
            "has 11 entries, over the limit of 10",
        ),
        (
            changed(ITEM_CARD, itemList=[{"title": "Departs", "description": "b"}]),
            "itemList[0].title",
            "is 7 characters, over the limit of 6",
        ),
        (changed(ITEM_CARD, itemList=[{"title": "a"}]), "itemList[0].description", "is required"),
        (
            changed(ITEM_CARD, itemListAlignment="center"),
            "itemListAlignment",
            "must be one of left, right, got 'center'",
        ),
        (
            changed(ITEM_CARD, itemListSummary={"title": "합계", "description": "₩1,000,000,000.00"}),
            "itemListSummary.description",
            "is 17 characters, over the limit of 14",
        ),
        (
            changed(ITEM_CARD, itemListSummary={"title": "총 결제 금액", "description": "₩1"}),
            "itemListSummary.title",
            "is 7 characters, over the limit of 6",
        ),
        (
            changed(ITEM_CARD, profile={"title": "가" * 16}),
            "profile.title",
            "is 16 characters, over the limit of 15",
        ),
        (changed(ITEM_CARD, profile={"imageUrl": IMAGE}), "profile.title", "is required"),
        (
            changed(ITEM_CARD, head={"title": "a"}, profile={"title": "b"}),
            "",
            "head and profile cannot be used together",
        ),
        (changed(ITEM_CARD, imageTitle={"description": "a"}), "imageTitle.title", "is required"),
        (
            changed(ITEM_CARD, title="가" * 100, description="나" * 101),
            "",
            "title+description is 201 characters, over the limit of 200",
        ),
        (changed(ITEM_CARD, title=...), "description", "needs a title"),
        (
            changed(ITEM_CARD, description="\n".join("줄" * 12)),
            "",
            "title+description has 13 lines, over the limit of 12",
        ),
        (
            changed(ITEM_CARD, thumbnail={"imageUrl": IMAGE, "width": 800, "height": 300}),
            "thumbnail",
            "width:height must be 2:1 or 1:1, got 800:300",
        ),
    ],
)
def test_item_card_violations(card: dict[str, Any], path: str, message: str) -> None:
    found = problems({"itemCard": card})
    assert len(found) == 1, found
    assert found[0].startswith(f"{at(ITEM, path)}: {message}"), found


def test_item_card_carousel_rules() -> None:
    wide = {"imageUrl": IMAGE, "width": 800, "height": 400}
    card = changed(ITEM_CARD, thumbnail=wide, title="결제", description="가" * 98)
    assert problems(carousel("itemCard", [card, card])) == []
    too_long = changed(card, description="가" * 99)
    assert problems(carousel("itemCard", [too_long])) == [
        f"{C}.items[0]: title+description is 101 characters, over the limit of 100"
    ]
    square = changed(card, thumbnail={"imageUrl": IMAGE})
    assert problems(carousel("itemCard", [square])) == [
        f"{C}.items[0].thumbnail: needs width and height in a 2:1 ratio inside a carousel"
    ]
    six = changed(card, itemList=[{"title": "a", "description": "b"}] * 6)
    assert problems(carousel("itemCard", [six])) == [
        f"{C}.items[0].itemList: has 6 entries, over the limit of 5"
    ]
    no_thumbnail = changed(card, thumbnail=...)
    assert problems(carousel("itemCard", [card, no_thumbnail, card])) == [
        f"{C}.items: thumbnail is used on 2 of 3 cards (all or none)"
    ]


def test_several_problems_are_all_reported() -> None:
    found = problems({"basicCard": {"title": "가" * 51, "buttons": [button("가" * 15, "webLink")]}})
    assert found == [
        f"{P}.basicCard.thumbnail: is required",
        f"{P}.basicCard.title: is 51 characters, over the limit of 50",
        f"{P}.basicCard.buttons[0].label: is 15 characters, over the limit of 14",
        f"{P}.basicCard.buttons[0].webLinkUrl: is required for action 'webLink'",
    ]
