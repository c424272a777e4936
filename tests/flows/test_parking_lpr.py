"""Seed 002 — 주차 본인 미사용 (번호판 오인식): the whole flow through POST /skill, as a customer walks it.

Every walk is done by tapping (with clientExtra), by tapping when Kakao sends only the label, and by typing
natural answers; each answer the customer reads is kept and checked for agent-internal wording and, when
the vehicle's ownership is not verified, for the parking lot's name (the guide's masking rule).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from flask.testing import FlaskClient

from app.engine.reply import HandoffRequest
from app.handoff.record import SEOUL
from app.understanding.extract import find_datetime
from tests.chat import Chat

CATEGORY = "주차_고객 ▶ 결제 ▶ 본인 미사용"
SELF_CANCEL_URL = "https://t.kakao.com/launch?page=order"
PASS_URL = (
    "https://t.kakao.com/launch?scheme=kakaot&type=parking&action="
    "&data=%7B%22page%22%3A%22register%22%2C%22ref%22%3A%22navi%22%7D"
)
# Wording of the guide's agent-only parts: never in anything the customer reads.
AGENT_ONLY = (
    *("어드민", "보전처리", "상담유형", "응대순서", "상담제한", "선언급", "픽 취소", "픽 상태", "직영"),
    *("쿠폰", "T포인트", "폐점", "미수철회", "연동", "zendesk", "24.9.6", "24.7.26", "agent_"),
)
# The bot cannot cancel by itself: it must never say that something has already been cancelled.
CLAIMS_DONE = (
    "취소되었으니",
    "취소되었습니다",
    "취소 완료",
    "완료하였",
    "취소했습니다",
    "철회했",
    "철회되었",
)

MODES = ("tap", "label", "typed")
ENTRY_TIME = "6월 24일 오후 3시경"
ENTERED = find_datetime(
    ENTRY_TIME, datetime.now(SEOUL).date()
)  # what the agent gets: "6월 24일(수) 오후 3시경"
AREA = "서울시 강남구"
LOT = "역삼역 공영주차장"
SECRET_LOT = "비밀숲 공영주차장"  # a lot name the customer types although ownership is not verified

IDENTITY = ("네, 본인이에요", "네 제가 가입자 본인입니다")
CONFIRM = ("네, 맞아요", "맞아요")
OWNERSHIP = {
    "완료": ("네, 인증했어요", "네 소유인증 했어요"),
    "미인증": ("아니요", "인증 안 했어요"),
    "모름": ("잘 모르겠어요", "소유인증이 뭔지 모르겠어요"),
}
STATUS = {
    "이용 중": ("이용 중", "앱에 주차 중으로 떠 있어요"),
    "결제 완료": ("결제 완료", "이미 결제됐어요"),
    "앱에서 직접 취소함": ("앱에서 직접 취소", "제가 앱에서 취소했어요"),
    "미결제(미수)": ("미결제(미수)", "미수로 남아 있어요"),
    "확인 필요": ("잘 모르겠어요", "잘 몰라요"),
}
CANCEL = ("취소 요청하기", "취소해 주세요")


class Walk(Chat):
    """A Chat with the answer helpers of this guide; `seen` keeps every answer of the walk."""

    def answer(self, mode: str, label: str, typed: str) -> Walk:
        if mode == "tap":
            return self.tap(label)  # type: ignore[return-value]
        if mode == "label":
            return self.tap(label, extra=False)  # type: ignore[return-value]
        return self.say(typed)

    def assert_customer_safe(self, *hidden: str) -> None:
        for text in self.seen:
            for word in (*AGENT_ONLY, *CLAIMS_DONE, *hidden):
                assert word not in text, f"{word!r} shown to the customer in:\n{text}"


def opened(client: FlaskClient, utterance: str = "주차 안 했는데 결제됐어요") -> Walk:
    walk = Walk(client).say(utterance)
    assert "가입자 본인이신가요?" in walk.text
    return walk


def reach_status(walk: Walk, mode: str, ownership: str = "미인증", place: str | None = None) -> Walk:
    walk.answer(mode, *IDENTITY)
    assert "차량번호를 알려 주세요" in walk.text and "12가3456" in walk.text
    walk.say("12가 3456")
    assert "12가3456 차량이 고객님께서 이용하시는 차량이 맞을까요?" in walk.text
    walk.answer(mode, *CONFIRM)
    assert "소유인증" in walk.text
    walk.answer(mode, *OWNERSHIP[ownership])
    assert "입차 날짜와 시간" in walk.text
    walk.say(ENTRY_TIME)
    if ownership == "완료":
        assert "주차장 이름을 알려 주세요" in walk.text
    else:
        assert "지역을 알려 주세요" in walk.text and "서울시 강남구" in walk.text
        assert "주차장 이름 대신 지역만" in walk.text
    walk.say(place or (LOT if ownership == "완료" else AREA))
    assert "빛 반사나 각도" in walk.text and "어떤 상태로 보이나요?" in walk.text
    assert walk.labels[:5] == ["이용 중", "결제 완료", "앱에서 직접 취소", "미결제(미수)", "잘 모르겠어요"]
    return walk


def facts_of(handoff: HandoffRequest) -> dict[str, str]:
    return {f.key: f.value for f in handoff.facts}


def notes_of(handoff: HandoffRequest) -> str:
    return "\n".join(handoff.agent_notes)


POLICY = (
    "직영 주차장: 본인 미사용 시 픽 취소 이후 보전처리 불필요 (24.9.6)",
    "주차장 폐점: 1차 쿠폰제시 > 2차 T포인트 보상 (미수: 결제 후 T포인트 보상)",
    "인천공항 주차장 결제취소/미수철회: 센터에서 인천공항 연락 > 당사에서 보전처리 진행예정 안내 후 처리",
    "미수: 본인 미사용 시 미수철회 후 보전처리 (1년 경과 여부 무관)",
    "[응대순서] 차량번호 탐색 ▶ 상황설명 및 픽 상태에 따른 취소 ▶ 기기 점검 요청 및 개선노력 안내",
    "[상담유형] 주차_고객 ▶ 결제 ▶ 본인 미사용 ▶ 연동 / 비연동 / 기타",
    "주차장으로 설비기기 점검 요청",
)


# -- ① entry and identity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "utterance",
    [
        "주차 안 했는데 결제됐어요",
        "주차 중 알림이 왔어요",
        "번호판 오인식 같아요",
        "오인식으로 결제가 됐어요",
        "주차 결제 취소",
    ],
)
def test_free_text_opens_the_identity_question(client: FlaskClient, utterance: str) -> None:
    walk = opened(client, utterance)
    assert "많이 놀라셨겠어요" in walk.text
    assert walk.labels[:2] == ["네, 본인이에요", "아니요"]


@pytest.mark.parametrize("with_extra", [True, False])
def test_menu_opens_the_identity_question(client: FlaskClient, with_extra: bool) -> None:
    walk = Walk(client).say("처음으로").tap("주차 결제 취소", extra=with_extra)
    assert "가입자 본인이신가요?" in walk.text


@pytest.mark.parametrize(
    "utterance",
    [
        "기기 인증이 안돼요",
        "기기 인증이 실패했어요",
        "인증 문자를 보냈어요",
        "충전기 커넥터가 안 빠져요",
        "충전 오류로 인증실패",
        "전기차 충전이 끝났는데 이용 중이에요",
        "전기차 충전 완료됐는데 계속 이용중으로 떠요",
    ],
)
def test_other_services_are_not_claimed(client: FlaskClient, utterance: str) -> None:
    assert "이용하지 않으신 주차 내역" not in Walk(client).say(utterance).text


@pytest.mark.parametrize(
    ("mode", "typed"),
    [("tap", ""), ("label", ""), ("typed", "아니요, 남편 계정이에요"), ("typed", "가족이 대신 문의해요")],
)
def test_someone_else_is_refused_politely_and_asked_nothing(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str, typed: str
) -> None:
    walk = opened(client).answer(mode, "아니요", typed)
    assert "가입자 본인께만 안내해 드릴 수 있어요" in walk.text
    assert "가입자 본인께서 직접 문의해 주시면" in walk.text
    assert walk.labels == ["처음으로"]
    for word in ("차량번호", "주차장 이름", "지역", "상태"):
        assert word not in walk.text
    walk.say("12가3456")  # the conversation is over: a plate now leads nowhere into the account
    assert "차량이 고객님께서 이용하시는 차량이 맞을까요" not in walk.text
    assert handoffs == []
    walk.assert_customer_safe()


def test_unclear_identity_answer_reprompts(client: FlaskClient) -> None:
    walk = opened(client).say("음 글쎄요")
    assert "가입자 본인이시면 [네, 본인이에요]" in walk.text
    assert walk.labels[:2] == ["네, 본인이에요", "아니요"]


# -- ② vehicle number -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["12가34", "가나다라마", "1234567", "12A3456", "주차 안 했어요"])
def test_bad_plate_reprompts_with_an_example(client: FlaskClient, bad: str) -> None:
    walk = opened(client).tap("네, 본인이에요").say(bad)
    assert "차량번호 형식이 아니에요" in walk.text
    assert "12가3456, 123가4567 또는 서울12가3456" in walk.text
    walk.say("12가3456")
    assert "12가3456 차량이 고객님께서 이용하시는 차량이 맞을까요?" in walk.text


@pytest.mark.parametrize(
    ("typed", "plate"),
    [
        ("12가3456", "12가3456"),
        ("123가 4567", "123가4567"),
        ("서울 12가 3456", "서울12가3456"),
        ("12-가-3456", "12가3456"),
    ],
)
def test_plate_formats_are_accepted_and_confirmed_back(client: FlaskClient, typed: str, plate: str) -> None:
    walk = opened(client).tap("네, 본인이에요").say(typed)
    assert f"{plate} 차량이 고객님께서 이용하시는 차량이 맞을까요?" in walk.text
    assert walk.labels[:2] == ["네, 맞아요", "아니요, 다시 입력"]


def test_three_bad_plates_offer_an_agent_who_gets_the_parking_category(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    walk = opened(client).tap("네, 본인이에요").say("몰라요").say("모름").say("?")
    assert "상담직원 연결" in walk.labels and "[상담직원 연결]" in walk.text
    walk.tap("상담직원 연결")
    assert handoffs[-1].category == CATEGORY and handoffs[-1].reason == "retry_limit"
    assert facts_of(handoffs[-1]) == {"parking_holder": "본인"}
    assert handoffs[-1].node == "parking_lpr.agent_handoff"
    notes = notes_of(handoffs[-1])
    assert "[연결] 챗봇이 고객 답변을 3번 인식하지 못해" in notes
    assert all(line in notes for line in POLICY)


@pytest.mark.parametrize(("mode", "typed"), [("tap", ""), ("label", ""), ("typed", "아니요 틀렸어요")])
def test_wrong_plate_can_be_entered_again(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str, typed: str
) -> None:
    walk = opened(client).tap("네, 본인이에요").say("12가3456")
    walk.answer(mode, "아니요, 다시 입력", typed)
    assert "차량번호를 알려 주세요" in walk.text
    walk.say("34나 5678")
    assert "34나5678 차량이 고객님께서 이용하시는 차량이 맞을까요?" in walk.text
    walk.tap("네, 맞아요").tap("아니요").say(ENTRY_TIME).say(AREA).tap("이용 중").tap("취소 요청하기")
    assert facts_of(handoffs[-1])["parking_plate"] == "34나5678"


# -- ③ status → what will happen → handoff ------------------------------------------------------------

STATUS_PROMISE = {
    "이용 중": (
        "이용 중으로 보이는 내역은 상담직원이 확인한 뒤 신속하게 취소해 드릴게요",
        "결제되지 않으니 안심",
    ),
    "결제 완료": ("신속하게 결제를 취소해 드릴게요", "카드사에 따라 영업일 기준 3-5일"),
    "미결제(미수)": (
        "미결제(미수)로 남은 주차요금은 상담직원이 확인한 뒤 철회해 드릴게요",
        "따로 결제하지 않으셔도",
    ),
    "확인 필요": ("이용 중이면 결제되지 않도록 취소하고", "이미 결제되었으면 결제를 취소해 드려요"),
}
HANDOFF_PROMISE = {
    "이용 중": "결제되지 않도록 이용을 취소해 드릴게요",
    "결제 완료": "영업일 기준 3-5일",
    "미결제(미수)": "미결제 요금을 철회해 드릴게요",
    "확인 필요": "내역의 상태를 확인한 뒤 취소를 도와드릴게요",
}
AGENT_ACTION = {
    "이용 중": "[처리] 이용 중 → 픽 취소",
    "결제 완료": "[처리] 이용완료 → 결제취소",
    "미결제(미수)": "[처리] 미수 → 미수철회 후 보전처리 (1년 경과 여부 무관)",
    "확인 필요": "[처리] 고객이 상태를 모름 → 픽 상태 확인 후",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", list(STATUS_PROMISE))
def test_each_status_says_what_will_happen_and_hands_off_everything(
    client: FlaskClient, handoffs: list[HandoffRequest], status: str, mode: str
) -> None:
    walk = reach_status(opened(client), mode)
    walk.answer(mode, *STATUS[status])
    for phrase in STATUS_PROMISE[status]:
        assert phrase in walk.text
    assert "주차장에 설비기기 점검을 요청할게요" in walk.text  # ④
    assert walk.labels[:5] == [
        "취소 요청하기",
        "또 생길까 걱정돼요",
        "주차패스 해지",
        "차량 도용 의심",
        "주차장명이 안 보여요",
    ]
    assert handoffs == []  # nothing is passed on before the customer asks for it

    walk.answer(mode, *CANCEL)
    assert HANDOFF_PROMISE[status] in walk.text
    assert "처리 결과는 상담직원이 안내해 드릴게요" in walk.text
    assert "상담직원 연결" in [b["label"] for b in walk.buttons()]
    (handoff,) = handoffs
    assert (
        handoff.category == CATEGORY and handoff.reason == "cancel_request" and handoff.flow == "parking_lpr"
    )
    assert facts_of(handoff) == {
        "parking_holder": "본인",
        "parking_plate": "12가3456",
        "parking_ownership": "미인증",
        "parking_entry_time": ENTERED,
        "parking_area": AREA,
        "parking_status": status,
    }
    labels = {f.key: f.label for f in handoff.facts}
    assert labels["parking_status"] == "앱 표시 상태" and labels["parking_entry_time"] == "입차 일시"
    notes = notes_of(handoff)
    assert AGENT_ACTION[status] in notes
    for line in POLICY:
        assert line in notes
    assert "주차장명 선언급 불가" in notes
    walk.assert_customer_safe()


@pytest.mark.parametrize("mode", MODES)
def test_self_cancelled_is_reassured_and_needs_no_handoff(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str
) -> None:
    walk = reach_status(opened(client), mode)
    walk.answer(mode, *STATUS["앱에서 직접 취소함"])
    assert "앱에서 직접 취소하셔서 결제되지 않으니 안심하셔도 괜찮아요" in walk.text
    assert "따로 내실 요금은 없어요" in walk.text
    assert "설비기기 점검" in walk.text
    assert walk.labels[:2] == ["확인했어요", "확인 요청하기"]
    assert "취소 요청하기" not in walk.labels
    walk.answer(mode, "확인했어요", "네 알겠어요 감사합니다")
    assert "해결되었다니 다행이에요" in walk.text
    assert handoffs == []
    walk.assert_customer_safe()


@pytest.mark.parametrize(("mode", "typed"), [("tap", ""), ("typed", "그래도 한 번 더 확인해 주세요")])
def test_self_cancelled_customer_may_still_ask_for_a_check(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str, typed: str
) -> None:
    walk = reach_status(opened(client), "tap").tap("앱에서 직접 취소")
    walk.answer(mode, "확인 요청하기", typed)
    (handoff,) = handoffs
    assert handoff.category == CATEGORY and handoff.reason == "needs_check"
    assert facts_of(handoff)["parking_status"] == "앱에서 직접 취소함"
    assert "[처리] 고객이 앱에서 직접 취소함" in notes_of(handoff)
    walk.assert_customer_safe()


def test_unclear_status_answer_reprompts(client: FlaskClient) -> None:
    walk = reach_status(opened(client), "tap").say("음")
    assert "앱에 보이는 상태를 아래 버튼 중에서 골라 주세요" in walk.text
    assert walk.labels[0] == "이용 중"


# -- masking rule ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("ownership", ["미인증", "모름"])
@pytest.mark.parametrize("mode", ["tap", "typed"])
def test_unverified_owner_never_hears_the_lot_name(
    client: FlaskClient, handoffs: list[HandoffRequest], ownership: str, mode: str
) -> None:
    walk = reach_status(opened(client), mode, ownership, place=f"강남구 {SECRET_LOT}")
    walk.answer(mode, *STATUS["이용 중"])
    walk.say("이건 무슨 말이에요?")  # a re-prompt
    for label, typed in [
        ("또 생길까 걱정돼요", "또 생길까 걱정돼요"),
        ("주차패스 해지", "주차패스 해지하고 싶어요"),
        ("주차장명이 안 보여요", "주차장 이름이 왜 안 보이나요"),
        ("차량 도용 의심", "대포차 같아요"),
    ]:
        walk.answer(mode, label, typed)
    walk.answer(mode, "네, 확인해 주세요", "네 괜찮아요")  # the handoff card lists what is passed on
    (handoff,) = handoffs
    assert handoff.reason == "vehicle_check"
    area = next(f for f in handoff.facts if f.key == "parking_area")
    assert area.value == f"강남구 {SECRET_LOT}" and not area.customer_visible
    assert "parking_lot" not in facts_of(handoff)
    assert f"[소유인증] {ownership} — 주차장명 선언급 불가" in notes_of(handoff)
    assert "차량번호: 12가3456" in walk.text  # the card still repeats the visible facts
    walk.assert_customer_safe(SECRET_LOT, "비밀숲")


def test_agent_command_mid_flow_keeps_the_lot_name_hidden(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    walk = reach_status(opened(client), "tap", "미인증", place=SECRET_LOT).say("상담원 연결해 주세요")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY and handoff.reason == "customer_request"
    assert handoff.node == "parking_lpr.agent_handoff"
    assert facts_of(handoff)["parking_area"] == SECRET_LOT
    assert "[소유인증] 미인증 — 주차장명 선언급 불가" in notes_of(handoff)
    assert "12가3456" in walk.text
    walk.assert_customer_safe(SECRET_LOT)


def test_verified_owner_hears_the_lot_name_and_the_agent_gets_it(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    walk = reach_status(opened(client), "tap", "완료")
    assert f"{LOT}에서 12가3456 차량으로 잡힌 이 내역은" in walk.text
    walk.tap("결제 완료").tap("취소 요청하기")
    (handoff,) = handoffs
    lot = next(f for f in handoff.facts if f.key == "parking_lot")
    assert lot.value == LOT and not lot.customer_visible
    assert facts_of(handoff)["parking_ownership"] == "완료"
    assert "[소유인증] O — 주차장명 선언급 가능" in notes_of(handoff)
    assert LOT not in walk.text  # the handoff card never repeats the lot
    walk.assert_customer_safe()


def test_changing_ownership_to_unverified_hides_a_lot_name_given_before(client: FlaskClient) -> None:
    walk = reach_status(opened(client), "tap", "완료", place=SECRET_LOT)
    assert SECRET_LOT in walk.text
    walk.tap("이전").tap("이전").tap("이전")  # status → lot → entry time → ownership
    assert "소유인증을 하셨나요?" in walk.text
    walk.seen.clear()
    walk.tap("아니요").say(ENTRY_TIME).say(AREA)
    assert "12가3456 차량으로 잡힌 이 내역은" in walk.text
    walk.tap("이용 중").tap("주차장명이 안 보여요")
    walk.assert_customer_safe(SECRET_LOT)


# -- follow-ups -------------------------------------------------------------------------------------------

FOLLOW_UPS = [
    (
        "또 생길까 걱정돼요",
        "매번 이렇게 취소해야 하나요?",
        (
            "주차 중 이용내역 - [앱결제 취소]",
            "무역센터(코엑스), 남이섬, 인천공항 주차장은 제외",
            "고객센터로 문의",
        ),
        ("앱결제 취소하기", SELF_CANCEL_URL),
    ),
    (
        "주차패스 해지",
        "주차패스 해지하고 싶어요",
        ("카카오 T 앱 - 아래쪽 [등록정보 확인하기] - 오른쪽 위 [ ⋮ ] - 주차패스 해지",),
        ("주차패스 해지하기", PASS_URL),
    ),
    (
        "주차장명이 안 보여요",
        "주차장 이름이 왜 안 보이나요",
        ("소유인증이 되지 않은 차량은 개인정보 보호를 위해 주차장 이름이 가려져(마스킹) 보여요",),
        None,
    ),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("label", "typed", "says", "link"), FOLLOW_UPS)
def test_follow_ups_after_the_answer_come_back_to_the_cancel_request(
    client: FlaskClient,
    handoffs: list[HandoffRequest],
    mode: str,
    label: str,
    typed: str,
    says: tuple[str, ...],
    link: tuple[str, str] | None,
) -> None:
    walk = reach_status(opened(client), "tap").tap("결제 완료")
    walk.answer(mode, label, typed)
    for phrase in says:
        assert phrase in walk.text
    links = [(b["label"], b.get("webLinkUrl")) for b in walk.buttons() if b.get("action") == "webLink"]
    assert links == ([link] if link else [])
    assert walk.labels[0] == "취소 요청하기"  # the cancel request is still waiting
    assert len(walk.last["template"]["outputs"]) <= 3
    walk.tap("취소 요청하기")
    assert facts_of(handoffs[-1])["parking_status"] == "결제 완료"
    walk.assert_customer_safe()


@pytest.mark.parametrize(("label", "typed", "says", "link"), FOLLOW_UPS)
def test_follow_ups_after_self_cancel_come_back_to_its_menu(
    client: FlaskClient, label: str, typed: str, says: tuple[str, ...], link: tuple[str, str] | None
) -> None:
    walk = reach_status(opened(client), "tap").tap("앱에서 직접 취소").say(typed)
    assert says[0] in walk.text
    assert walk.labels[:2] == ["확인했어요", "확인 요청하기"]


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        ("매번 취소해야 하나요?", "주차 중 이용내역 - [앱결제 취소]"),
        ("앱결제 취소는 어떻게 해요", "주차 중 이용내역 - [앱결제 취소]"),
        ("마스킹은 왜 하는 거예요", "개인정보 보호를 위해 주차장 이름이 가려져"),
        ("주차패스 해지하고 싶어요", "[등록정보 확인하기]"),
        ("주차패스 해지는 어떻게 하나요", "[등록정보 확인하기]"),
        ("주차패스 취소하고 싶어요", "[등록정보 확인하기]"),
        ("주차장 이름이 왜 안 보이나요", "주차장 이름이 가려져(마스킹)"),
        ("주차장명이 왜 안 보여요", "주차장 이름이 가려져(마스킹)"),
        ("주차장 이름이 가려져 있어요", "주차장 이름이 가려져(마스킹)"),
    ],
)
def test_follow_ups_from_a_first_message_end_with_the_solved_question(
    client: FlaskClient, handoffs: list[HandoffRequest], utterance: str, says: str
) -> None:
    walk = Walk(client).say(utterance)
    assert says in walk.text and "해결되었나요?" in walk.text
    assert walk.labels[:2] == ["네, 해결됐어요", "아니요"]
    walk.tap("아니요")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY and handoff.reason == "needs_check"
    notes = notes_of(handoff)
    assert "[본인확인] 계정 가입자 본인 여부 미확인" in notes and "[처리] 픽 상태 미확인" in notes
    walk.assert_customer_safe()


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        ("주차패스 해지하고 싶어요", "[등록정보 확인하기]"),
        ("주차장 이름이 왜 안 보이나요", "주차장 이름이 가려져(마스킹)"),
        ("매번 취소해야 하나요", "[앱결제 취소]"),
        ("대포차 같아요", "걱정하시는 마음 충분히 공감해요"),
    ],
)
def test_free_text_at_the_status_question_lands_on_the_follow_up(
    client: FlaskClient, utterance: str, says: str
) -> None:
    walk = reach_status(opened(client), "tap").say(utterance)
    assert says in walk.text
    if "해결되었나요?" in walk.text:  # no status yet: 이전 returns to the status question
        walk.tap("이전")
        assert "어떤 상태로 보이나요?" in walk.text


def test_free_text_at_the_solved_question_switches_follow_up(client: FlaskClient) -> None:
    walk = Walk(client).say("마스킹은 왜 하는 거예요").say("주차패스 해지는 어떻게 해요?")
    assert "[등록정보 확인하기]" in walk.text and "해결되었나요?" in walk.text
    walk.tap("네, 해결됐어요")
    assert "해결되었다니 다행이에요" in walk.text


# -- 차량도용 / 대포차량 / 입차 차량 확인 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "typed"), [("tap", ""), ("label", ""), ("typed", "네 괜찮아요"), ("typed", "확인 부탁드려요")]
)
def test_vehicle_check_after_the_answer_hands_off_with_the_cancel_request(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str, typed: str
) -> None:
    walk = reach_status(opened(client), "tap").tap("이용 중").tap("차량 도용 의심")
    assert "걱정하시는 마음 충분히 공감해요" in walk.text
    assert "주차장을 직접 운영하지는 않아서" in walk.text
    assert "주차장에 확인해서 안내해 드려도 괜찮을까요?" in walk.text
    walk.answer(mode, "네, 확인해 주세요", typed)
    assert "시간이 걸릴 수 있는 점 양해 부탁드려요" in walk.text
    assert "취소 요청도 함께 전달해 드릴게요" in walk.text
    (handoff,) = handoffs
    assert handoff.category == CATEGORY and handoff.reason == "vehicle_check"
    assert facts_of(handoff)["parking_status"] == "이용 중"
    notes = notes_of(handoff)
    assert "[입차 차량 확인 요청]" in notes and "[처리] 이용 중 → 픽 취소" in notes
    walk.assert_customer_safe()


@pytest.mark.parametrize(
    ("mode", "typed"), [("tap", ""), ("typed", "아니요 괜찮아요"), ("typed", "아뇨 괜찮아요")]
)
def test_declining_the_vehicle_check_returns_to_the_cancel_request(
    client: FlaskClient, handoffs: list[HandoffRequest], mode: str, typed: str
) -> None:
    walk = reach_status(opened(client), "tap").tap("이용 중").tap("차량 도용 의심")
    walk.answer(mode, "아니요", typed)
    assert walk.labels[0] == "취소 요청하기"
    assert handoffs == []


@pytest.mark.parametrize(
    "utterance",
    [
        "대포차 같아요",
        "누가 제 번호판을 도용한 것 같아요",
        "입차 차량 확인해 주세요",
        "번호판 복제가 의심돼요",
    ],
)
def test_vehicle_check_from_a_first_message(
    client: FlaskClient, handoffs: list[HandoffRequest], utterance: str
) -> None:
    walk = Walk(client).say(utterance)
    assert "걱정하시는 마음 충분히 공감해요" in walk.text
    walk.tap("네, 확인해 주세요")
    assert "시간이 걸릴 수 있는" in walk.text
    assert "취소 요청도 함께" not in walk.text  # no cancellation was asked for
    (handoff,) = handoffs
    assert handoff.reason == "vehicle_check" and handoff.category == CATEGORY
    assert "[본인확인] 계정 가입자 본인 여부 미확인" in notes_of(handoff)
    walk.assert_customer_safe()


def test_declining_a_vehicle_check_from_a_first_message_asks_if_solved(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    walk = Walk(client).say("대포차 같아요").tap("아니요")
    assert "해결되었나요?" in walk.text
    walk.tap("네, 해결됐어요")
    assert handoffs == []


# -- first messages and the main menu ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        ("주차패스 해지하고 싶어요", "[등록정보 확인하기]"),
        ("주차장 이름이 왜 안 보이나요", "주차장 이름이 가려져(마스킹)"),
        ("대포차 같아요", "걱정하시는 마음 충분히 공감해요"),
        ("주차 안 했는데 결제됐어요", "가입자 본인이신가요?"),
    ],
)
def test_a_first_message_matched_by_an_entry_offers_no_back_to_the_unseen_menu(
    client: FlaskClient, utterance: str, says: str
) -> None:
    walk = Walk(client).say(utterance)
    assert says in walk.text
    assert "이전" not in walk.labels and walk.labels[-2:] == ["처음으로", "상담직원 연결"]
    walk.tap("처음으로")
    assert "무엇을 도와드릴까요?" in walk.text


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        ("주차패스 해지하고 싶어요", "[등록정보 확인하기]"),
        ("주차장 이름이 왜 안 보이나요", "주차장 이름이 가려져(마스킹)"),
    ],
)
def test_the_same_words_typed_at_the_main_menu_reach_the_follow_up(
    client: FlaskClient, utterance: str, says: str
) -> None:
    walk = Walk(client).say("안녕하세요")
    assert "무엇을 도와드릴까요?" in walk.text
    walk.say(utterance)
    assert says in walk.text and "해결되었나요?" in walk.text


@pytest.mark.parametrize("utterance", ["주차", "주차 결제 취소", "주차 취소"])
def test_menu_words_as_a_first_message_open_the_identity_question_from_the_menu(
    client: FlaskClient, utterance: str
) -> None:
    walk = opened(client, utterance)
    assert walk.labels == ["네, 본인이에요", "아니요", "이전", "처음으로", "상담직원 연결"]


# -- 상담직원 연결 from every question: the guide's category and policy notes, no cancellation promised ----

AGENT_INTRO = "불편을 드려 죄송해요."
HOLDER = {"parking_holder": "본인"}
PLATE = {**HOLDER, "parking_plate": "12가3456"}
UNVERIFIED = {**PLATE, "parking_ownership": "미인증"}
PLACE = f"강남구 {SECRET_LOT}"  # typed although ownership is not verified: passed on, never repeated
AT_STATUS = {**UNVERIFIED, "parking_entry_time": ENTERED, "parking_area": PLACE}

# question → (what the customer says, "@" taps; the question's text; the facts so far)
TO_PLATE = ["주차 안 했는데 결제됐어요", "@네, 본인이에요"]
TO_OWNERSHIP = [*TO_PLATE, "12가3456", "@네, 맞아요"]
TO_STATUS = [*TO_OWNERSHIP, "@아니요", ENTRY_TIME, PLACE]
QUESTIONS = {
    "start": (TO_PLATE[:1], "가입자 본인이신가요?", {}),
    "plate": (TO_PLATE, "차량번호를 알려 주세요", HOLDER),
    "plate_confirm": ([*TO_PLATE, "12가3456"], "차량이 고객님께서 이용하시는 차량이 맞을까요?", PLATE),
    "ownership": (TO_OWNERSHIP, "소유인증을 하셨나요?", PLATE),
    "entry_time": ([*TO_OWNERSHIP, "@아니요"], "입차 날짜와 시간", UNVERIFIED),
    "area": (
        [*TO_OWNERSHIP, "@아니요", ENTRY_TIME], "지역을 알려 주세요",
        {**UNVERIFIED, "parking_entry_time": ENTERED},
    ),
    "lot": (
        [*TO_OWNERSHIP, "@네, 인증했어요", ENTRY_TIME], "주차장 이름을 알려 주세요",
        {**PLATE, "parking_ownership": "완료", "parking_entry_time": ENTERED},
    ),
    "status": (TO_STATUS, "어떤 상태로 보이나요?", AT_STATUS),
    "cancel_menu": (
        [*TO_STATUS, "@결제 완료"], "[취소 요청하기]를 누르시면", {**AT_STATUS, "parking_status": "결제 완료"}
    ),
    "self_menu": (
        [*TO_STATUS, "@앱에서 직접 취소"], "[확인 요청하기]를 눌러 주세요",
        {**AT_STATUS, "parking_status": "앱에서 직접 취소함"},
    ),
    "followup_end": (["주차패스 해지하고 싶어요"], "해결되었나요?", {}),
}  # fmt: skip
AGENT_WAYS = ["@상담직원 연결", "label:상담직원 연결", "상담원 연결해 주세요"]


def ask_for_an_agent(walk: Walk, how: str) -> None:
    if how.startswith("@"):
        walk.tap(how[1:])
    elif how.startswith("label:"):
        walk.tap(how[len("label:") :], extra=False)
    else:
        walk.say(how)


def walk_to(walk: Walk, steps: list[str]) -> Walk:
    for step in steps:
        walk.tap(step[1:]) if step.startswith("@") else walk.say(step)
    return walk


@pytest.mark.parametrize("how", AGENT_WAYS)
@pytest.mark.parametrize("question", list(QUESTIONS))
def test_agent_from_every_question_gets_the_guides_category_and_policy_notes(
    client: FlaskClient, handoffs: list[HandoffRequest], question: str, how: str
) -> None:
    steps, asked, so_far = QUESTIONS[question]
    walk = walk_to(Walk(client), steps)
    assert asked in walk.text and "상담직원 연결" in walk.labels
    ask_for_an_agent(walk, how)

    (handoff,) = handoffs
    assert handoff.node == "parking_lpr.agent_handoff"
    assert handoff.flow == "parking_lpr"
    assert handoff.category == CATEGORY
    assert handoff.reason == "customer_request"
    assert facts_of(handoff) == so_far
    notes = notes_of(handoff)
    for line in POLICY:
        assert line in notes
    assert "[연결] 고객이 챗봇 안내 도중 상담직원 연결을 요청함" in notes
    assert ("[본인확인] 계정 가입자 본인 여부 미확인" in notes) == ("parking_holder" not in so_far)
    if "parking_status" not in so_far:
        assert "[처리] 픽 상태 미확인 (챗봇이 앱 표시 상태를 묻기 전)" in notes
        assert "(챗봇은 아직 안내 전)" in notes  # the 설비기기 점검 promise was not made yet
    # neutral wording: no cancellation is promised to a customer who simply asked for an agent
    assert AGENT_INTRO in walk.text
    for promise in (*HANDOFF_PROMISE.values(), "처리 결과는 상담직원이 안내해 드릴게요"):
        assert promise not in walk.text
    assert "취소해 드릴게요" not in walk.text
    assert [b.get("action") for b in walk.buttons()] == ["operator"]
    assert walk.labels == ["처음으로"]
    walk.assert_customer_safe(SECRET_LOT)


@pytest.mark.parametrize("how", AGENT_WAYS)
@pytest.mark.parametrize("first", ["대포차 같아요", "@차량 도용 의심"])
def test_agent_from_the_vehicle_check_question_says_what_the_customer_suspects(
    client: FlaskClient, handoffs: list[HandoffRequest], first: str, how: str
) -> None:
    walk = Walk(client)
    if first.startswith("@"):  # the follow-up offered after the answer
        reach_status(walk.say("주차 안 했는데 결제됐어요"), "tap").tap("이용 중")
    walk_to(walk, [first])
    assert "주차장에 확인해서 안내해 드려도 괜찮을까요?" in walk.text
    ask_for_an_agent(walk, how)
    (handoff,) = handoffs
    assert handoff.node == "parking_lpr.theft_agent"
    assert (handoff.category, handoff.reason) == (CATEGORY, "customer_request")
    notes = notes_of(handoff)
    assert notes.startswith("[차량도용 의심]") and "상담직원 연결을 요청함" in notes
    assert all(line in notes for line in POLICY)
    assert AGENT_INTRO in walk.text and "주차장에 확인해서 안내해 드릴게요" not in walk.text
    walk.assert_customer_safe()


def test_agent_after_a_refused_identity_tells_the_agent_so(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    walk = opened(client).tap("아니요")
    assert walk.labels == ["처음으로"]  # closed: no question waits
    walk.say("상담원 연결해 주세요")
    (handoff,) = handoffs
    assert handoff.node == "parking_lpr.agent_handoff" and handoff.category == CATEGORY
    assert facts_of(handoff) == {"parking_holder": "본인 아님"}
    notes = notes_of(handoff)
    assert "[본인확인] 고객이 계정 가입자 본인이 아니라고 답함" in notes
    assert "본인 여부 미확인" not in notes
    walk.assert_customer_safe()
