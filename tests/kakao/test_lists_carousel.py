"""ListCard, ListItem, Carousel, CarouselHeader: exact JSON and every limit."""

import pytest

from app.kakao import (
    BasicCard,
    Button,
    Carousel,
    CarouselHeader,
    KakaoLimitError,
    ListCard,
    ListItem,
    TextCard,
    Thumbnail,
)

IMAGE = "https://cdn.example.com/ev.png"


def items(count: int) -> list[ListItem]:
    return [ListItem(f"항목 {index}") for index in range(count)]


def test_list_item_shapes() -> None:
    assert ListItem("충전 요금").to_dict() == {"title": "충전 요금"}
    assert ListItem(
        "충전 요금",
        "kWh당 요금 안내",
        image_url=IMAGE,
        link_web="https://example.com/fee",
    ).to_dict() == {
        "title": "충전 요금",
        "description": "kWh당 요금 안내",
        "imageUrl": IMAGE,
        "link": {"web": "https://example.com/fee"},
    }
    assert ListItem("결제 취소", action="block", block_id="b1", extra={"choice": "cancel"}).to_dict() == {
        "title": "결제 취소",
        "action": "block",
        "blockId": "b1",
        "extra": {"choice": "cancel"},
    }
    assert ListItem("결제 취소", action="message").to_dict() == {
        "title": "결제 취소",
        "action": "message",
        "messageText": "결제 취소",
    }


def test_list_item_errors() -> None:
    with pytest.raises(KakaoLimitError, match=r"listItem.title"):
        ListItem(" ")
    with pytest.raises(KakaoLimitError, match=r"listItem.blockId"):
        ListItem("이동", action="block")
    with pytest.raises(KakaoLimitError, match=r"needs action='block'"):
        ListItem("이동", block_id="b1")
    with pytest.raises(KakaoLimitError, match=r"need action"):
        ListItem("이동", extra={"a": 1})
    with pytest.raises(KakaoLimitError, match=r"listItem.action"):
        ListItem("이동", action="webLink")  # type: ignore[arg-type]
    with pytest.raises(KakaoLimitError, match=r"listItem.imageUrl"):
        ListItem("이동", image_url="ftp://x/y.png")
    with pytest.raises(KakaoLimitError, match=r"listItem.link.web"):
        ListItem("이동", link_web="www.example.com")


def test_list_card() -> None:
    card = ListCard("충전 문제 유형", [ListItem("충전이 안 돼요", action="message")], [Button.operator()])
    assert card.to_dict() == {
        "listCard": {
            "header": {"title": "충전 문제 유형"},
            "items": [{"title": "충전이 안 돼요", "action": "message", "messageText": "충전이 안 돼요"}],
            "buttons": [{"label": "상담직원 연결", "action": "operator"}],
        }
    }


def test_list_card_limits() -> None:
    assert len(ListCard("헤더", items(5)).items) == 5
    with pytest.raises(KakaoLimitError, match=r"listCard.items must have 1–5 entries, got 6"):
        ListCard("헤더", items(6))
    with pytest.raises(KakaoLimitError, match=r"listCard.items must have 1–5 entries, got 0"):
        ListCard("헤더", [])
    with pytest.raises(KakaoLimitError, match=r"listCard.header.title"):
        ListCard("", items(1))
    with pytest.raises(KakaoLimitError, match=r"horizontal"):
        ListCard("헤더", items(1), [Button.share("a"), Button.share("b"), Button.share("c")], "horizontal")


def test_carousel_of_basic_cards_with_header() -> None:
    header = CarouselHeader("충전소 안내", "가까운 충전소예요", Thumbnail(IMAGE, "무시됨", fixed_ratio=True))
    carousel = Carousel([BasicCard(Thumbnail(IMAGE), "강남"), BasicCard(Thumbnail(IMAGE), "역삼")], header)
    assert carousel.item_type == "basicCard"
    assert carousel.to_dict() == {
        "carousel": {
            "type": "basicCard",
            "items": [
                {"thumbnail": {"imageUrl": IMAGE}, "title": "강남"},
                {"thumbnail": {"imageUrl": IMAGE}, "title": "역삼"},
            ],
            "header": {
                "title": "충전소 안내",
                "description": "가까운 충전소예요",
                "thumbnail": {"imageUrl": IMAGE},
            },
        }
    }


def test_carousel_type_is_derived_from_the_items() -> None:
    assert Carousel([TextCard("a")]).to_dict() == {
        "carousel": {"type": "textCard", "items": [{"title": "a"}]}
    }
    assert Carousel([ListCard("h", items(1))]).item_type == "listCard"


def test_carousel_counts() -> None:
    assert len(Carousel([TextCard(f"{n}") for n in range(10)]).items) == 10
    with pytest.raises(KakaoLimitError, match=r"carousel.items \(textCard\) must have 1–10 entries, got 11"):
        Carousel([TextCard(f"{n}") for n in range(11)])
    assert len(Carousel([ListCard("h", items(1)) for _ in range(5)]).items) == 5
    with pytest.raises(KakaoLimitError, match=r"carousel.items \(listCard\) must have 1–5 entries, got 6"):
        Carousel([ListCard("h", items(1)) for _ in range(6)])
    with pytest.raises(KakaoLimitError, match=r"at least 1"):
        Carousel([])


def test_carousel_item_limits_are_stricter() -> None:
    Carousel([ListCard("h", items(4))])
    with pytest.raises(KakaoLimitError, match=r"carousel.items\[0\].items \(listCard in a carousel\).*got 5"):
        Carousel([ListCard("h", items(5))])
    Carousel([TextCard(description="가" * 128)])
    with pytest.raises(KakaoLimitError, match=r"carousel.items\[1\].description.*got 129"):
        Carousel([TextCard("a"), TextCard(description="가" * 129)])


def test_carousel_items_must_share_one_card_type() -> None:
    with pytest.raises(KakaoLimitError, match=r"items\[1\] must be a textCard"):
        Carousel([TextCard("a"), BasicCard(Thumbnail(IMAGE))])


def test_carousel_rejects_non_cards() -> None:
    from app.kakao import SimpleText

    with pytest.raises(KakaoLimitError, match=r"must be cards"):
        Carousel([SimpleText("a")])  # type: ignore[list-item]


@pytest.mark.parametrize("card", [TextCard("a"), ListCard("h", [ListItem("a")])])
def test_no_header_for_text_card_and_list_card_carousels(card: TextCard | ListCard) -> None:
    header = CarouselHeader("제목", "설명", Thumbnail(IMAGE))
    with pytest.raises(KakaoLimitError, match=r"header is not allowed"):
        Carousel([card], header)


def test_carousel_header_needs_everything() -> None:
    with pytest.raises(KakaoLimitError, match=r"header.title"):
        CarouselHeader("", "설명", Thumbnail(IMAGE))
    with pytest.raises(KakaoLimitError, match=r"header.description"):
        CarouselHeader("제목", " ", Thumbnail(IMAGE))
    with pytest.raises(KakaoLimitError, match=r"header.thumbnail"):
        CarouselHeader("제목", "설명", None)  # type: ignore[arg-type]
