"""parse_skill_request: field mapping, fallbacks, JSON decoding and tolerance of any JSON value."""

import json
from collections.abc import Mapping
from typing import Any

import pytest

from app.kakao import DetailParam, SkillRequest, parse_skill_request

USER_ID = "de4b7ec52fbeb6a61d96e29f98ce9ce48fef32c21ab73b5ef3fd9198c8a8a7d294"


def payload(**user_request: Any) -> dict[str, Any]:
    return {"userRequest": {"user": {"id": USER_ID}, "utterance": "처음으로", **user_request}}


def with_action(**action: Any) -> dict[str, Any]:
    return {**payload(), "action": action}


GARBAGE: list[Any] = [
    None,
    0,
    1.5,
    True,
    "",
    "null",
    "{}",
    [],
    [{"userRequest": {}}],
    {"userRequest": None},
    {"userRequest": "utterance"},
    {"userRequest": []},
    {"userRequest": {"user": "someone", "utterance": 42}},
    {"userRequest": {"user": {"id": 12345, "properties": ["botUserKey"]}}},
    {"userRequest": {"user": {"id": None, "properties": {"botUserKey": {"x": 1}, "isFriend": "true"}}}},
    {"userRequest": {"block": "b", "params": "surface", "lang": 7, "timezone": [], "callbackUrl": {}}},
    {"action": "skill"},
    {"action": {"params": ["a"], "detailParams": "x", "clientExtra": [1, 2]}},
    {"action": {"params": {"a": "{broken", "b": "[1,", "c": None}, "detailParams": {"x": [1], "y": None}}},
    {"action": {"detailParams": {"n": {"origin": 1, "value": '{"a":', "groupName": 2}}}},
    {"bot": ["id"], "intent": "name", "flow": {"trigger": "TEXT_INPUT"}, "contexts": {"a": 1}},
    {"flow": {"trigger": {"type": 3}}, "bot": {"id": 5, "name": None}},
    {"action": {"clientExtra": "[" * 100_000}},
    {"action": {"params": {"deep": "[" * 100_000}}},
    {1: "int key", "userRequest": {2: "x"}},
]


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_never_raises_and_degrades_to_defaults(garbage: Any) -> None:
    request = parse_skill_request(garbage)
    assert isinstance(request, SkillRequest)
    assert request.user_key == ""
    assert request.utterance == ""
    assert request.timezone == "Asia/Seoul"
    assert request.lang is None
    assert request.client_extra == {}
    assert request.is_friend is None
    assert request.bot_id is None
    assert request.trigger_type is None


def test_wrong_types_in_one_place_keep_the_rest() -> None:
    body = payload(block="not an object", params=["x"])
    body["userRequest"]["user"]["properties"] = ["botUserKey"]
    body["bot"] = {"id": 17, "name": "봇"}
    request = parse_skill_request(body)
    assert request.user_key == USER_ID
    assert request.utterance == "처음으로"
    assert request.block_id is None
    assert request.surface is None
    assert request.bot_id is None
    assert request.bot_name == "봇"


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"id": "u1", "properties": {"botUserKey": "u2", "bot_user_key": "u3"}}, "u1"),
        ({"id": "", "properties": {"botUserKey": "u2", "bot_user_key": "u3"}}, "u2"),
        ({"id": "   ", "properties": {"botUserKey": "u2"}}, "u2"),
        ({"properties": {"botUserKey": None, "bot_user_key": "u3"}}, "u3"),
        ({"id": 42, "properties": {"bot_user_key": "u3"}}, "u3"),
        ({"id": " u1 "}, "u1"),
        ({"properties": {}}, ""),
        ({}, ""),
    ],
)
def test_user_key_fallbacks(user: dict[str, Any], expected: str) -> None:
    body = payload()
    body["userRequest"]["user"] = user
    assert parse_skill_request(body).user_key == expected


def test_camel_case_properties_win_over_legacy_snake_case() -> None:
    body = payload()
    body["userRequest"]["user"]["properties"] = {
        "plusfriendUserKey": "new",
        "plusfriend_user_key": "old",
        "appUserId": "1",
        "app_user_id": "2",
    }
    request = parse_skill_request(body)
    assert (request.plusfriend_user_key, request.app_user_id) == ("new", "1")


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("true", None), (1, None), (None, None)]
)
def test_is_friend_accepts_only_booleans(value: object, expected: bool | None) -> None:
    body = payload()
    body["userRequest"]["user"]["properties"] = {"isFriend": value}
    assert parse_skill_request(body).is_friend is expected


@pytest.mark.parametrize(
    ("utterance", "expected"),
    [
        ("  주차 결제 취소 \n", "주차 결제 취소"),
        ("차량 번호\n12가3456", "차량 번호\n12가3456"),
        ("\n\n첫 줄\n\n둘째 줄\n", "첫 줄\n\n둘째 줄"),
        (None, ""),
        (123, ""),
        (["처음으로"], ""),
    ],
)
def test_utterance_is_stripped_but_keeps_inner_newlines(utterance: object, expected: str) -> None:
    assert parse_skill_request(payload(utterance=utterance)).utterance == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ko", "ko"), ("kr", "ko"), ("KR", "ko"), (" Ko ", "ko"), ("en", "en"), ("JA", "ja"), (None, None),
     ("", None), (3, None)],
)  # fmt: skip
def test_lang_is_normalised(lang: object, expected: str | None) -> None:
    assert parse_skill_request(payload(lang=lang)).lang == expected


@pytest.mark.parametrize(
    ("timezone", "expected"), [("Asia/Tokyo", "Asia/Tokyo"), (None, "Asia/Seoul"), ("", "Asia/Seoul")]
)
def test_timezone_defaults_to_seoul(timezone: object, expected: str) -> None:
    assert parse_skill_request(payload(timezone=timezone)).timezone == expected


