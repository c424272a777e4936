"""Seed 001 (전기차 충전 인증오류 / 이용불편): every question walked end to end through POST /skill.

Q1 인증 중/커넥터 연결 지속, Q2 인증실패/충전실패, Q4 기타 충전기 이용불편: apology, 다른 결제수단/충전소, 앱
고장제보 경로; 앱 제보 불가 or 미수긍 → 충전소, 충전기 정보, 오류 단계 (Q4: 고장 내용) → 담당부서 전달.
Q3 충전 완료 후 이용 중: 상태 변경 지연 안내, [홈으로]; 시간 경과 / 지금 확인 → 이용 정보 → 상태변경 handoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.engine.reply import HandoffRequest
from app.handoff.record import SEOUL
from app.understanding.extract import find_datetime
from tests.chat import Chat
from tests.content.test_real_content import AGENT_ONLY

# -- what the customer must see ----------------------------------------------------------------------
WHICH = "어떤 상황인지 아래에서 골라 주세요"
TODAY_3_20 = find_datetime("오늘 오후 3시 20분쯤", datetime.now(SEOUL).date())
WHICH_LABELS = ["인증 중/커넥터 연결", "인증실패/충전실패", "충전 끝났는데 이용 중", "기타 충전기 이용불편"]
Q1 = "'인증 중' 또는 '커넥터를 연결해 주세요' 상태가 계속되는군요"
Q2 = "카카오내비에서 '인증실패' 또는 '충전실패'로 나오는군요"
Q3 = "충전기의 통신 불안정으로 상태 변경이 지연될 수 있어요"
Q4 = "어떤 점이 불편하셨는지 간단히 적어 주세요"
SORRY = "이용에 불편을 드려 죄송합니다"
SYSTEM_ERROR = "전기차 충전소의 시스템 오류로"
ALTERNATIVES = "다른 결제수단으로 이용하시거나 인근 다른 충전소 이용을 부탁드립니다"
REPORT_PATH = (
    "카카오내비 앱 → 아래쪽 메뉴 [운전생활] → 전기차충전 → 가운데 [충전기 고장제보 내역]"
    " → 충전소 찾으러 가기 → 여기 충전기가 고장 났나요?"
)
REPORT_WHY = "고장제보를 해 주시면 즉시 운영사로 전달되어 신속히 개선을 요청하고 있어요"
REPORT_CHOICES = ["앱으로 제보할게요", "앱 제보가 안 돼요", "담당부서 전달 원해요"]
FORWARD = "해당 충전기는 담당부서로 점검 요청하여 신속히 조치될 수 있도록 하겠습니다"
IN_ORDER = "순차적으로 확인이 진행되어 다소 시간이 소요될 수 있는 점 양해 부탁드립니다"
STATION = "충전소 이름을 알려 주세요"
CHARGER = "충전기 번호나 정보를 알려 주세요"
STEP = "어떤 단계에서 오류가 발생했는지 알려 주세요"
SPEED = "완속과 급속 중 어떤 충전기를 이용하셨나요?"
END_TIME = "충전이 끝난 시각을 알려 주세요"
HANDOFF_CARD = "상담직원에게 전달해 드릴게요"
MENU = "무엇을 도와드릴까요?"

CATEGORY = {
    "q1": "전기차충전 ▶ 오류 ▶ 커플러인식불가 ▶ 직영 외, 센터필드",
    "q2": "전기차충전 ▶ 오류 ▶ 기타 ▶ 직영 외, 센터필드",
    "q3": "전기차충전 ▶ 오류 ▶ 이용상태변경불가 ▶ 직영 외, 센터필드",
    "q4": "전기차충전 ▶ 기타 ▶ 충전기고장 ▶ 직영 외, 센터필드",
}
FLOW_CATEGORY = CATEGORY["q2"]  # the flow's default (상담직원 연결 before a symptom is known)
ISSUE = {
    "q1": "인증 중/커넥터 연결 지속",
    "q2": "인증실패/충전실패",
    "q3": "충전 완료 후 이용 중 지속",
    "q4": "기타 충전기 이용불편",
}

# Agent-internal wording: the house list plus this guide's own internal words and the agent's lines.
INTERNAL = (
    *AGENT_ONLY,
    *("아지트", "전기차충전cs", "센터필드", "직영 외", "커플러인식불가", "이용상태변경불가", "이용불편 유형"),
    *("📌", "🔎", "발화 시점", "미수긍", "담당자 전달", "TID", "OOO", "결제되었습니다", "변경되어"),
)


class Walk(Chat):
    """A Chat that checks, at the end of a walk, that no internal wording was ever shown."""

    def assert_nothing_internal(self) -> None:
        for text in self.seen:
            for word in INTERNAL:
                assert word not in text, f"customer saw internal wording {word!r}:\n{text}"


@pytest.fixture
def walk(client: FlaskClient) -> Walk:
    return Walk(client)


def facts(handoff: HandoffRequest) -> dict[str, str]:
    return {f.label: f.value for f in handoff.facts}


def only(handoffs: list[HandoffRequest]) -> HandoffRequest:
    assert len(handoffs) == 1, handoffs
    return handoffs[0]


def answer(walk: Walk, label: str, typed: str, tap: bool) -> Walk:
    """Answer a choice by tapping its quick reply (with clientExtra) or by typing natural words."""
    return walk.tap(label) if tap else walk.say(typed)


# -- entry: main menu and free text -------------------------------------------------------------------


@pytest.mark.parametrize("extra", [True, False])
def test_main_menu_opens_the_four_symptoms(walk: Walk, extra: bool) -> None:
    walk.say("안녕하세요").tap("전기차 충전 오류", extra=extra)
    assert WHICH in walk.text
    assert walk.labels == [*WHICH_LABELS, "이전", "처음으로", "상담직원 연결"]
    assert "카카오내비에서 '인증실패' 또는 '충전실패'로 나와요" in walk.text
    walk.assert_nothing_internal()


@pytest.mark.parametrize(
    ("utterance", "marker"),
    [
        ("인증 중이라고 계속 떠요", Q1),
        ("커넥터를 연결해 주세요라고 나와요", Q1),
        ("카카오내비에서 인증 중으로 떠요", Q1),
        ("충전기에서 커넥터 인식이 안 돼요", Q1),
        ("카카오내비에서 인증실패로 떠요", Q2),
        ("충전실패가 떠요", Q2),
        ("충전하려는데 인증실패가 나요", Q2),
        ("충전이 끝났는데 계속 이용 중이에요", Q3),
        ("충전 끝났는데 왜 이용중이죠", Q3),
        ("충전 종료가 안 돼요", Q3),
        ("충전 완료됐는데 이용 중으로 나와요", Q3),
        ("충전기가 고장났어요", Q4),
        ("충전기 케이블이 파손됐어요", Q4),
        ("전기차 충전이 안 돼요", WHICH),
        ("충전 인증이 안 돼요", WHICH),
    ],
)
def test_free_text_lands_on_the_matching_question(walk: Walk, utterance: str, marker: str) -> None:
    walk.say(utterance)
    assert marker in walk.text
    walk.assert_nothing_internal()


@pytest.mark.parametrize(
    ("tap", "typed", "marker"),
    [
        ("인증 중/커넥터 연결", "커넥터를 연결해 주세요가 계속 나와요", Q1),
        ("인증실패/충전실패", "인증실패요", Q2),
        ("충전 끝났는데 이용 중", "계속 이용 중으로 보여요", Q3),
        ("기타 충전기 이용불편", "케이블이 고장났어요", Q4),
    ],
)
@pytest.mark.parametrize("by_tap", [True, False])
def test_which_question_by_tap_or_words(walk: Walk, tap: str, typed: str, marker: str, by_tap: bool) -> None:
    walk.say("전기차 충전이 안 돼요")
    assert WHICH in walk.text
    answer(walk, tap, typed, by_tap)
    assert marker in walk.text


def test_which_question_reprompts_on_an_unclear_answer_and_switches_on_free_text(walk: Walk) -> None:
    walk.say("전기차 충전이 안 돼요").say("잘 모르겠어요")
    assert "어떤 상황인지 아래 버튼 중에서 골라 주세요" in walk.text
    assert walk.labels[:4] == WHICH_LABELS
    walk.say("충전 끝났는데 이용 중으로 떠요")
    assert Q3 in walk.text


CAR_SHARING = [
    "기기 인증이 실패했어요",
    "기기 인증 중이에요",
    "기기인증 문자가 안 와요",
    "인증 문자를 보냈어요",
]


@pytest.mark.parametrize("utterance", CAR_SHARING)
def test_car_sharing_device_authentication_is_not_taken(
    app: Flask, walk: Walk, handoffs: list[HandoffRequest], utterance: str
) -> None:
    walk.say(utterance)
    assert "카셰어링" in walk.text  # the car-sharing guide's first question (or a question offering it)
    for marker in (WHICH, Q1, Q2, Q3, Q4):
        assert marker not in walk.text
    assert all(h.flow != "ev_charging" for h in handoffs)


@pytest.mark.parametrize(
    "utterance",
    [
        "주차 결제 취소해 주세요",
        "주차비가 잘못 나갔어요",
        "주차패스 해지하고 싶어요",
        "주차장 이름이 왜 안 보이나요",
        "주차 안 했는데 주차 중으로 떠요",
    ],
)
def test_parking_is_not_taken(walk: Walk, handoffs: list[HandoffRequest], utterance: str) -> None:
    walk.say(utterance)
    for marker in (WHICH, Q1, Q2, Q3, Q4):
        assert marker not in walk.text
    assert all(h.flow != "ev_charging" for h in handoffs)


# -- Q1 / Q2 / Q4: advice and the app fault report -------------------------------------------------

Q_ENTRY = {"q1": ("인증 중이라고 계속 떠요", Q1), "q2": ("카카오내비에서 인증실패로 떠요", Q2)}


@pytest.mark.parametrize("question", ["q1", "q2"])
def test_q1_q2_apologise_explain_and_show_the_app_report_path(walk: Walk, question: str) -> None:
    utterance, marker = Q_ENTRY[question]
    walk.say(utterance)
    for part in (marker, SORRY, SYSTEM_ERROR, "인증이 원활하게 되지 않아", ALTERNATIVES, REPORT_PATH):
        assert part in walk.text
    assert REPORT_WHY in walk.text
    assert walk.labels[:3] == REPORT_CHOICES
    assert "상담직원 연결" in walk.labels
    walk.assert_nothing_internal()


def test_q4_asks_what_is_broken_then_names_it_in_the_report_advice(walk: Walk) -> None:
    walk.say("충전기가 고장났어요")
    assert Q4 in walk.text and "충전기 이용에 불편을 드려 죄송합니다" in walk.text
    walk.say("충전 케이블 커넥터가 부서져 있어요")
    for part in (SORRY, SYSTEM_ERROR, ALTERNATIVES, REPORT_PATH, REPORT_WHY):
        assert part in walk.text
    assert "'충전 케이블 커넥터가 부서져 있어요' 문제로 이용이 어려우신 경우" in walk.text
    assert "OO" not in walk.text
    assert walk.labels[:3] == REPORT_CHOICES
    walk.assert_nothing_internal()


def test_q4_long_fault_is_shortened_where_it_is_repeated(walk: Walk) -> None:
    fault = "충전기 화면이 꺼져 있고 " + "케이블도 " * 40
    walk.say("충전기가 고장났어요").say(fault)
    assert "충전기 화면이 꺼져 있고 케이블도" in walk.text
    assert "…' 문제로 이용이 어려우신 경우" in walk.text
    assert fault.strip() not in walk.text


@pytest.mark.parametrize(
    ("start", "then"),
    [
        (("인증 중이라고 계속 떠요",), "tap"),
        (("카카오내비에서 인증실패로 떠요",), "제보할게요"),
        (("충전기가 고장났어요", "화면이 안 켜져요"), "알겠습니다"),
    ],
)
def test_reporting_in_the_app_ends_with_thanks_and_no_handoff(
    walk: Walk, handoffs: list[HandoffRequest], start: tuple[str, ...], then: str
) -> None:
    for utterance in start:
        walk.say(utterance)
    walk.tap("앱으로 제보할게요") if then == "tap" else walk.say(then)
    assert "고장제보에 협조해 주셔서 감사합니다" in walk.text
    assert "다른 결제수단이나 인근 다른 충전소" in walk.text
    assert walk.labels == ["처음으로"]
    assert handoffs == []
    walk.assert_nothing_internal()


def test_report_question_reprompts_on_an_unclear_answer(walk: Walk) -> None:
    walk.say("인증 중이라고 계속 떠요").say("음")
    assert "[앱 제보가 안 돼요]를 눌러 주세요" in walk.text
    assert walk.labels[:3] == REPORT_CHOICES


# -- Q1 / Q2 / Q4: collection and 담당부서 전달 ----------------------------------------------------------

REPORT_ANSWERS = {
    # choice label → (typed words, fact value)
    "앱 제보가 안 돼요": ("앱에서 제보가 안 돼요", "앱 고장제보 불가"),
    "담당부서 전달 원해요": ("그냥 담당부서로 전달해 주세요", "담당부서 전달 요청"),
}


@pytest.mark.parametrize("question", ["q1", "q2"])
@pytest.mark.parametrize("choice", list(REPORT_ANSWERS))
@pytest.mark.parametrize("by_tap", [True, False])
def test_q1_q2_collect_the_facts_and_forward_to_the_department(
    walk: Walk, handoffs: list[HandoffRequest], question: str, choice: str, by_tap: bool
) -> None:
    typed, request = REPORT_ANSWERS[choice]
    walk.say(Q_ENTRY[question][0])
    answer(walk, choice, typed, by_tap)
    assert STATION in walk.text and "(예)" not in walk.text
    walk.say("강남역 1번 출구 충전소")
    assert CHARGER in walk.text
    walk.say("3번 충전기, 급속")
    assert STEP in walk.text
    walk.say("커넥터를 꽂았는데 인증 중에서 멈춰요")
    assert FORWARD in walk.text and "이용에 불편을 드려 정말 죄송합니다" in walk.text
    assert (IN_ORDER in walk.text) == (question == "q2")
    assert HANDOFF_CARD in walk.text
    for shown in ("충전소: 강남역 1번 출구 충전소", "충전기: 3번 충전기, 급속", "오류 단계: 커넥터를"):
        assert shown in walk.text
    assert [b.get("action") for b in walk.buttons()] == ["operator"]
    assert walk.labels == ["처음으로"]

    handoff = only(handoffs)
    assert handoff.category == CATEGORY[question]
    assert handoff.reason == "charger_inspection"
    assert handoff.flow == "ev_charging"
    assert facts(handoff) == {
        "증상": ISSUE[question],
        "요청": request,
        "충전소": "강남역 1번 출구 충전소",
        "충전기": "3번 충전기, 급속",
        "오류 단계": "커넥터를 꽂았는데 인증 중에서 멈춰요",
    }
    (note,) = handoff.agent_notes
    for part in (
        "📌 1)인증오류 탐색 → 2)시스템오류, 다른결제수단, 충전기 안내 → 3)앱 고장제보 → 4)CPO 메일문의",
        "5)아지트 [전기차충전cs] 전달",
        "(1) 필수탐색: 충전소/ 충전기 정보/ 어떤 단계에서 오류가 발생했는지",
        "(3) CPO 확인요청: 고장제보",
        "(4) 담당자 전달: 아지트 [전기차충전cs]",
        f"고객 응답: {request}",
    ):
        assert part in note
    if question == "q1":
        assert "(2) 어드민 확인: 인증오류 여부" in note
        assert "이용불편 유형 A - QR코드 스캔 시 서비스 준비 중/이용불가 충전기로 표시" in note
    else:
        assert "(2) 어드민 확인: 인증실패 여부" in note
        assert "순차적으로 확인이 진행되어 다소 시간이 소요될 수 있음" in note
        assert "이용불편 유형 B - CPO 고장제보" in note
    walk.assert_nothing_internal()


@pytest.mark.parametrize("choice", list(REPORT_ANSWERS))
@pytest.mark.parametrize("by_tap", [True, False])
def test_q4_collects_station_and_charger_and_forwards_with_the_fault(
    walk: Walk, handoffs: list[HandoffRequest], choice: str, by_tap: bool
) -> None:
    typed, request = REPORT_ANSWERS[choice]
    walk.say("충전기가 고장났어요").say("충전 케이블이 끊어져 있어요")
    answer(walk, choice, typed, by_tap)
    walk.say("판교역 공영주차장 충전소")
    assert CHARGER in walk.text
    walk.say("2번 완속 충전기")
    assert STEP not in walk.text  # 고장 내용 was asked first
    assert FORWARD in walk.text and IN_ORDER not in walk.text
    assert "고장 내용: 충전 케이블이 끊어져 있어요" in walk.text

    handoff = only(handoffs)
    assert handoff.category == CATEGORY["q4"]
    assert handoff.reason == "charger_inspection"
    assert facts(handoff) == {
        "고장 내용": "충전 케이블이 끊어져 있어요",
        "증상": ISSUE["q4"],
        "요청": request,
        "충전소": "판교역 공영주차장 충전소",
        "충전기": "2번 완속 충전기",
    }
    (note,) = handoff.agent_notes
    for part in (
        "📌 1)불편상황 탐색",
        "(1) 필수탐색: 충전소/ 충전기 정보/ 고장에 관한 사항",
        "(2) 어드민 확인: 충전소명/ 충전기번호/ TID/ 충전시작/ 종료일시/ 충전량/ 충전액",
        "(3) CPO 확인요청: 고장제보",
        "아지트 [전기차충전cs]",
        "이용불편 유형 B - CPO 고장제보",
    ):
        assert part in note
    walk.assert_nothing_internal()


def test_menu_route_walks_q2_by_tapping_only(walk: Walk, handoffs: list[HandoffRequest]) -> None:
    walk.say("안녕하세요").tap("전기차 충전 오류").tap("인증실패/충전실패")
    assert Q2 in walk.text
    walk.tap("앱 제보가 안 돼요").say("시청역 충전소").say("1번").say("충전 시작을 누르자 인증실패가 떠요")
    handoff = only(handoffs)
    assert handoff.category == CATEGORY["q2"]
    assert handoff.path[:3] == ("main.menu", "ev_charging.start", "ev_charging.q2")
    walk.assert_nothing_internal()


# -- Q3: 충전 완료되었으나 계속 이용 중 ---------------------------------------------------------------

Q3_ENTRY = "충전이 끝났는데 계속 이용 중이에요"


def test_q3_explains_the_delay_the_billing_and_how_to_charge_again(walk: Walk) -> None:
    walk.say(Q3_ENTRY)
    for part in (
        Q3,
        "완속은 최대 24시간, 급속은 최대 12시간까지 소요될 수 있는 점 양해 부탁드립니다",
        "실제 이용하신 충전량만큼 결제될 예정입니다",
        "안내해 드린 시간이 지나도 상태가 변경되지 않을 경우",
        "전기차 충전 중 화면에 있는 [홈으로] 버튼",
        "새롭게 충전을 이용하실 수 있어요",
    ):
        assert part in walk.text
    assert walk.labels[:4] == ["기다려 볼게요", "시간이 지났어요", "지금 확인이 필요해요", "새로 충전할래요"]
    assert "변경되었습니다" not in walk.text
    walk.assert_nothing_internal()


@pytest.mark.parametrize(
    ("label", "typed", "expected"),
    [
        ("기다려 볼게요", "네 기다릴게요", "기다려 주셔서 감사합니다"),
        ("새로 충전할래요", "새로 충전하고 싶어요", "[홈으로] 버튼을 눌러 주세요"),
    ],
)
@pytest.mark.parametrize("by_tap", [True, False])
def test_q3_self_service_answers_end_without_handoff(
    walk: Walk, handoffs: list[HandoffRequest], label: str, typed: str, expected: str, by_tap: bool
) -> None:
    walk.say(Q3_ENTRY)
    answer(walk, label, typed, by_tap)
    assert expected in walk.text
    assert "완속은 최대 24시간, 급속은 최대 12시간" in walk.text
    assert walk.labels == ["처음으로"]
    assert handoffs == []
    walk.assert_nothing_internal()


Q3_REQUESTS = {
    "시간이 지났어요": ("24시간이 지났는데 그대로예요", "안내 시간 지나도 이용 중"),
    "지금 확인이 필요해요": ("지금 바로 바꿔 주세요", "즉시 상태 변경 요청"),
}


@pytest.mark.parametrize("label", list(Q3_REQUESTS))
@pytest.mark.parametrize(
    ("speed_label", "speed_typed", "speed"),
    [("급속", "급속이요", "급속"), ("잘 모르겠어요", "몰라요", "모름")],
)
@pytest.mark.parametrize("by_tap", [True, False])
def test_q3_hands_off_for_an_admin_status_change_with_the_usage_facts(
    walk: Walk,
    handoffs: list[HandoffRequest],
    label: str,
    speed_label: str,
    speed_typed: str,
    speed: str,
    by_tap: bool,
) -> None:
    typed, request = Q3_REQUESTS[label]
    walk.say(Q3_ENTRY)
    answer(walk, label, typed, by_tap)
    assert "충전하신 충전소 이름을 알려 주세요" in walk.text
    walk.say("잠실 롯데월드 충전소")
    assert SPEED in walk.text
    assert walk.labels[:3] == ["완속", "급속", "잘 모르겠어요"]
    answer(walk, speed_label, speed_typed, by_tap)
    assert END_TIME in walk.text
    walk.say("오늘 오후 3시 20분쯤")
    assert "충전종료로 변경할 수 있도록 상담직원에게 전달해 드릴게요" in walk.text
    assert "실제 이용하신 충전량만큼 결제돼요" in walk.text
    for claim in ("변경되었습니다", "결제되었습니다", "OOO원"):
        assert claim not in walk.text  # the agent says these after changing the status
    assert f"충전 종료 시각: {TODAY_3_20}" in walk.text  # the date resolved for the agent

    handoff = only(handoffs)
    assert handoff.category == CATEGORY["q3"]
    assert handoff.reason == "charge_status_change"
    assert facts(handoff) == {
        "증상": ISSUE["q3"],
        "요청": request,
        "충전소": "잠실 롯데월드 충전소",
        "충전 방식": speed,
        "충전 종료 시각": TODAY_3_20,
    }
    (note,) = handoff.agent_notes
    for part in (
        "📌 1)상황설명 및 시간양해 → 2)어드민 상태변경",
        "(1) 필수탐색: 이용내역 특정/ 실제 충전 종료 여부",
        "(2) 어드민 확인: 충전상태",
        "충전상태 변경을 위해 잠시만 기다려 주시겠습니까?",
        "현재 충전종료 상태로 변경되어 실제 이용하신 충전량 OOO원 결제되었습니다",
        "이용불편 유형 C",
    ):
        assert part in note
    walk.assert_nothing_internal()


def test_q3_speed_question_reprompts_on_an_unclear_answer(walk: Walk) -> None:
    walk.say(Q3_ENTRY).tap("시간이 지났어요").say("잠실 충전소").say("음")
    assert "완속, 급속 중에서 골라 주세요" in walk.text
    assert walk.labels[:3] == ["완속", "급속", "잘 모르겠어요"]


def test_q3_unclear_answer_reprompts_and_another_symptom_switches(walk: Walk) -> None:
    walk.say(Q3_ENTRY).say("음")
    assert "[시간이 지났어요]를 눌러 주세요" in walk.text
    walk.say("아니 사실은 충전기가 고장났어요")
    assert Q4 in walk.text


# -- free-text answers: validation, re-prompts and commands mid-collection ----------------------------

TO_STATION = ["인증 중이라고 떠요", "@앱 제보가 안 돼요"]
TO_Q3_STATION = [Q3_ENTRY, "@시간이 지났어요"]
STATION_HINT = "(예) 강남역 1번 출구 충전소"


@dataclass(frozen=True)
class Ask:
    steps: list[str]  # what the customer says to get there ("@label" taps a quick reply)
    prompt: str
    hint: str
    validator: str


ASK = {
    "q1_station": Ask(TO_STATION, STATION, STATION_HINT, "short"),
    "q1_charger": Ask([*TO_STATION, "강남역 충전소"], CHARGER, "(예) 3번 충전기, 급속", "short"),
    "q2_step": Ask(
        ["카카오내비에서 인증실패로 떠요", "@앱 제보가 안 돼요", "강남역 충전소", "3번"],
        STEP,
        "(예) 카카오내비에서 충전 시작을 누르자 '인증실패'가 떠요",
        "text",
    ),
    "q4": Ask(["충전기가 고장났어요"], Q4, "(예) 충전 케이블 커넥터가 부서져 있어요", "text"),
    "q3_station": Ask(TO_Q3_STATION, "충전하신 충전소 이름", STATION_HINT, "short"),
    "q3_end_time": Ask(
        [*TO_Q3_STATION, "잠실 충전소", "@급속"], END_TIME, "(예) 오늘 오후 3시 20분쯤", "datetime"
    ),
}
BAD = {
    "short": [
        ("", "내용이 비어 있어요."),
        ("!!!", "글자나 숫자로 적어 주세요."),
        ("가" * 61, "60자 이내로 적어 주세요."),
    ],
    "datetime": [
        ("", "날짜나 시간을 찾지 못했어요."),
        ("!!!", "날짜나 시간을 찾지 못했어요."),
        ("그냥 빨리 처리해 주세요", "날짜나 시간을 찾지 못했어요."),
    ],
    "text": [
        ("", "내용이 비어 있어요."),
        ("가", "내용이 너무 짧아요."),
        ("?!", "글자나 숫자로 적어 주세요."),
        ("가" * 301, "300자 이내로 적어 주세요."),
    ],
}


def go_to(walk: Walk, node: str) -> Walk:
    for step in ASK[node].steps:
        walk.tap(step[1:]) if step.startswith("@") else walk.say(step)
    assert ASK[node].prompt in walk.text
    return walk


@pytest.mark.parametrize(
    ("node", "bad", "reason"), [(n, b, r) for n, ask in ASK.items() for b, r in BAD[ask.validator]]
)
def test_free_text_answers_are_validated_with_a_helpful_example(
    walk: Walk, handoffs: list[HandoffRequest], node: str, bad: str, reason: str
) -> None:
    prompt, hint = ASK[node].prompt, ASK[node].hint
    go_to(walk, node).say(bad)
    assert reason in walk.text and hint in walk.text
    assert "상담직원 연결" in walk.labels
    assert ("이전" in walk.labels) == (node != "q4")  # q4 was the first answer of the conversation
    walk.say("오늘 오후 3시쯤" if ASK[node].validator == "datetime" else "정상적인 답변이에요")
    assert reason not in walk.text and prompt not in walk.text  # accepted: the next step
    walk.assert_nothing_internal()


def test_step_hint_example_fits_the_question(walk: Walk) -> None:
    go_to(walk, "q2_step")
    walk.say("")
    assert "(예) 카카오내비에서 충전 시작을 누르자 '인증실패'가 떠요" in walk.text
    other = Walk(walk.client)
    other.user = "d1" * 33
    other.say("인증 중이라고 떠요").tap("앱 제보가 안 돼요").say("강남역").say("3번").say("")
    assert "(예) 커넥터를 꽂았는데 '인증 중'에서 넘어가지 않아요" in other.text


def test_three_bad_answers_offer_an_agent_with_what_was_collected(
    walk: Walk, handoffs: list[HandoffRequest]
) -> None:
    go_to(walk, "q1_charger").say("").say("!!!")
    assert "상담직원 연결" not in walk.text
    walk.say("가" * 61)
    assert "[상담직원 연결]을 눌러 주세요" in walk.text
    walk.tap("상담직원 연결")
    handoff = only(handoffs)
    assert handoff.reason == "retry_limit"
    assert handoff.node == "ev_charging.agent_q1"
    assert handoff.category == CATEGORY["q1"]  # the question's own 상담유형, not the flow's default
    assert facts(handoff)["충전소"] == "강남역 충전소"
    assert "[Q1." in handoff.agent_notes[0]
    assert "3번 인식하지 못해" in handoff.agent_notes[-1]
    assert "충전소: 강남역 충전소" in walk.text
    walk.assert_nothing_internal()


@pytest.mark.parametrize("by_tap", [True, False])
def test_back_mid_collection_keeps_the_answers_given_so_far(
    walk: Walk, handoffs: list[HandoffRequest], by_tap: bool
) -> None:
    go_to(walk, "q2_step")
    walk.tap("이전") if by_tap else walk.say("이전")
    assert CHARGER in walk.text
    walk.say("5번 충전기")  # corrects the charger; the station stays
    assert STEP in walk.text
    walk.tap("이전") if by_tap else walk.say("뒤로")
    walk.tap("이전") if by_tap else walk.say("이전으로")
    assert STATION in walk.text
    walk.tap("이전") if by_tap else walk.say("이전")
    assert Q2 in walk.text and walk.labels[:3] == REPORT_CHOICES
    walk.tap("앱 제보가 안 돼요").say("강남역 충전소").say("5번 충전기").say("인증실패가 떠요")
    assert facts(only(handoffs)) == {
        "증상": ISSUE["q2"],
        "요청": "앱 고장제보 불가",
        "충전소": "강남역 충전소",
        "충전기": "5번 충전기",
        "오류 단계": "인증실패가 떠요",
    }


def test_back_keeps_an_answer_when_going_forward_again(walk: Walk, handoffs: list[HandoffRequest]) -> None:
    walk.say(Q3_ENTRY).tap("시간이 지났어요").say("잠실 충전소").tap("급속")
    assert END_TIME in walk.text
    walk.tap("이전")
    assert SPEED in walk.text
    walk.tap("완속").say("어제 밤 11시")
    assert facts(only(handoffs))["충전소"] == "잠실 충전소"
    assert facts(only(handoffs))["충전 방식"] == "완속"


@pytest.mark.parametrize("by_tap", [True, False])
def test_home_mid_collection_starts_over_without_the_answers(
    walk: Walk, handoffs: list[HandoffRequest], by_tap: bool
) -> None:
    go_to(walk, "q1_charger")
    walk.tap("처음으로") if by_tap else walk.say("처음으로")
    assert MENU in walk.text
    walk.say("상담직원 연결")
    handoff = only(handoffs)
    assert "충전소" not in facts(handoff)
    assert handoff.flow != "ev_charging"


@pytest.mark.parametrize(
    ("node", "agent", "question"),
    [
        ("q1_charger", "@상담직원 연결", "q1"),
        ("q2_step", "상담원 연결해 주세요", "q2"),
        ("q3_end_time", "상담직원", "q3"),
        ("q4", "@상담직원 연결", "q4"),
    ],
)
def test_agent_mid_collection_hands_off_with_the_facts_so_far(
    walk: Walk, handoffs: list[HandoffRequest], node: str, agent: str, question: str
) -> None:
    go_to(walk, node)
    walk.tap(agent[1:]) if agent.startswith("@") else walk.say(agent)
    handoff = only(handoffs)
    assert handoff.flow == "ev_charging"
    assert handoff.category == CATEGORY[question]
    assert handoff.reason == "customer_request"
    collected = facts(handoff)
    if node != "q4":
        assert collected["충전소"] in ("강남역 충전소", "잠실 충전소")
        assert f"충전소: {collected['충전소']}" in walk.text
    assert handoff.path[-1] == f"ev_charging.agent_{question}"
    assert f"ev_charging.{node}" in handoff.path
    assert [b.get("action") for b in walk.buttons()] == ["operator"]
    walk.assert_nothing_internal()


# -- 상담직원 연결 from every question: that question's 상담유형 and agent notes ---------------------------

AGENT_INTRO = "전기차 충전 이용에 불편을 드려 죄송합니다."
Q_HEADER = {
    "q1": "[Q1. 인증 중/커넥터를 연결해 주세요 상태 지속]",
    "q2": "[Q2. 카카오내비에서 인증실패/충전실패 상태]",
    "q3": "[Q3. 충전 완료되었으나 계속 이용 중 (충전종료 불가)]",
    "q4": "[Q4. 기타 충전기 이용불편]",
}
TO_Q1 = ["인증 중이라고 떠요", "@앱 제보가 안 돼요"]
TO_Q2 = ["카카오내비에서 인증실패로 떠요", "@담당부서 전달 원해요"]
TO_Q3 = [Q3_ENTRY, "@지금 확인이 필요해요"]
TO_Q4 = ["충전기가 고장났어요", "케이블이 끊어졌어요", "@앱 제보가 안 돼요"]
Q1_SO_FAR = {"증상": ISSUE["q1"], "요청": "앱 고장제보 불가"}
Q2_SO_FAR = {"증상": ISSUE["q2"], "요청": "담당부서 전달 요청"}
Q3_SO_FAR = {"증상": ISSUE["q3"], "요청": "즉시 상태 변경 요청"}
Q4_SO_FAR = {"고장 내용": "케이블이 끊어졌어요", "증상": ISSUE["q4"], "요청": "앱 고장제보 불가"}

# node → (what the customer says to get there, "@" taps; the question; the facts so far)
EVERY_QUESTION = {
    "q1": (["안녕하세요", "@전기차 충전 오류", "@인증 중/커넥터 연결"], "q1", {"증상": ISSUE["q1"]}),
    "q1_station": (TO_Q1, "q1", Q1_SO_FAR),
    "q1_charger": ([*TO_Q1, "강남역 충전소"], "q1", {**Q1_SO_FAR, "충전소": "강남역 충전소"}),
    "q1_step": (
        [*TO_Q1, "강남역 충전소", "3번"], "q1", {**Q1_SO_FAR, "충전소": "강남역 충전소", "충전기": "3번"}
    ),
    "q2": (["카카오내비에서 인증실패로 떠요"], "q2", {}),
    "q2_station": (TO_Q2, "q2", Q2_SO_FAR),
    "q2_charger": ([*TO_Q2, "시청역 충전소"], "q2", {**Q2_SO_FAR, "충전소": "시청역 충전소"}),
    "q2_step": (
        [*TO_Q2, "시청역 충전소", "1번"], "q2", {**Q2_SO_FAR, "충전소": "시청역 충전소", "충전기": "1번"}
    ),
    "q3": ([Q3_ENTRY], "q3", {}),
    "q3_station": (TO_Q3, "q3", Q3_SO_FAR),
    "q3_speed": ([*TO_Q3, "잠실 충전소"], "q3", {**Q3_SO_FAR, "충전소": "잠실 충전소"}),
    "q3_end_time": (
        [*TO_Q3, "잠실 충전소", "@급속"], "q3", {**Q3_SO_FAR, "충전소": "잠실 충전소", "충전 방식": "급속"}
    ),
    "q4": (["충전기가 고장났어요"], "q4", {}),
    "q4_info": (["충전기가 고장났어요", "케이블이 끊어졌어요"], "q4", {"고장 내용": "케이블이 끊어졌어요"}),
    "q4_station": (TO_Q4, "q4", Q4_SO_FAR),
    "q4_charger": ([*TO_Q4, "판교역 충전소"], "q4", {**Q4_SO_FAR, "충전소": "판교역 충전소"}),
}  # fmt: skip
AGENT_WAYS = [
    "@상담직원 연결",
    "label:상담직원 연결",
    "상담원 연결해 주세요",
    "사람이랑 얘기하고 싶어요",
    "사람 연결해줘",
    "챗봇 말고 사람이요",
]


def ask_for_an_agent(walk: Walk, how: str) -> None:
    if how.startswith("@"):
        walk.tap(how[1:])
    elif how.startswith("label:"):
        walk.tap(how[len("label:") :], extra=False)
    else:
        walk.say(how)


@pytest.mark.parametrize("how", AGENT_WAYS)
@pytest.mark.parametrize("node", list(EVERY_QUESTION))
def test_agent_from_every_question_gets_that_questions_category_and_notes(
    app: Flask, walk: Walk, handoffs: list[HandoffRequest], node: str, how: str
) -> None:
    steps, question, so_far = EVERY_QUESTION[node]
    for step in steps:
        walk.tap(step[1:]) if step.startswith("@") else walk.say(step)
    with app.extensions["cs_bot"].store.open(walk.user) as handle:
        assert (handle.state or {}).get("node") == f"ev_charging.{node}"
    ask_for_an_agent(walk, how)

    handoff = only(handoffs)
    assert handoff.node == f"ev_charging.agent_{question}"
    assert handoff.flow == "ev_charging"
    assert handoff.category == CATEGORY[question]
    assert handoff.reason == "customer_request"
    assert facts(handoff) == so_far
    guide_note, requested = handoff.agent_notes
    assert guide_note.startswith(Q_HEADER[question])
    assert "(1) 필수탐색" in guide_note
    request = so_far.get("요청")
    assert (f"고객 응답: {request}" in guide_note) if request else ("고객 응답" not in guide_note)
    assert "고객이 챗봇 안내 도중 상담직원 연결을 요청했어요" in requested
    # neutral wording: nothing is promised as forwarded or changed yet
    assert AGENT_INTRO in walk.text
    for promise in (FORWARD, IN_ORDER, "충전종료로 변경할 수 있도록"):
        assert promise not in walk.text
    assert all(f"{label}: {value}" in walk.text for label, value in so_far.items())
    assert [b.get("action") for b in walk.buttons()] == ["operator"]
    assert walk.labels == ["처음으로"]
    walk.assert_nothing_internal()


def test_q4_agent_note_says_the_advice_was_not_shown_yet(walk: Walk, handoffs: list[HandoffRequest]) -> None:
    walk.say("충전기가 고장났어요").tap("상담직원 연결")
    assert "챗봇 안내: 1) 불편상황을 묻는 중 (2)~3) 안내 전)" in only(handoffs).agent_notes[0]
    assert "챗봇 안내 완료" not in only(handoffs).agent_notes[0]


@pytest.mark.parametrize("how", AGENT_WAYS)
def test_agent_before_a_symptom_is_chosen_gets_the_default_category(
    walk: Walk, handoffs: list[HandoffRequest], how: str
) -> None:
    walk.say("전기차 충전이 안 돼요")
    assert WHICH in walk.text
    ask_for_an_agent(walk, how)
    handoff = only(handoffs)
    assert handoff.node == "ev_charging.agent_default"
    assert (handoff.flow, handoff.category, handoff.reason) == (
        "ev_charging",
        FLOW_CATEGORY,
        "customer_request",
    )
    assert facts(handoff) == {}
    guide_note, requested = handoff.agent_notes
    assert "[전기차충전 인증오류/이용불편] 증상 선택 전" in guide_note
    for question in ("Q1 ", "Q2 ", "Q3 ", "Q4 "):
        assert question in guide_note
    assert "상담직원 연결을 요청했어요" in requested
    assert AGENT_INTRO in walk.text
    walk.assert_nothing_internal()


def test_retry_limit_at_a_q3_question_hands_off_to_q3(walk: Walk, handoffs: list[HandoffRequest]) -> None:
    walk.say(Q3_ENTRY).tap("시간이 지났어요").say("잠실 충전소").say("음").say("글쎄").say("음")
    assert "[상담직원 연결]을 눌러 주세요" in walk.text
    walk.tap("상담직원 연결")
    handoff = only(handoffs)
    assert (handoff.node, handoff.category, handoff.reason) == (
        "ev_charging.agent_q3",
        CATEGORY["q3"],
        "retry_limit",
    )
    assert "3번 인식하지 못해" in handoff.agent_notes[-1]
    assert "고객 응답: 안내 시간 지나도 이용 중" in handoff.agent_notes[0]


def test_agent_after_the_conversation_ended_names_the_chosen_symptom(
    walk: Walk, handoffs: list[HandoffRequest]
) -> None:
    walk.say("안녕하세요").tap("전기차 충전 오류").tap("충전 끝났는데 이용 중").tap("기다려 볼게요")
    assert walk.labels == ["처음으로"]  # closed: no question is waiting
    walk.say("상담원 연결해 주세요")
    handoff = only(handoffs)
    assert handoff.node == "ev_charging.agent_default" and handoff.category == FLOW_CATEGORY
    assert f"고객이 고른 증상: {ISSUE['q3']}" in handoff.agent_notes[0]


# -- first messages that name the service and the symptom ----------------------------------------------


@pytest.mark.parametrize(
    ("utterance", "marker"),
    [
        ("전기차 충전이 끝났는데 이용 중이에요", Q3),
        ("전기차 충전 완료됐는데 계속 이용중으로 떠요", Q3),
        ("전기차 충전 종료가 안 돼요", Q3),
        ("충전 오류로 인증실패", Q2),
        ("전기차 충전하려는데 인증실패라고 나와요", Q2),
        ("전기차 충전 오류 인증실패", Q2),
        ("전기차 충전기에 커넥터를 연결해 주세요만 떠요", Q1),
        ("전기차 충전기 인증 중이에요", Q1),
        ("충전 오류로 인증 중에서 멈춰요", Q1),
        ("전기차 충전기가 고장났어요", Q4),
        ("전기차 충전 오류요", WHICH),
    ],
)
def test_first_message_naming_the_service_reaches_the_specific_question(
    walk: Walk, utterance: str, marker: str
) -> None:
    walk.say(utterance)
    assert marker in walk.text
    assert "이전" not in walk.labels  # an entry match: the customer never saw the menu
    assert walk.labels[-2:] == ["처음으로", "상담직원 연결"]
    walk.tap("처음으로")
    assert MENU in walk.text


@pytest.mark.parametrize("utterance", ["전기차 충전기가 고장났어요", "충전 오류로 인증실패"])
def test_the_same_words_typed_at_the_main_menu_reach_the_specific_question(
    walk: Walk, utterance: str
) -> None:
    walk.say("안녕하세요")
    assert MENU in walk.text
    walk.say(utterance)
    assert (Q4 if "고장" in utterance else Q2) in walk.text


@pytest.mark.parametrize("utterance", ["전기차", "전기차 충전 오류", "충전 오류"])
def test_menu_words_as_a_first_message_open_the_symptom_question(walk: Walk, utterance: str) -> None:
    walk.say(utterance)
    assert WHICH in walk.text
    assert walk.labels == [*WHICH_LABELS, "이전", "처음으로", "상담직원 연결"]
