"""Car-sharing device authentication (seed 000) end to end through POST /skill, as a customer and an agent
would notice it: every branch by tapping (with and without clientExtra) and by typing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.engine.reply import HandoffRequest
from tests.chat import Chat, flow_reached

CATEGORY = "렌터카_고객 ▶ 서비스 이용/예약 ▶ 이용/예약 ▶ 카셰어링"
START_QUESTION = "배달 예약, 제주 예약, 카셰어링 서비스 중에 어떤 서비스이신가요?"
PRECONDITIONS = "지금 인증하시려는 휴대폰이 두 가지 모두 해당하나요?"
CARRIER_QUESTION = "사용 중인 휴대폰의 통신사를 골라 주세요."
DEVICE_QUESTION = "사용 중인 휴대폰 기종을 골라 주세요."
RESOLVED_QUESTION = "안내해 드린 방법으로 해결되었나요?"
CENTER_URL = "http://pf.kakao.com/_VGxikj/chat"
GLOBAL = ["이전", "처음으로", "상담직원 연결"]

# The guide's agent-side wording and the bot's agent-only values: never in what the customer reads.
AGENT_ONLY = (
    *("어드민", "T UID", "UID", "SMS 안내", "템플릿"),
    *("일단기", "가이드", "Case", "상담유형", "안내 케이스"),
)


class GuardedChat(Chat):
    """A Chat that checks every answer for agent-internal wording."""

    def say(self, utterance: str, extra: dict[str, Any] | None = None) -> GuardedChat:
        super().say(utterance, extra)
        leaked = [word for word in AGENT_ONLY if word in self.text]
        assert not leaked, f"agent-only wording {leaked} shown to the customer:\n{self.text}"
        return self

    def bubbles(self) -> list[str]:
        out = []
        for output in self.last["template"]["outputs"]:
            ((_, component),) = output.items()
            out.append("\n".join(str(component.get(k, "")) for k in ("text", "title", "description")))
        return out


@pytest.fixture
def chat(client: FlaskClient) -> GuardedChat:
    return GuardedChat(client)


MODES = ["extra", "label", "typed"]


def answer(chat: GuardedChat, mode: str, label: str, typed: str) -> GuardedChat:
    """Answer the current question by tapping `label` (with/without clientExtra) or typing `typed`."""
    if mode == "typed":
        return chat.say(typed)
    return chat.tap(label, extra=mode == "extra")


def to_carrier(chat: GuardedChat, mode: str) -> GuardedChat:
    chat.say("기기 인증이 안돼요")
    assert START_QUESTION in chat.text
    answer(chat, mode, "카셰어링", "카셰어링 이용하려고요")
    assert PRECONDITIONS in chat.text
    answer(chat, mode, "네, 모두 맞아요", "네 둘 다 맞아요")
    assert CARRIER_QUESTION in chat.text
    assert chat.labels == ["SKT", "KT", "LG U+", "알뜰폰", *GLOBAL]
    return chat


def facts(handoff: HandoffRequest) -> dict[str, str]:
    return {f.key: f.value for f in handoff.facts}


# -- the four combinations' step lists ---------------------------------------------------------------

BASIC = ["① 휴대폰 재부팅 후 재시도", "카카오 T 앱 최신 버전으로 업데이트", "LTE/5G 모드로 바꿔 재시도"]
SEND = ["시간차 없이 즉시 진행", "1688-8086번으로 직접 전송 (+82 제외)"]
ANDROID_REST = [
    "④ 기본 메시지 앱으로 재시도",
    "설정 - 애플리케이션 - 기본 앱 선택 - SMS 앱 - [메시지]로 선택",
    "⑤ 최근 인증 문자 전체 삭제 후 재시도",
    *SEND,
    "⑦ PASS 재인증 후 카카오 T 기기인증 재시도",
]
IPHONE_REST = ["④ 최근 인증 문자 전체 삭제 후 재시도", *SEND, "⑥ PASS 재인증 후 카카오 T 기기인증 재시도"]
CASE1 = [
    "LG U+·알뜰폰을 쓰시는 아이폰",
    "① 설정 - 전화 - [전화 걸기 지원] 비활성화",
    "이전에 발송된 기기인증 문자가 있다면 삭제",
    "[최근에 삭제된 항목 보기] - ②에서 삭제한 메시지를 다시 한번 삭제",
    "대표번호(1688-8086) 직접 입력 후 메시지 전송",
    "인증 유효시간 3분",
]
CASE1_TIP = ["번호 뒤에 임의의 숫자 3자리를 붙여 총 11자리", "1688-8086 뒤에 111을 붙여 16888086111"]

# (carrier tap, carrier typed, device tap, device typed, first bubble, second bubble, absent,
#  case fact, handoff reason)
COMBINATIONS = [
    pytest.param(
        "SKT", "skt요", "갤럭시/안드로이드", "갤럭시 s24",
        ["SKT·KT를 쓰시는 휴대폰", *BASIC], ANDROID_REST, ["전화 걸기 지원"],
        "Case 2 (SKT·KT + 갤럭시/안드로이드)", "steps_not_resolved", id="skt-galaxy",
    ),
    pytest.param(
        "KT", "케이티", "갤럭시/안드로이드", "안드로이드폰",
        ["SKT·KT를 쓰시는 휴대폰", *BASIC], ANDROID_REST, ["전화 걸기 지원"],
        "Case 2 (SKT·KT + 갤럭시/안드로이드)", "steps_not_resolved", id="kt-android",
    ),
    pytest.param(
        "SKT", "에스케이", "아이폰", "아이폰 15",
        ["SKT·KT를 쓰시는 휴대폰", *BASIC], IPHONE_REST,
        ["기본 메시지 앱", "애플리케이션", "SMS 앱", "⑦", "전화 걸기 지원"],
        "Case 2 (SKT·KT + 아이폰)", "steps_not_resolved", id="skt-iphone",
    ),
    pytest.param(
        "KT", "KT 써요", "아이폰", "iphone",
        ["SKT·KT를 쓰시는 휴대폰", *BASIC], IPHONE_REST,
        ["기본 메시지 앱", "애플리케이션", "SMS 앱", "⑦", "전화 걸기 지원"],
        "Case 2 (SKT·KT + 아이폰)", "steps_not_resolved", id="kt-iphone",
    ),
    pytest.param(
        "LG U+", "유플러스", "아이폰", "아이폰이요",
        CASE1, CASE1_TIP, ["재부팅", "PASS", "+82", "기본 메시지 앱"],
        "Case 1 (LG U+·알뜰폰 + 아이폰)", "steps_not_resolved", id="lgu-iphone",
    ),
    pytest.param(
        "알뜰폰", "알뜰폰이요", "아이폰", "애플 아이폰 13 미니",
        CASE1, CASE1_TIP, ["재부팅", "PASS", "+82", "기본 메시지 앱"],
        "Case 1 (LG U+·알뜰폰 + 아이폰)", "steps_not_resolved", id="mvno-iphone",
    ),
    pytest.param(
        "LG U+", "LG유플", "갤럭시/안드로이드", "삼성",
        ["LG U+·알뜰폰을 쓰시는 안드로이드 휴대폰", *BASIC], ANDROID_REST, ["전화 걸기 지원", "SKT·KT"],
        "가이드 외 조합 (LG U+·알뜰폰 + 안드로이드) → Case 2 일반 조치", "outside_guide_not_resolved",
        id="lgu-android",
    ),
    pytest.param(
        "알뜰폰", "헬로모바일 써요", "갤럭시/안드로이드", "갤럭시 폴드요",
        ["LG U+·알뜰폰을 쓰시는 안드로이드 휴대폰", *BASIC], ANDROID_REST, ["전화 걸기 지원", "SKT·KT"],
        "가이드 외 조합 (LG U+·알뜰폰 + 안드로이드) → Case 2 일반 조치", "outside_guide_not_resolved",
        id="mvno-android",
    ),
]  # fmt: skip
COMBINATION_ARGS = "carrier,carrier_typed,device,device_typed,first,second,absent,case,reason"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(COMBINATION_ARGS, COMBINATIONS)
def test_each_combination_shows_its_steps_and_hands_off_when_not_resolved(
    chat: GuardedChat,
    handoffs: list[HandoffRequest],
    mode: str,
    carrier: str,
    carrier_typed: str,
    device: str,
    device_typed: str,
    first: list[str],
    second: list[str],
    absent: list[str],
    case: str,
    reason: str,
) -> None:
    to_carrier(chat, mode)
    answer(chat, mode, carrier, carrier_typed)
    assert DEVICE_QUESTION in chat.text
    assert chat.labels == ["아이폰", "갤럭시/안드로이드", *GLOBAL]
    answer(chat, mode, device, device_typed)

    # the steps in readable groups: first group, second group, then the question (3 bubbles)
    bubbles = chat.bubbles()
    assert len(bubbles) == 3
    assert all(line in bubbles[0] for line in first), bubbles[0]
    assert all(line in bubbles[1] for line in second), bubbles[1]
    assert RESOLVED_QUESTION in bubbles[2]
    assert not [word for word in absent if word in chat.text]
    assert "문자로 안내해 드릴" not in chat.text  # the bot shows the steps now
    assert chat.labels == ["네, 해결됐어요", "아니요", *GLOBAL]
    assert handoffs == []

    answer(chat, mode, "아니요", "여전히 인증이 안 돼요")
    assert len(handoffs) == 1
    handoff = handoffs[0]
    assert handoff.flow == "carsharing_auth"
    assert handoff.category == CATEGORY
    assert handoff.reason == reason
    assert facts(handoff) == {
        "carshare_service": "카셰어링",
        "carshare_precondition": "충족 (본인 명의·유심 장착)",
        "carshare_carrier": carrier,
        "carshare_device": device,
        "carshare_case": case,
    }
    labels = {f.key: f.label for f in handoff.facts}
    assert labels["carshare_carrier"] == "통신사" and labels["carshare_device"] == "기종"
    assert labels["carshare_case"] == "안내 케이스"
    admin_note = handoff.agent_notes[0]
    for word in ("T 어드민", "T UID", "통신사", "기기 정보", "SMS 안내 템플릿"):
        assert word in admin_note
    assert case in handoff.agent_notes[1]
    outside = reason == "outside_guide_not_resolved"
    assert len(handoff.agent_notes) == (3 if outside else 2)
    if outside:
        assert "가이드" in handoff.agent_notes[2] and "없는 조합" in handoff.agent_notes[2]
    # the customer's card repeats what they said, not the agent-facing case
    assert f"통신사: {carrier}" in chat.text and f"기종: {device}" in chat.text
    assert "이용 서비스: 카셰어링" in chat.text
    assert "가입 통신사와 기기 정보를 확인해 도와드릴게요" in chat.text
    assert {"label": "상담직원 연결", "action": "operator"}.items() <= chat.buttons()[0].items()
    assert chat.labels == ["처음으로"]


END_NODES = [
    pytest.param("SKT", "아이폰", id="case2-iphone"),
    pytest.param("KT", "갤럭시/안드로이드", id="case2-android"),
    pytest.param("LG U+", "아이폰", id="case1"),
    pytest.param("알뜰폰", "갤럭시/안드로이드", id="outside-guide"),
]


@pytest.mark.parametrize("yes", [("extra", "네, 해결됐어요"), ("typed", "네 됐어요 감사합니다")], ids=str)
@pytest.mark.parametrize(("carrier", "device"), END_NODES)
def test_resolved_closes_warmly_with_the_center_link(
    chat: GuardedChat, handoffs: list[HandoffRequest], carrier: str, device: str, yes: tuple[str, str]
) -> None:
    to_carrier(chat, "extra").tap(carrier).tap(device)
    mode, typed = yes
    answer(chat, mode, "네, 해결됐어요", typed)
    assert "해결되었다니 다행이에요" in chat.text
    assert "카카오 T 고객센터로 문의 부탁드려요" in chat.text
    assert {"label": "고객센터 채팅", "action": "webLink", "webLinkUrl": CENTER_URL}.items() <= (
        chat.buttons()[0].items()
    )
    assert "안내가 도움이 되었나요?" in chat.text  # the optional satisfaction question (issue 12)
    assert chat.labels == ["😀 만족해요", "🙂 보통이에요", "😞 아쉬워요", "처음으로"]
    assert handoffs == []


# -- 배달 예약 / 제주 예약 ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("service", "typed"), [("배달 예약", "배달로 예약하려고요"), ("제주 예약", "제주도 여행 예약이요")]
)
def test_delivery_and_jeju_need_no_device_authentication(
    chat: GuardedChat, handoffs: list[HandoffRequest], mode: str, service: str, typed: str
) -> None:
    chat.say("기기인증 실패")
    answer(chat, mode, service, typed)
    assert "배달 예약과 제주 예약 서비스는 기기 인증 없이도 이용이 가능해요" in chat.text
    assert "이전 화면으로 돌아가 배달 예약 또는 제주 예약 서비스로 예약 부탁드려요" in chat.text
    assert CARRIER_QUESTION not in chat.text and PRECONDITIONS not in chat.text
    assert chat.labels == ["네, 해결됐어요", "아니요", *GLOBAL]

    answer(chat, mode, "아니요", "아니요 안 돼요")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY
    assert handoff.reason == "other_service_not_resolved"
    assert facts(handoff) == {
        "carshare_service": service,
        "carshare_case": "배달·제주 예약 (기기 인증 불필요 안내)",
    }
    assert "일단기" in handoff.agent_notes[0] and "기기 인증 없이" in handoff.agent_notes[0]
    assert f"이용 서비스: {service}" in chat.text


def test_delivery_resolved_closes(chat: GuardedChat, handoffs: list[HandoffRequest]) -> None:
    chat.say("기기 인증이 안돼요").tap("배달 예약").tap("네, 해결됐어요")
    assert "해결되었다니 다행이에요" in chat.text
    assert handoffs == []


# -- the two preconditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "__tap_extra__",
        "__tap_label__",
        "아니요",
        "아니에요",
        "공기계예요",
        "유심 없는 폰이에요",
        "유심 안 꽂았어요",
        "본인 명의 아니에요",
        "가족 명의예요",
        "모두 해당하지 않아요",
        "하나만 맞아요",
    ],
)
def test_unmet_preconditions_are_explained_kindly(
    chat: GuardedChat, handoffs: list[HandoffRequest], said: str
) -> None:
    chat.say("카셰어링 기기 인증이 안 돼요")
    assert START_QUESTION in chat.text
    chat.tap("카셰어링")
    assert "① 본인 명의 휴대폰" in chat.text and "② 유심 장착된 개통 기기" in chat.text
    assert "장착하지 않은 공기기는 인증 불가" in chat.text
    assert "통신사와 기종에 맞는 조치 방법을 바로 안내해 드릴게요" in chat.text
    if said.startswith("__tap"):
        chat.tap("아니요", extra=said == "__tap_extra__")
    else:
        chat.say(said)
    assert "확인해 주셔서 감사해요" in chat.text
    assert "본인 명의 휴대폰이면서 유심이 장착된 개통 기기에서만" in chat.text
    assert "카셰어링 이용이 불가해요" in chat.text
    assert CARRIER_QUESTION not in chat.text
    assert chat.labels == ["확인했어요", *GLOBAL]

    chat.tap("확인했어요")
    assert "조건을 갖춘 휴대폰으로 다시 시도해 보시고" in chat.text
    assert chat.buttons()[0]["webLinkUrl"] == CENTER_URL
    assert chat.labels == ["처음으로"]
    assert handoffs == []


def test_unmet_preconditions_can_still_reach_an_agent(
    chat: GuardedChat, handoffs: list[HandoffRequest]
) -> None:
    chat.say("기기 인증").tap("카셰어링").tap("아니요").tap("상담직원 연결")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY
    assert handoff.reason == "customer_request"
    assert facts(handoff) == {"carshare_service": "카셰어링", "carshare_precondition": "미충족"}
    assert "기기인증 필수조건: 미충족" in chat.text


def test_unmet_preconditions_can_go_back_to_the_menu(chat: GuardedChat) -> None:
    chat.say("기기 인증").tap("카셰어링").say("공기계예요").tap("처음으로")
    assert "무엇을 도와드릴까요" in chat.text


@pytest.mark.parametrize("said", ["네", "예", "둘 다 맞아요", "네, 모두 맞아요", "모두 해당돼요"])
def test_met_preconditions_typed_go_on_to_the_carrier(chat: GuardedChat, said: str) -> None:
    chat.say("기기 인증").tap("카셰어링").say(said)
    assert CARRIER_QUESTION in chat.text


# -- typed carriers and devices --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "carrier", "group"),
    [
        ("유플러스", "LG U+", "case1"),
        ("u+", "LG U+", "case1"),
        ("U+요", "LG U+", "case1"),
        ("LG유플", "LG U+", "case1"),
        ("lg u+", "LG U+", "case1"),
        ("엘지", "LG U+", "case1"),
        ("skt요", "SKT", "case2"),
        ("SK 텔레콤 씁니다", "SKT", "case2"),
        ("에스케이", "SKT", "case2"),
        ("케이티", "KT", "case2"),
        ("kt", "KT", "case2"),
        ("알뜰폰이요", "알뜰폰", "case1"),
        ("SKT 알뜰폰이에요", "알뜰폰", "case1"),
        ("KT엠모바일", "알뜰폰", "case1"),
        ("sk세븐모바일", "알뜰폰", "case1"),
    ],
)
def test_typed_carrier_answers_are_understood(
    chat: GuardedChat, handoffs: list[HandoffRequest], typed: str, carrier: str, group: str
) -> None:
    to_carrier(chat, "extra").say(typed)
    assert DEVICE_QUESTION in chat.text
    chat.tap("아이폰")
    if group == "case1":
        assert "전화 걸기 지원" in chat.text and "재부팅" not in chat.text
    else:
        assert "재부팅" in chat.text and "전화 걸기 지원" not in chat.text
    chat.tap("아니요")
    assert facts(handoffs[0])["carshare_carrier"] == carrier


@pytest.mark.parametrize(
    ("typed", "device"),
    [
        ("아이폰 15", "아이폰"),
        ("iphone", "아이폰"),
        ("IPHONE 14 Pro", "아이폰"),
        ("애플이요", "아이폰"),
        ("갤럭시 s24", "갤럭시/안드로이드"),
        ("갤럭시", "갤럭시/안드로이드"),
        ("안드로이드폰", "갤럭시/안드로이드"),
        ("삼성", "갤럭시/안드로이드"),
        ("Galaxy Z 플립5", "갤럭시/안드로이드"),
    ],
)
def test_typed_device_answers_are_understood(
    chat: GuardedChat, handoffs: list[HandoffRequest], typed: str, device: str
) -> None:
    to_carrier(chat, "extra").tap("KT").say(typed)
    assert RESOLVED_QUESTION in chat.text
    assert ("기본 메시지 앱" in chat.text) == (device != "아이폰")
    chat.say("안 돼요")
    assert facts(handoffs[0])["carshare_device"] == device


# -- answers the bot cannot use --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "bad", "retry", "labels"),
    [
        (
            [],
            "잘 모르겠어요",
            "이용하시려는 서비스를 아래 버튼에서 골라 주세요",
            ["배달 예약", "제주 예약", "카셰어링"],
        ),
        (["카셰어링"], "글쎄요", "하나라도 아니라면 [아니요]를 눌러 주세요", ["네, 모두 맞아요", "아니요"]),
        (
            ["카셰어링", "네, 모두 맞아요"],
            "모르겠어요",
            "[알뜰폰]을 눌러 주세요",
            ["SKT", "KT", "LG U+", "알뜰폰"],
        ),
        (
            ["카셰어링", "네, 모두 맞아요", "SKT"],
            "폴더폰",
            "[갤럭시/안드로이드]를 눌러 주세요",
            ["아이폰", "갤럭시/안드로이드"],
        ),
        (
            ["카셰어링", "네, 모두 맞아요", "LG U+", "아이폰"],
            "음",
            RESOLVED_QUESTION,
            ["네, 해결됐어요", "아니요"],
        ),
    ],
    ids=["service", "preconditions", "carrier", "device", "resolved"],
)
def test_unrecognised_answers_reprompt_then_offer_an_agent(
    chat: GuardedChat,
    handoffs: list[HandoffRequest],
    path: list[str],
    bad: str,
    retry: str,
    labels: list[str],
) -> None:
    chat.say("처음으로").tap("카셰어링 기기 인증")  # from the menu, so 이전 is offered at every question
    for label in path:
        chat.tap(label)
    for _ in range(2):
        chat.say(bad)
        assert retry in chat.text
        assert chat.labels == [*labels, *GLOBAL]
        assert handoffs == []
    chat.say(bad)
    assert "원하시는 안내를 찾기 어려우시면 [상담직원 연결]" in chat.text
    chat.tap("상담직원 연결")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY
    assert handoff.reason == "retry_limit"
    assert handoff.node == "carsharing_auth.agent_handoff"
    assert "3번 인식하지 못해" in handoff.agent_notes[-1]


# -- getting in, and leaving what belongs to others -------------------------------------------------


@pytest.mark.parametrize(
    "utterance",
    [
        "기기 인증이 안돼요",
        "기기인증 실패",
        "기기 인증 실패했어요",
        "인증 문자 보냈는데 안 돼요",
        "인증문자를 보내도 인증이 안 돼요",
        "카셰어링 인증이 안 돼요",
        "쏘카 말고 카카오 카쉐어링 인증 오류",
        "기기가 인증이 안 돼요",
        "기기 인증이 실패했어요",
        "카셰어링 기기 인증이 실패했어요",
        "렌터카 기기인증 문자가 안 가요",
        "카셰어링 인증 문자 보냈는데 안 돼요",
    ],
)
def test_free_text_opens_the_flow(chat: GuardedChat, utterance: str) -> None:
    chat.say(utterance)
    assert START_QUESTION in chat.text
    # an entry match: the customer never saw the menu, so no 이전 (처음으로 shows it)
    assert chat.labels == ["배달 예약", "제주 예약", "카셰어링", "처음으로", "상담직원 연결"]
    chat.tap("처음으로")
    assert "무엇을 도와드릴까요" in chat.text


@pytest.mark.parametrize("utterance", ["카셰어링", "카셰어링 기기 인증", "렌터카"])
def test_menu_words_as_a_first_message_open_the_flow_from_the_menu(chat: GuardedChat, utterance: str) -> None:
    chat.say(utterance)
    assert START_QUESTION in chat.text
    assert chat.labels == ["배달 예약", "제주 예약", "카셰어링", *GLOBAL]
    chat.tap("이전")
    assert "무엇을 도와드릴까요" in chat.text


@pytest.mark.parametrize("extra", [True, False])
def test_main_menu_opens_the_flow(chat: GuardedChat, extra: bool) -> None:
    chat.say("처음으로").tap("카셰어링 기기 인증", extra=extra)
    assert START_QUESTION in chat.text


@pytest.mark.parametrize(
    "utterance",
    [
        "충전 인증 실패",
        "충전실패",
        "인증실패",
        "커넥터가 안 빠져요",
        "주차 안 했는데 결제됐어요",
        "번호판 오인식",
        "충전 오류로 인증실패",
        "전기차 충전이 끝났는데 이용 중이에요",
        "전기차 충전기 인증 중이에요",
        "주차패스 해지하고 싶어요",
        "주차장 이름이 왜 안 보이나요",
    ],
)
def test_other_services_phrases_are_not_claimed(
    app: Flask, chat: GuardedChat, handoffs: list[HandoffRequest], utterance: str
) -> None:
    chat.say(utterance)
    assert START_QUESTION not in chat.text
    assert flow_reached(app, chat.user, handoffs) != "carsharing_auth"


def test_back_from_the_device_question_changes_the_carrier_and_the_case(
    chat: GuardedChat, handoffs: list[HandoffRequest]
) -> None:
    to_carrier(chat, "extra").tap("SKT")
    chat.tap("이전")
    assert CARRIER_QUESTION in chat.text
    chat.tap("LG U+").tap("아이폰")
    assert "전화 걸기 지원" in chat.text
    chat.tap("아니요")
    assert facts(handoffs[0])["carshare_carrier"] == "LG U+"
    assert facts(handoffs[0])["carshare_case"] == "Case 1 (LG U+·알뜰폰 + 아이폰)"


def test_agent_reachable_from_the_steps(chat: GuardedChat, handoffs: list[HandoffRequest]) -> None:
    to_carrier(chat, "label").tap("KT").tap("아이폰").say("상담원 연결해 주세요")
    (handoff,) = handoffs
    assert handoff.category == CATEGORY
    assert facts(handoff)["carshare_case"] == "Case 2 (SKT·KT + 아이폰)"
    assert "Case 2 (SKT·KT + 아이폰) 조치 방법까지 보여 드렸어요" in handoff.agent_notes[1]


# -- 상담직원 연결 from every question: this guide's category and notes, not the generic handoff ----------

NOT_RESOLVED_INTRO = "안내해 드린 방법으로도 해결되지 않아"  # the wording of the "아니요" handoffs
AGENT_INTRO = "기기 인증이 되지 않아 불편하셨겠어요."
SERVICE = {"carshare_service": "카셰어링"}
MET = {**SERVICE, "carshare_precondition": "충족 (본인 명의·유심 장착)"}

# (taps after "기기 인증이 안돼요", the question's text, the facts so far, the bot's stage in the agent note)
QUESTIONS = [
    pytest.param([], START_QUESTION, {}, "이용 서비스(배달 예약/제주 예약/카셰어링)를 묻는 단계", id="start"),
    pytest.param(
        ["카셰어링"], PRECONDITIONS, SERVICE, "기기인증 필수조건을 확인하는 단계", id="preconditions"
    ),
    pytest.param(
        ["카셰어링", "아니요"], "카셰어링 이용이 불가해요",
        {**SERVICE, "carshare_precondition": "미충족"}, "필수조건(본인 명의·유심 장착 개통 기기) 미충족",
        id="precondition-unmet",
    ),
    pytest.param(["카셰어링", "네, 모두 맞아요"], CARRIER_QUESTION, MET, "통신사를 묻는 단계", id="carrier"),
    pytest.param(
        ["카셰어링", "네, 모두 맞아요", "KT"], DEVICE_QUESTION,
        {**MET, "carshare_carrier": "KT"}, "기종을 묻는 단계", id="device-skt-kt",
    ),
    pytest.param(
        ["카셰어링", "네, 모두 맞아요", "알뜰폰"], DEVICE_QUESTION,
        {**MET, "carshare_carrier": "알뜰폰"}, "기종을 묻는 단계", id="device-lgu-mvno",
    ),
    pytest.param(
        ["카셰어링", "네, 모두 맞아요", "LG U+", "아이폰"], RESOLVED_QUESTION,
        {**MET, "carshare_carrier": "LG U+", "carshare_device": "아이폰",
         "carshare_case": "Case 1 (LG U+·알뜰폰 + 아이폰)"},
        "Case 1 (LG U+·알뜰폰 + 아이폰) 조치 방법까지 보여 드렸어요", id="case1-steps",
    ),
    pytest.param(
        ["카셰어링", "네, 모두 맞아요", "알뜰폰", "갤럭시/안드로이드"], RESOLVED_QUESTION,
        {**MET, "carshare_carrier": "알뜰폰", "carshare_device": "갤럭시/안드로이드",
         "carshare_case": "가이드 외 조합 (LG U+·알뜰폰 + 안드로이드) → Case 2 일반 조치"},
        "가이드 외 조합 (LG U+·알뜰폰 + 안드로이드) → Case 2 일반 조치 조치 방법까지",
        id="outside-guide-steps",
    ),
]  # fmt: skip
AGENT_WAYS = [
    pytest.param(lambda chat: chat.tap("상담직원 연결"), id="tapped"),
    pytest.param(lambda chat: chat.tap("상담직원 연결", extra=False), id="tapped-label-only"),
    pytest.param(lambda chat: chat.say("상담원 연결해 주세요"), id="typed"),
]


@pytest.mark.parametrize("ask_agent", AGENT_WAYS)
@pytest.mark.parametrize(("taps", "question", "collected", "stage"), QUESTIONS)
def test_agent_from_any_carsharing_question_gets_the_guides_category_and_notes(
    chat: GuardedChat,
    handoffs: list[HandoffRequest],
    ask_agent: Any,
    taps: list[str],
    question: str,
    collected: dict[str, str],
    stage: str,
) -> None:
    chat.say("기기 인증이 안돼요")
    for label in taps:
        chat.tap(label)
    assert question in chat.text and "상담직원 연결" in chat.labels
    ask_agent(chat)

    (handoff,) = handoffs
    assert handoff.node == "carsharing_auth.agent_handoff"
    assert handoff.flow == "carsharing_auth"
    assert handoff.category == CATEGORY
    assert handoff.reason == "customer_request"
    assert facts(handoff) == collected
    admin_check, requested = handoff.agent_notes
    for word in ("T 어드민", "T UID", "통신사", "기기 정보", "SMS 안내 템플릿"):
        assert word in admin_check
    assert "고객이 챗봇 안내 도중 상담직원 연결을 요청했어요" in requested
    assert stage in requested
    # neutral wording for a customer who simply asked; the card repeats what they said
    assert AGENT_INTRO in chat.text and NOT_RESOLVED_INTRO not in chat.text
    assert all(f"{f.label}: {f.value}" in chat.text for f in handoff.facts if f.customer_visible)
    assert "안내 케이스" not in chat.text
    assert [b.get("action") for b in chat.buttons()] == ["operator"]
    assert chat.labels == ["처음으로"]


@pytest.mark.parametrize("ask_agent", AGENT_WAYS)
@pytest.mark.parametrize("service", ["배달 예약", "제주 예약"])
def test_agent_from_the_delivery_answer_gets_the_reservation_note_without_the_device_check(
    chat: GuardedChat, handoffs: list[HandoffRequest], ask_agent: Any, service: str
) -> None:
    chat.say("기기 인증이 안돼요").tap(service)
    ask_agent(chat)
    (handoff,) = handoffs
    assert handoff.node == "carsharing_auth.other_service_agent"
    assert (handoff.category, handoff.reason) == (CATEGORY, "customer_request")
    assert facts(handoff) == {
        "carshare_service": service,
        "carshare_case": "배달·제주 예약 (기기 인증 불필요 안내)",
    }
    (note,) = handoff.agent_notes
    assert f"일단기({service})" in note and "예약 화면과 이용 서비스를 확인해 주세요" in note
    assert "T 어드민" not in note
    assert AGENT_INTRO in chat.text and "불편을 드려 죄송해요" not in chat.text


def test_agent_after_the_conversation_ended_still_gets_the_guides_handoff(
    chat: GuardedChat, handoffs: list[HandoffRequest]
) -> None:
    chat.say("기기 인증").tap("카셰어링").tap("아니요").tap("확인했어요")  # closed: no question any more
    assert chat.labels == ["처음으로"]
    chat.say("상담직원 연결해 주세요")
    (handoff,) = handoffs
    assert handoff.node == "carsharing_auth.agent_handoff" and handoff.category == CATEGORY
    assert "미충족" in handoff.agent_notes[1]


# -- 이전 forgets what was answered since ------------------------------------------------------------


@pytest.mark.parametrize("finish", ["아니요", "상담직원 연결"])
@pytest.mark.parametrize("seen_steps", [False, True], ids=["at-device", "after-steps"])
def test_back_past_carrier_and_device_then_delivery_leaves_no_device_facts(
    chat: GuardedChat, handoffs: list[HandoffRequest], seen_steps: bool, finish: str
) -> None:
    to_carrier(chat, "extra").tap("SKT")
    backs = 3
    if seen_steps:
        chat.tap("아이폰")
        assert RESOLVED_QUESTION in chat.text
        backs = 4
    for _ in range(backs):  # (steps →) device → carrier → preconditions → service
        chat.tap("이전")
    assert START_QUESTION in chat.text
    chat.tap("배달 예약")
    assert "기기 인증 없이도 이용이 가능해요" in chat.text
    chat.tap(finish)
    (handoff,) = handoffs
    assert facts(handoff) == {
        "carshare_service": "배달 예약",
        "carshare_case": "배달·제주 예약 (기기 인증 불필요 안내)",
    }
    assert "통신사" not in chat.text and "기종" not in chat.text
    assert "SKT" not in "\n".join(handoff.agent_notes) and "Case" not in "\n".join(handoff.agent_notes)


def test_back_to_the_preconditions_forgets_an_unmet_answer(
    chat: GuardedChat, handoffs: list[HandoffRequest]
) -> None:
    chat.say("기기 인증").tap("카셰어링").tap("아니요").tap("이전")
    assert PRECONDITIONS in chat.text
    chat.tap("네, 모두 맞아요").tap("SKT").tap("상담직원 연결")
    assert facts(handoffs[0])["carshare_precondition"] == "충족 (본인 명의·유심 장착)"


# -- the representative numbers are configuration ----------------------------------------------------


def test_numbers_come_from_the_content_variables() -> None:
    app = create_app(
        {"bot_vars": {"carsharing_auth_number_case1": "1600-12345", "carsharing_auth_number": "1588-0000"}}
    )
    chat = GuardedChat(app.test_client())
    to_carrier(chat, "extra").tap("알뜰폰").tap("아이폰")
    assert "대표번호(1600-12345) 직접 입력" in chat.text
    assert "총 12자리" in chat.text and "160012345111" in chat.text
    assert "1688-8086" not in chat.text
    chat.tap("이전").tap("이전").tap("SKT").tap("갤럭시/안드로이드")
    assert "1588-0000번으로 직접 전송" in chat.text
    assert "1688-8086" not in chat.text