@pytest.mark.parametrize(
    ("client_extra", "expected"),
    [
        (None, {}),
        ("null", {}),
        ("", {}),
        ("   ", {}),
        ("[1, 2]", {}),
        ('"text"', {}),
        ("{not json", {}),
        (17, {}),
        ([{"a": 1}], {}),
        ({}, {}),
        ({"node": "main.menu"}, {"node": "main.menu"}),
        ('{"node": "parking.refund", "step": 2}', {"node": "parking.refund", "step": 2}),
    ],
)
def test_client_extra_is_always_a_map(client_extra: object, expected: dict[str, Any]) -> None:
    request = parse_skill_request(with_action(clientExtra=client_extra))
    assert isinstance(request.client_extra, Mapping)
    assert dict(request.client_extra) == expected


def test_client_extra_is_immutable_and_not_shared_with_the_payload() -> None:
    extra = {"node": "main.menu", "facts": {"car": "12가3456"}}
    body = with_action(clientExtra=extra)
    request = parse_skill_request(body)
    with pytest.raises(TypeError):
        request.client_extra["node"] = "other"  # type: ignore[index]
    extra["facts"]["car"] = "changed"
    assert request.client_extra["facts"] == {"car": "12가3456"}
    assert parse_skill_request(payload()).client_extra is not parse_skill_request(payload()).client_extra


def test_params_decode_json_strings_only() -> None:
    params = {
        "sys_number": '{"amount": 1, "unit": null}',
        "list": '[1, "둘"]',
        "spaced": '  {"a": 1}',
        "sys_location": "강남",
        "broken": "{amount: 1}",
        "number_text": "3",
        "already": {"amount": 3},
        "count": 5,
    }
    request = parse_skill_request(with_action(params=params))
    assert dict(request.params) == {
        "sys_number": {"amount": 1, "unit": None},
        "list": [1, "둘"],
        "spaced": {"a": 1},
        "sys_location": "강남",
        "broken": "{amount: 1}",
        "number_text": "3",
        "already": {"amount": 3},
        "count": 5,
    }
    with pytest.raises(TypeError):
        request.params["x"] = 1  # type: ignore[index]


def test_detail_params() -> None:
    detail = {
        "sys_number": {"origin": "1", "value": '{"amount": 1, "unit": null}', "groupName": ""},
        "plain": {"origin": "강남", "value": "강남"},
        "not_an_object": "x",
        "wrong_types": {"origin": 1, "value": None, "groupName": ["g"], "extra": True},
    }
    request = parse_skill_request(with_action(detailParams=detail))
    assert dict(request.detail_params) == {
        "sys_number": DetailParam(origin="1", value={"amount": 1, "unit": None}, group_name=""),
        "plain": DetailParam(origin="강남", value="강남", group_name=None),
        "wrong_types": DetailParam(origin=None, value=None, group_name=None),
    }


@pytest.mark.parametrize(
    ("bot_id", "development", "base"),
    [
        ("c8c0dcb5ad27ec0314582dd3", False, "c8c0dcb5ad27ec0314582dd3"),
        ("c8c0dcb5ad27ec0314582dd3!", True, "c8c0dcb5ad27ec0314582dd3"),
        (None, False, None),
    ],
)
def test_development_bot(bot_id: str | None, development: bool, base: str | None) -> None:
    request = parse_skill_request({**payload(), "bot": {"id": bot_id, "name": "봇"}})
    assert request.is_development_bot is development
    assert request.bot_id_base == base
    assert request.bot_id == bot_id


@pytest.mark.parametrize(
    ("params", "surface", "is_test"),
    [
        ({"surface": "BuilderBotTest", "ignoreMe": "true"}, "BuilderBotTest", True),
        ({"surface": "Kakaotalk.plusfriend"}, "Kakaotalk.plusfriend", False),
        ({}, None, False),
    ],
)
def test_surface(params: dict[str, str], surface: str | None, is_test: bool) -> None:
    request = parse_skill_request(payload(params=params))
    assert (request.surface, request.is_bot_test) == (surface, is_test)


def test_ids_names_callback_and_trigger() -> None:
    body = payload(block={"id": "b1", "name": "블록"}, callbackUrl="https://bot-api.kakao.com/cb")
    body.update(
        intent={"id": "i1", "name": "지식+", "extra": {}},
        flow={"trigger": {"type": "QUICKREPLY_BUTTON_MESSAGE"}},
        unknown={"ignored": True},
    )
    request = parse_skill_request(body)
    assert (request.block_id, request.block_name) == ("b1", "블록")
    assert (request.intent_id, request.intent_name) == ("i1", "지식+")
    assert request.callback_url == "https://bot-api.kakao.com/cb"
    assert request.trigger_type == "QUICKREPLY_BUTTON_MESSAGE"


def test_request_is_frozen_and_dumps_to_json() -> None:
    request = parse_skill_request(with_action(clientExtra={"node": "a"}, params={"n": '{"amount": 1}'}))
    with pytest.raises(ValueError, match=r"frozen"):
        request.utterance = "x"  # type: ignore[misc]
    dumped = json.loads(request.model_dump_json())
    assert dumped["client_extra"] == {"node": "a"}
    assert dumped["params"] == {"n": {"amount": 1}}


def test_request_can_be_built_directly_for_other_layers_tests() -> None:
    request = SkillRequest(user_key="u", utterance="처음으로", client_extra={"node": "main"})
    assert request.client_extra == {"node": "main"}
    assert request.params == {}
    assert request.timezone == "Asia/Seoul"
    with pytest.raises(TypeError):
        request.client_extra["x"] = 1  # type: ignore[index]
