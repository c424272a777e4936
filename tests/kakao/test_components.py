"""SimpleText, SimpleImage, Thumbnail, TextCard, BasicCard: exact JSON and every limit."""

import pytest

from app.kakao import BasicCard, Button, KakaoLimitError, SimpleImage, SimpleText, TextCard, Thumbnail

IMAGE = "https://cdn.example.com/guide/parking.png"


def buttons(count: int, label: str = "버튼") -> list[Button]:
    return [Button.message(f"{label}{index}") for index in range(count)]


def test_simple_text() -> None:
    assert SimpleText("주차 결제를 취소해 드릴게요.\n잠시만요.").to_dict() == {
        "simpleText": {"text": "주차 결제를 취소해 드릴게요.\n잠시만요."}
    }


def test_simple_text_boundaries() -> None:
    assert len(SimpleText("가" * 1000).text) == 1000
    with pytest.raises(KakaoLimitError, match=r"simpleText.text must be 1–1000 characters, got 1001"):
        SimpleText("가" * 1001)
    for blank in ("", " \n "):
        with pytest.raises(KakaoLimitError, match=r"simpleText.text must not be blank"):
            SimpleText(blank)


def test_simple_image() -> None:
    assert SimpleImage(IMAGE, "주차장 위치 안내").to_dict() == {
        "simpleImage": {"imageUrl": IMAGE, "altText": "주차장 위치 안내"}
    }
    assert len(SimpleImage(IMAGE, "가" * 50).alt_text) == 50
    with pytest.raises(KakaoLimitError, match=r"simpleImage.altText.*got 51"):
        SimpleImage(IMAGE, "가" * 51)
    with pytest.raises(KakaoLimitError, match=r"simpleImage.altText"):
        SimpleImage(IMAGE, "")
    with pytest.raises(KakaoLimitError, match=r"simpleImage.imageUrl"):
        SimpleImage("/static/parking.png", "안내")


def test_thumbnail() -> None:
    assert Thumbnail(IMAGE).to_dict() == {"imageUrl": IMAGE}
    assert Thumbnail(IMAGE, "충전기", fixed_ratio=True, link="https://example.com/ev").to_dict() == {
        "imageUrl": IMAGE,
        "altText": "충전기",
        "fixedRatio": True,
        "link": {"web": "https://example.com/ev"},
    }
    assert Thumbnail(IMAGE, alt_text="").to_dict() == {"imageUrl": IMAGE}
    assert Thumbnail(IMAGE, "가" * 50).alt_text == "가" * 50
    with pytest.raises(KakaoLimitError, match=r"thumbnail.altText"):
        Thumbnail(IMAGE, "가" * 51)
    with pytest.raises(KakaoLimitError, match=r"thumbnail.link"):
        Thumbnail(IMAGE, link="tel:15880000")
    with pytest.raises(KakaoLimitError, match=r"thumbnail.imageUrl"):
        Thumbnail("data:image/png;base64,AAAA")


def test_text_card() -> None:
    card = TextCard(
        "주차 결제 취소",
        "출차 전이라면 앱에서 바로 취소할 수 있어요.",
        [Button.message("취소 방법"), Button.operator()],
        button_layout="vertical",
    )
    assert card.to_dict() == {
        "textCard": {
            "title": "주차 결제 취소",
            "description": "출차 전이라면 앱에서 바로 취소할 수 있어요.",
            "buttons": [
                {"label": "취소 방법", "action": "message", "messageText": "취소 방법"},
                {"label": "상담직원 연결", "action": "operator"},
            ],
            "buttonLayout": "vertical",
        }
    }
    assert TextCard(description="설명만").to_dict() == {"textCard": {"description": "설명만"}}
    assert TextCard(title="제목만", description="").to_dict() == {"textCard": {"title": "제목만"}}


def test_text_card_limits() -> None:
    TextCard("가" * 50, "나" * 350)
    TextCard(description="나" * 400)
    with pytest.raises(KakaoLimitError, match=r"textCard.title.*got 51"):
        TextCard("가" * 51)
    with pytest.raises(KakaoLimitError, match=r"textCard.description.*got 401"):
        TextCard(description="나" * 401)
    with pytest.raises(KakaoLimitError, match=r"title\+description must be ≤ 400, got 401"):
        TextCard("가" * 50, "나" * 351)
    with pytest.raises(KakaoLimitError, match=r"title or a description"):
        TextCard()
    with pytest.raises(KakaoLimitError, match=r"title or a description"):
        TextCard(" ", "")


