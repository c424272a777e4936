"""What customers who type (rather than tap) meet on the real content: the right part of the right
guide, an honest answer when no guide fits, values found in sentences, topic switches, and answers
about a handoff already made."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.engine.reply import HandoffRequest
from tests.chat import Chat

EMPATHY = ("놀라셨겠", "불편하셨겠", "불편을 드려", "걱정하시는 마음")  # guides' first lines assume a problem
MENU = ["카셰어링 기기 인증", "전기차 충전 오류", "주차 결제 취소", "그 밖의 문의"]


@pytest.mark.parametrize(
    "utterance",
    [
        "주차장 위치가 어디예요?",
        "전기차 충전 요금 얼마예요",
        "카셰어링 예약은 어떻게 해요",
        "택시 기사님이 불친절했어요",
        "회원탈퇴 하고 싶어요",
    ],
)
def test_out_of_scope_gets_an_honest_answer_without_a_guides_premise(
    client: FlaskClient, handoffs: list[HandoffRequest], utterance: str
) -> None:
    chat = Chat(client).say(utterance)
    assert "챗봇이 안내해 드리기 어려운 문의" in chat.text
    assert not any(line in chat.text for line in EMPATHY)
    assert chat.labels[:4] == MENU and "상담직원 연결" in chat.labels
    assert handoffs == []
    chat.tap("주차 결제 취소")  # the menu still works from there
    assert "가입자 본인이신가요?" in chat.text


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        (
            "충전 다 끝났는데 앱에는 아직 충전하고 있다고 떠요",
            "충전기의 통신 불안정으로 상태 변경이 지연될 수 있어요",
        ),
        ("누가 제 번호판 복제해서 쓰는 것 같아요", "걱정하시는 마음 충분히 공감해요"),
        ("휴대폰 등록이 안 돼요 카셰어링 쓰려는데", "카셰어링"),
        ("주차패스 해지하려면 어떻게 해요", "[등록정보 확인하기]"),
    ],
)
def test_first_messages_reach_the_right_part_of_the_right_guide(
    client: FlaskClient, utterance: str, says: str
) -> None:
    assert says in Chat(client).say(utterance).text


def at_plate(client: FlaskClient, user: str = "c0" * 33) -> Chat:
    chat = Chat(client, user).say("안 간 주차장 요금이 결제됐어요").tap("네, 본인이에요")
    assert "차량번호를 알려 주세요" in chat.text
    return chat


@pytest.mark.parametrize(
    ("said", "plate"), [("제 차 번호는 123 가 4567 입니다", "123가4567"), ("12가 3456이요", "12가3456")]
)
def test_a_plate_written_in_a_sentence_is_understood(client: FlaskClient, said: str, plate: str) -> None:
    chat = at_plate(client).say(said)
    assert f"{plate} 차량이 고객님께서 이용하시는 차량이 맞을까요?" in chat.text


def test_the_entry_time_is_taken_from_a_sentence_and_a_new_problem_is_not_saved_as_a_value(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    chat = at_plate(client).say("12가3456").tap("네, 맞아요").tap("아니요")
    assert "입차 날짜와 시간" in chat.text
    chat.say("주차패스 해지하고 싶어요")  # a new problem while the bot waits for a date
    assert "[등록정보 확인하기]" in chat.text and "입차 날짜와 시간" not in chat.text

    chat = at_plate(client, user="d1" * 33).say("12가3456").tap("네, 맞아요").tap("아니요")
    chat.say("어제 오후 3시쯤 들어갔다고 나와요")
    assert "지역을 알려 주세요" in chat.text
    chat.tap("상담직원 연결")
    (handoff,) = handoffs
    entered = {f.label: f.value for f in handoff.facts}["입차 일시"]
    assert entered.endswith("오후 3시쯤") and "월" in entered  # resolved to a date for the agent


def test_after_a_handoff_asking_when_gets_an_answer_about_it(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    chat = Chat(client).say("안 간 주차장 요금이 결제됐어요").tap("상담직원 연결")
    assert len(handoffs) == 1
    chat.say("언제 연결돼요?")
    assert "상담직원에게 문의 내용을 전달해 드렸어요" in chat.text
    assert "무엇을 도와드릴까요" not in chat.text  # not the greeting
    assert any(b.get("action") == "operator" for b in chat.buttons())
    assert len(handoffs) == 1  # asking about it files nothing new


def test_a_double_tap_is_not_taken_as_the_answer_to_the_next_question(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    chat = Chat(client).say("안 간 주차장 요금이 결제됐어요")
    tap = next(q for q in chat.last["template"]["quickReplies"] if q["label"] == "네, 본인이에요")
    chat.say(tap["messageText"], tap["extra"])
    chat.say(tap["messageText"], tap["extra"])  # the same tap delivered again
    assert "이미 답해 주신 질문의 버튼이에요" in chat.text
    assert "차량번호를 알려 주세요" in chat.text
    chat.say("12가3456")
    assert "12가3456 차량이" in chat.text


THANKED = "이용해 주셔서 감사합니다"


@pytest.mark.parametrize(
    "utterance", ["감사합니다", "네 알겠습니다 수고하세요", "덕분에 해결했어요 고마워요~"]
)
def test_thanks_after_a_guides_answer_are_thanked_back_not_called_out_of_scope(
    client: FlaskClient, handoffs: list[HandoffRequest], utterance: str
) -> None:
    chat = Chat(client).say("충전 다 끝났는데 앱에는 아직 충전하고 있다고 떠요").tap("기다려 볼게요")
    chat.say(utterance)
    assert THANKED in chat.text
    assert "어려운 문의" not in chat.text and not any(line in chat.text for line in EMPATHY)
    assert chat.labels == ["처음으로"] and handoffs == []
    chat.say("주차장 안 갔는데 결제됐어요")  # a new problem after the thanks starts its guide
    assert "가입자 본인이신가요?" in chat.text


def test_thanks_in_the_middle_of_a_guide_keep_the_customer_where_they_are(
    client: FlaskClient, handoffs: list[HandoffRequest]
) -> None:
    chat = at_plate(client, "t1" * 33).say("감사합니다")  # an acknowledgement, not a goodbye
    assert THANKED not in chat.text and "차량번호" in chat.text
    chat.say("12가3456")  # the guide goes on from the same question
    assert "12가3456 차량이 고객님께서 이용하시는 차량이 맞을까요?" in chat.text
    chat = Chat(client, "t2" * 33).say("안 간 주차장 요금이 결제됐어요").say("고마워요")
    assert THANKED not in chat.text and "본인" in chat.text  # the choice question again
    assert chat.labels[:2] == ["네, 본인이에요", "아니요"] and handoffs == []


@pytest.mark.parametrize(
    ("utterance", "says"),
    [
        ("안녕하세요 공유차 인증문자가 안와요", "기기 인증이 되지 않아 불편하셨겠어요"),
        ("수고하십니다! 주차장 간 적도 없는데 결제됐어요", "가입자 본인이신가요?"),
        ("안녕하세요", "무엇을 도와드릴까요"),
    ],
)
def test_a_greeting_before_the_problem_does_not_hide_it(
    client: FlaskClient, utterance: str, says: str
) -> None:
    assert says in Chat(client).say(utterance).text


RETRY = "하나라도 아니라면 [아니요]를 눌러 주세요"  # the preconditions question's "not understood"


@pytest.mark.parametrize(
    ("typed", "says"), [("넹", "통신사를 골라 주세요"), ("ㄴㄴ", "확인해 주셔서 감사해")]
)
def test_yes_and_no_typed_informally_answer_a_yes_no_question(
    client: FlaskClient, typed: str, says: str
) -> None:
    chat = Chat(client).say("카셰어링 기기 인증이 안 돼요").tap("카셰어링")
    assert "두 가지 모두 해당하나요?" in chat.text
    chat.say(typed)
    assert says in chat.text and RETRY not in chat.text


def test_a_variant_inside_a_sentence_is_read_as_written(client: FlaskClient) -> None:
    chat = Chat(client).say("카셰어링 기기 인증이 안 돼요").tap("카셰어링")
    chat.say("넹 근데 공기계예요")  # not a bare 네: 공기계 is one of 아니요's words
    assert "확인해 주셔서 감사해" in chat.text


def test_a_choice_can_be_picked_by_its_place(client: FlaskClient) -> None:
    chat = Chat(client).say("안녕하세요")
    assert chat.labels[1] == "전기차 충전 오류"
    chat.say("2번")  # not "벌써 두 번째" (a parking charge again): the second button on screen
    assert "어떤 상황인지 아래에서 골라 주세요" in chat.text
    symptoms = chat.labels
    chat.say("9번")  # there is no ninth: not understood, the same choices again
    assert chat.labels == symptoms and "나오는군요" not in chat.text
    chat.say("두 번째요")
    assert "'인증실패' 또는 '충전실패'로 나오는군요" in chat.text


def test_a_number_is_a_value_where_the_bot_asks_for_one(client: FlaskClient) -> None:
    chat = Chat(client).say("충전기가 고장났어요").say("케이블이 끊어졌어요").tap("앱 제보가 안 돼요")
    chat.say("판교역 충전소")
    assert "충전기 번호" in chat.text
    chat.say("3번")  # the charger's number, not the third quick reply
    assert "· 충전기: 3번" in chat.text


@pytest.mark.parametrize("said", ["네", "넹", "감사합니다", "안녕하세요"])
def test_an_acknowledgement_is_not_saved_where_the_bot_asks_for_words(
    client: FlaskClient, handoffs: list[HandoffRequest], said: str
) -> None:
    chat = Chat(client).say("충전기가 고장났어요").say("케이블이 끊어졌어요").tap("앱 제보가 안 돼요")
    assert "충전소 이름을 알려 주세요" in chat.text
    chat.say(said)
    assert "충전소 이름이나 위치를" in chat.text  # the question's hint: asked again
    chat.say("판교역 충전소").say("3번")
    (handoff,) = handoffs
    assert {f.label: f.value for f in handoff.facts}["충전소"] == "판교역 충전소"
