"""Every payload fixture parses to the values a user of the layer relies on."""

import json
from pathlib import Path
from typing import Any

import pytest

from app.kakao import DetailParam, SkillRequest, parse_skill_request

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BOT_ID = "c8c0dcb5ad27ec0314582dd3"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def parse(name: str) -> SkillRequest:
    return parse_skill_request(load(name))


ALL_FIXTURES = sorted(path.stem for path in FIXTURES.glob("*.json"))


def test_fixture_set_is_complete_and_documented() -> None:
    required = {
        "official_example", "bot_test_surface", "legacy_snake_case", "client_extra_null",
        "client_extra_object", "client_extra_json_string", "minimal", "no_intent_contexts_flow",
        "dev_bot_bang", "lang_null", "params_objects", "secureimage_param", "not_friend",
        "properties_empty", "callback_url", "no_user",
    }  # fmt: skip
    assert required <= set(ALL_FIXTURES)
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    undocumented = [name for name in ALL_FIXTURES if f"`{name}.json`" not in readme]
    assert undocumented == []


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_has_a_user_key_unless_named_otherwise(name: str) -> None:
    request = parse(name)
    if name.startswith("no_user"):
        assert request.user_key == ""
    else:
        assert len(request.user_key) == 66
        assert all(char in "0123456789abcdef" for char in request.user_key)
    assert request.utterance


def test_official_example() -> None:
    request = parse("official_example")
    assert request.user_key == "de4b7ec52fbeb6a61d96e29f98ce9ce48fef32c21ab73b5ef3fd9198c8a8a7d294"
    assert request.user_type == "botUserKey"
    assert request.plusfriend_user_key == "Xq2mV8kLpT3a"
    assert request.is_friend is True
    assert request.utterance == "1 금요일 강남"
    assert request.lang == "ko"
    assert request.timezone == "Asia/Seoul"
    assert request.surface == "Kakaotalk.plusfriend"
    assert request.is_bot_test is False
    assert request.client_extra == {}
    assert request.params["sys_number"] == {"amount": 1, "unit": None}
    assert request.params["sys_date"]["date"] == "2023-03-31"
    assert request.params["sys_date"]["dateTag"] == "Friday"
    assert request.params["sys_location"] == "강남"
    assert request.detail_params["sys_number"] == DetailParam(
        origin="1", value={"amount": 1, "unit": None}, group_name=""
    )
    assert request.detail_params["sys_date"].origin == "금요일"
    assert (request.intent_id, request.intent_name) == ("9f210ac8e632303c2dbeb847", "예약 블록")
    assert (request.block_id, request.block_name) == ("9f210ac8e632303c2dbeb847", "예약 블록")
    assert request.trigger_type == "TEXT_INPUT"
    assert (request.bot_id, request.bot_name) == (BOT_ID, "모빌리티 고객센터")
    assert request.is_development_bot is False
    assert request.callback_url is None


def test_bot_test_surface() -> None:
    request = parse("bot_test_surface")
    assert request.surface == "BuilderBotTest"
    assert request.is_bot_test is True
    assert request.utterance == "기기 인증이 안돼요"


def test_legacy_snake_case() -> None:
    request = parse("legacy_snake_case")
    assert request.user_key == "71b6df8e7885471f1905ee555f75b8c242379e4b2e28d7761c940b022188f0b0fa"
    assert request.user_type == "accountId"
    assert request.plusfriend_user_key == "Lm4Rz9TqW2bN"
    assert request.app_user_id == "1902837465"
    assert request.is_friend is None
    assert request.lang == "ko"
    assert request.client_extra == {}
    assert request.trigger_type is None
    assert request.utterance == "주차 안 했는데 결제됐어요"


def test_bot_user_key_only() -> None:
    request = parse("bot_user_key_only")
    assert request.user_key == "e8ba27685ebc8c77c641d7791ef22a3726feb661568139b9c9bdddc5cb8f21aa32"
    assert request.plusfriend_user_key == "Pw3Ks8Hd1Qz0"
    assert request.is_friend is None


