"""Button and QuickReply: exact JSON and every limit."""

import pytest

from app.kakao import Button, KakaoLimitError, QuickReply

LABEL_14 = "가" * 14
LABEL_15 = "가" * 15


def test_message_button_sends_the_label_unless_told_otherwise() -> None:
    assert Button.message("처음으로").to_dict() == {
        "label": "처음으로",
        "action": "message",
        "messageText": "처음으로",
    }
    assert Button.message("네", "네, 해결됐어요", extra={"node": "end", "answer": True}).to_dict() == {
        "label": "네",
        "action": "message",
        "messageText": "네, 해결됐어요",
        "extra": {"node": "end", "answer": True},
    }


def test_block_button() -> None:
    assert Button.block("결제 취소", "70ff2fef2c2578e6ab1932fb").to_dict() == {
        "label": "결제 취소",
        "action": "block",
        "blockId": "70ff2fef2c2578e6ab1932fb",
    }
    assert Button.block("취소", "b1", "결제 취소할게요", {"choice": "cancel"}).to_dict() == {
        "label": "취소",
        "action": "block",
        "blockId": "b1",
        "messageText": "결제 취소할게요",
        "extra": {"choice": "cancel"},
    }


def test_other_button_kinds() -> None:
    assert Button.web_link("이용 가이드", "https://example.com/guide?a=1").to_dict() == {
        "label": "이용 가이드",
        "action": "webLink",
        "webLinkUrl": "https://example.com/guide?a=1",
    }
    assert Button.phone("고객센터 전화", "1588-0000").to_dict() == {
        "label": "고객센터 전화",
        "action": "phone",
        "phoneNumber": "1588-0000",
    }
    assert Button.operator().to_dict() == {"label": "상담직원 연결", "action": "operator"}
    assert Button.operator("상담원").to_dict() == {"label": "상담원", "action": "operator"}
    assert Button.share("공유하기").to_dict() == {"label": "공유하기", "action": "share"}


def test_empty_extra_is_omitted_and_extra_is_detached() -> None:
    assert "extra" not in Button.message("a", extra={}).to_dict()
    extra = {"facts": {"car": "12가3456"}}
    button = Button.message("a", extra=extra)
    extra["facts"]["car"] = "changed"
    button.to_dict()["extra"]["facts"]["car"] = "mutated"
    assert button.to_dict()["extra"] == {"facts": {"car": "12가3456"}}


@pytest.mark.parametrize("label", ["", "   ", LABEL_15, "상담직원에게 바로 연결하기 버튼"])
def test_button_label_limits(label: str) -> None:
    with pytest.raises(KakaoLimitError, match=r"button label"):
        Button.message(label)


def test_button_label_boundary() -> None:
    assert Button.message(LABEL_14).label == LABEL_14
    assert Button.message("가").label == "가"
    with pytest.raises(KakaoLimitError, match=r"1–14 characters, got 15"):
        Button.message(LABEL_15)


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "https://example.com/a?b=c", "HTTPS://EXAMPLE.COM"],
)
def test_web_link_accepts_http_urls(url: str) -> None:
    assert Button.web_link("열기", url).web_link_url == url


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com", "javascript:alert(1)", "kakaotalk://plusfriend", "example.com", "https://", "", " https://a.com"],
)  # fmt: skip
def test_web_link_rejects_other_urls(url: str) -> None:
    with pytest.raises(KakaoLimitError, match=r"webLinkUrl"):
        Button.web_link("열기", url)


@pytest.mark.parametrize("number", ["1588-0000", "02-123-4567", "+82 10 1234 5678", "(02) 1234-5678"])
def test_phone_accepts_numbers(number: str) -> None:
    assert Button.phone("전화", number).phone_number == number


@pytest.mark.parametrize("number", ["", "전화번호", "1588-0000 내선", "--"])
def test_phone_rejects_non_numbers(number: str) -> None:
    with pytest.raises(KakaoLimitError, match=r"phoneNumber"):
        Button.phone("전화", number)


@pytest.mark.parametrize("block_id", ["", "  "])
def test_block_button_needs_a_block_id(block_id: str) -> None:
    with pytest.raises(KakaoLimitError, match=r"blockId"):
        Button.block("이동", block_id)


def test_unknown_button_action() -> None:
    with pytest.raises(KakaoLimitError, match=r"action"):
        Button("친구 추가", "addChannel")  # type: ignore[arg-type]


@pytest.mark.parametrize("extra", [{"when": object()}, {"n": float("nan")}, ["a"]])
def test_extra_must_be_a_json_object(extra: object) -> None:
    with pytest.raises(KakaoLimitError, match=r"extra"):
        Button.message("a", extra=extra)  # type: ignore[arg-type]
    with pytest.raises(KakaoLimitError, match=r"extra"):
        QuickReply.message("a", extra=extra)  # type: ignore[arg-type]


def test_quick_replies() -> None:
    assert QuickReply.message("처음으로").to_dict() == {
        "label": "처음으로",
        "action": "message",
        "messageText": "처음으로",
    }
    assert QuickReply.message(
        "주차 결제 취소", extra={"node": "main.menu", "choice": "주차 결제 취소"}
    ).to_dict() == {
        "label": "주차 결제 취소",
        "action": "message",
        "messageText": "주차 결제 취소",
        "extra": {"node": "main.menu", "choice": "주차 결제 취소"},
    }
    assert QuickReply.block("이전", "582602601deb091f3a774524", extra={"go": "back"}).to_dict() == {
        "label": "이전",
        "action": "block",
        "blockId": "582602601deb091f3a774524",
        "extra": {"go": "back"},
    }
    assert QuickReply.block("이전", "b1", "이전 단계로").to_dict()["messageText"] == "이전 단계로"


def test_quick_reply_label_boundary() -> None:
    assert QuickReply.message(LABEL_14).label == LABEL_14
    with pytest.raises(KakaoLimitError, match=r"quickReply label must be 1–14 characters, got 15"):
        QuickReply.message(LABEL_15)
    with pytest.raises(KakaoLimitError, match=r"quickReply label"):
        QuickReply.message(" ")


def test_quick_reply_block_needs_a_block_id_and_known_action() -> None:
    with pytest.raises(KakaoLimitError, match=r"blockId"):
        QuickReply.block("이동", "")
    with pytest.raises(KakaoLimitError, match=r"action"):
        QuickReply("이동", "webLink")  # type: ignore[arg-type]


def test_a_quick_reply_gives_a_fresh_extra_every_time() -> None:
    flat = QuickReply.message("1번", extra={"node": "ev.q1", "choice": "1번", "n": 1, "ok": None})
    nested = QuickReply.message("2번", extra={"node": "ev.q1", "facts": {"car": "12가3456"}})
    for reply in (flat, nested):
        first = reply.to_dict()
        first["extra"]["node"] = "mutated"
        first["extra"].get("facts", {})["car"] = "mutated"
        assert reply.to_dict()["extra"]["node"] == "ev.q1"
    assert flat.to_dict()["extra"] == {"node": "ev.q1", "choice": "1번", "n": 1, "ok": None}
    assert nested.to_dict()["extra"] == {"node": "ev.q1", "facts": {"car": "12가3456"}}
    assert flat == QuickReply.message("1번", extra={"node": "ev.q1", "choice": "1번", "n": 1, "ok": None})