def test_vertical_buttons_up_to_three() -> None:
    assert len(TextCard("제목", buttons=buttons(3)).buttons) == 3
    with pytest.raises(KakaoLimitError, match=r"textCard buttons \(vertical\) must have 0–3 entries, got 4"):
        TextCard("제목", buttons=buttons(4))
    with pytest.raises(KakaoLimitError, match=r"vertical"):
        TextCard("제목", buttons=buttons(4), button_layout="vertical")


def test_horizontal_buttons_up_to_two_with_short_labels() -> None:
    TextCard("제목", buttons=[Button.message("가" * 8), Button.message("나" * 8)], button_layout="horizontal")
    TextCard("제목", buttons=[Button.message("가" * 14)], button_layout="horizontal")
    with pytest.raises(KakaoLimitError, match=r"horizontal button label.*got 9"):
        TextCard("제목", buttons=[Button.message("가" * 9), Button.message("나")], button_layout="horizontal")
    with pytest.raises(KakaoLimitError, match=r"buttons \(horizontal\) must have 0–2 entries, got 3"):
        TextCard("제목", buttons=buttons(3), button_layout="horizontal")


def test_unknown_button_layout_and_non_buttons() -> None:
    with pytest.raises(KakaoLimitError, match=r"buttonLayout"):
        TextCard("제목", button_layout="grid")  # type: ignore[arg-type]
    with pytest.raises(KakaoLimitError, match=r"must be Button"):
        TextCard("제목", buttons=[{"label": "a", "action": "message"}])  # type: ignore[list-item]


def test_basic_card() -> None:
    card = BasicCard(
        Thumbnail(IMAGE, "주차 영수증"),
        "영수증 확인",
        "앱 > 이용내역에서 영수증을 볼 수 있어요.",
        [Button.web_link("이용내역", "https://example.com/history")],
    )
    assert card.to_dict() == {
        "basicCard": {
            "thumbnail": {"imageUrl": IMAGE, "altText": "주차 영수증"},
            "title": "영수증 확인",
            "description": "앱 > 이용내역에서 영수증을 볼 수 있어요.",
            "buttons": [
                {"label": "이용내역", "action": "webLink", "webLinkUrl": "https://example.com/history"}
            ],
        }
    }
    assert BasicCard(Thumbnail(IMAGE)).to_dict() == {"basicCard": {"thumbnail": {"imageUrl": IMAGE}}}


def test_basic_card_limits() -> None:
    BasicCard(Thumbnail(IMAGE), "가" * 50, "나" * 230)
    with pytest.raises(KakaoLimitError, match=r"basicCard.title.*got 51"):
        BasicCard(Thumbnail(IMAGE), "가" * 51)
    with pytest.raises(KakaoLimitError, match=r"basicCard.description.*got 231"):
        BasicCard(Thumbnail(IMAGE), description="나" * 231)
    with pytest.raises(KakaoLimitError, match=r"basicCard.thumbnail is required"):
        BasicCard(None, "제목")  # type: ignore[arg-type]
    with pytest.raises(KakaoLimitError, match=r"vertical"):
        BasicCard(Thumbnail(IMAGE), buttons=buttons(4))


def test_basic_card_fixed_ratio_means_horizontal_buttons_unless_layout_says_otherwise() -> None:
    square = Thumbnail(IMAGE, fixed_ratio=True)
    BasicCard(square, buttons=buttons(2, "가" * 7))
    with pytest.raises(KakaoLimitError, match=r"horizontal"):
        BasicCard(square, buttons=buttons(3))
    with pytest.raises(KakaoLimitError, match=r"horizontal button label"):
        BasicCard(square, buttons=buttons(2, "가" * 8))
    assert len(BasicCard(square, buttons=buttons(3), button_layout="vertical").buttons) == 3


def test_builders_are_frozen() -> None:
    card = TextCard("제목", buttons=buttons(1))
    with pytest.raises(AttributeError):
        card.title = "다른 제목"  # type: ignore[misc]
    assert isinstance(card.buttons, tuple)