def test_client_extra_null() -> None:
    request = parse("client_extra_null")
    assert request.client_extra == {}
    assert request.utterance == "처음으로"
    assert request.block_name == "메인 메뉴"


def test_client_extra_object_from_a_quick_reply() -> None:
    request = parse("client_extra_object")
    assert request.trigger_type == "QUICKREPLY_BUTTON_MESSAGE"
    assert request.client_extra == {"node": "main.menu", "choice": "주차 결제 취소"}
    assert request.utterance == "주차 결제 취소"


def test_client_extra_json_string() -> None:
    request = parse("client_extra_json_string")
    assert request.client_extra == {"node": "parking.refund", "step": 2}
    assert request.trigger_type == "CARD_BUTTON_BLOCK"


def test_minimal() -> None:
    request = parse("minimal")
    assert request.user_key == "f9e3f897fd8702fd1d30c0ff3944115d20c8a8eaee3a3a28e632ef07de1915d44e"
    assert request.utterance == "주차 안 했는데 결제됐어요"
    assert request == SkillRequest(user_key=request.user_key, utterance=request.utterance)


def test_no_intent_contexts_flow() -> None:
    request = parse("no_intent_contexts_flow")
    assert (request.intent_id, request.intent_name, request.trigger_type) == (None, None, None)
    assert request.block_name == "폴백 블록"
    assert request.utterance == "충전기가 작동하지 않아요"


def test_dev_bot_bang() -> None:
    request = parse("dev_bot_bang")
    assert request.bot_id == BOT_ID + "!"
    assert request.is_development_bot is True
    assert request.bot_id_base == BOT_ID


def test_lang_null() -> None:
    request = parse("lang_null")
    assert request.lang is None
    assert request.utterance == "상담원 연결해주세요"


def test_params_objects() -> None:
    request = parse("params_objects")
    assert request.params == {"sys_number_ordinal": {"amount": 3}, "car_number": "12가3456"}
    assert request.detail_params["sys_number_ordinal"] == DetailParam(
        origin="세 번째", value={"amount": 3}, group_name=""
    )
    assert request.detail_params["car_number"].value == "12가3456"


def test_secureimage_param() -> None:
    request = parse("secureimage_param")
    secure = request.params["secureimage"]
    assert secure["privacyAgree"] == "Y"
    assert secure["imageQuantity"] == "2"
    assert secure["secureUrls"].startswith("List(http://secure.kakaocdn.net/")
    assert secure["secureUrls"].count("http://") == 2
    assert request.detail_params["secureimage"].origin == secure["secureUrls"]


def test_not_friend() -> None:
    request = parse("not_friend")
    assert request.is_friend is None
    assert request.plusfriend_user_key == "Xq2mV8kLpT3a"


def test_properties_empty() -> None:
    request = parse("properties_empty")
    assert request.user_key == "71b6df8e7885471f1905ee555f75b8c242379e4b2e28d7761c940b022188f0b0fa"
    assert (request.plusfriend_user_key, request.app_user_id, request.is_friend) == (None, None, None)


def test_callback_url() -> None:
    request = parse("callback_url")
    assert request.callback_url == (
        f"https://bot-api.kakao.com/v1/bots/{BOT_ID}/callback/f1fa752395a6235383a522c691953ee3"
    )


def test_no_user() -> None:
    request = parse("no_user")
    assert request.user_key == ""
    assert request.user_type is None
    assert request.utterance == "처음으로"


def test_multiline_utterance() -> None:
    assert (
        parse("multiline_utterance").utterance
        == "차량 번호: 12가 3456\n결제 시간: 어제 오후 3시\n\n확인 부탁드려요"
    )


def test_knowledge_plus() -> None:
    request = parse("knowledge_plus")
    assert request.intent_name == "지식+"
    assert request.utterance == "주차 요금 환불 되나요?"


def test_image_upload() -> None:
    request = parse("image_upload")
    assert request.trigger_type == "IMAGE_UPLOAD"
    assert request.surface == "Kakaotalk.plusfriend"
    assert request.utterance.startswith("http://talk.kakaocdn.net/")
