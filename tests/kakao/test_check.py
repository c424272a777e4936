"""check_response: the envelope, template, quick replies and context; builder output passes."""

from typing import Any

import pytest

from app.kakao import (
    BasicCard,
    Button,
    Carousel,
    CarouselHeader,
    ListCard,
    ListItem,
    QuickReply,
    SimpleImage,
    SkillResponse,
    TextCard,
    Thumbnail,
    check_response,
    simple_texts,
)

TEXT = {"simpleText": {"text": "안녕하세요"}}
IMAGE = "https://cdn.example.com/a.png"


def response(*outputs: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"version": "2.0", "template": {"outputs": list(outputs or [TEXT])}}
    body.update(fields)
    return body


def with_quick_replies(*replies: Any) -> dict[str, Any]:
    body = response()
    body["template"]["quickReplies"] = list(replies)
    return body


def reply(label: str = "처음으로", **fields: Any) -> dict[str, Any]:
    return {"label": label, "action": "message", "messageText": label, **fields}


def test_valid_responses_have_no_problems() -> None:
    assert check_response(response()) == []
    assert check_response({"version": "2.0", "useCallback": True, "data": {"text": "잠시만요"}}) == []
    assert check_response({"version": "2.0", "data": {"answer": "42"}}) == []
    assert check_response({"version": "2.0", "context": {"values": []}}) == []
    assert check_response(with_quick_replies(reply(), {"label": "이전", "action": "Message"})) == []


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (None, "response: must be an object, got null"),
        ([TEXT], "response: must be an object, got array"),
        ("2.0", "response: must be an object, got string"),
    ],
)
def test_response_must_be_an_object(payload: Any, problem: str) -> None:
    assert check_response(payload) == [problem]


def test_version() -> None:
    body = response()
    del body["version"]
    assert check_response(body) == ["version: is required"]
    assert check_response(response(version="1.0")) == ["version: must be '2.0', got '1.0'"]
    assert check_response(response(version=2.0)) == ["version: must be '2.0', got 2.0"]


def test_unknown_top_level_field() -> None:
    body = response()
    body["templates"] = body.pop("template")
    problems = check_response(body)
    assert problems[0].startswith("templates: unknown field")
    assert problems[1:] == [
        "template: is required unless the response only sets useCallback, data or context"
    ]


def test_top_level_types() -> None:
    assert check_response(response(useCallback="yes")) == ["useCallback: must be a boolean, got string"]
    assert check_response(response(data=["a"])) == ["data: must be an object, got array"]
    assert check_response(response(template="text")) == ["template: must be an object, got string"]


def test_not_json_serialisable() -> None:
    problems = check_response(response(data={"tags": {"a", "b"}}))
    assert len(problems) == 1
    assert problems[0].startswith("response: is not JSON-serialisable")


@pytest.mark.parametrize(
    ("outputs", "problem"),
    [
        ([], "template.outputs: has 0 entries, needs at least 1"),
        ([TEXT] * 4, "template.outputs: has 4 entries, over the limit of 3"),
        ("text", "template.outputs: must be an array, got string"),
    ],
)
def test_output_count(outputs: Any, problem: str) -> None:
    assert check_response({"version": "2.0", "template": {"outputs": outputs}}) == [problem]


def test_three_outputs_are_fine_and_outputs_are_required() -> None:
    assert check_response(response(TEXT, TEXT, TEXT)) == []
    assert check_response({"version": "2.0", "template": {}}) == ["template.outputs: is required"]


@pytest.mark.parametrize(
    ("component", "problem"),
    [
        ("안녕", "template.outputs[0]: must be an object, got string"),
        ({}, "template.outputs[0]: must have exactly one key"),
        (
            {**TEXT, "simpleImage": {"imageUrl": IMAGE, "altText": "a"}},
            "template.outputs[0]: must have exactly one",
        ),
        ({"image": {"url": IMAGE}}, "template.outputs[0].image: unknown component type"),
        ({"simpleText": "안녕"}, "template.outputs[0].simpleText: must be an object, got string"),
    ],
)
def test_component_shape(component: Any, problem: str) -> None:
    problems = check_response(response(component))
    assert len(problems) == 1
    assert problems[0].startswith(problem)


def test_quick_reply_count() -> None:
    ten = [reply(f"선택 {n}") for n in range(10)]
    assert check_response(with_quick_replies(*ten)) == []
    eleven = [*ten, reply("선택 10")]
    assert check_response(with_quick_replies(*eleven)) == [
        "template.quickReplies: has 11 entries, over the limit of 10"
    ]
    body = response()
    body["template"]["quickReplies"] = {"label": "a"}
    assert check_response(body) == ["template.quickReplies: must be an array, got object"]


@pytest.mark.parametrize(
    ("quick_reply", "problem"),
    [
        (reply("가" * 15), "label: is 15 characters, over the limit of 14"),
        ({"label": " ", "action": "message"}, "label: must not be empty or blank"),
        ({"action": "message"}, "label: is required"),
        ({"label": "a"}, "action: is required"),
        (reply(action="webLink"), "action: must be one of message, block, got 'webLink'"),
        ({"label": "이전", "action": "block"}, "blockId: is required for action 'block'"),
        (reply(extra=["a"]), "extra: must be an object (it arrives as action.clientExtra), got array"),
        (reply(messageText=3), "messageText: must be a string, got number"),
        (reply(blockid="b1"), "blockid: unknown field"),
        ("처음으로", ": must be an object, got string"),
    ],
)
def test_quick_reply_violations(quick_reply: Any, problem: str) -> None:
    problems = check_response(with_quick_replies(quick_reply))
    assert len(problems) == 1, problems
    separator = "" if problem.startswith(":") else "."
    assert problems[0].startswith(f"template.quickReplies[0]{separator}{problem}"), problems


def test_quick_reply_14_char_label_and_null_extra_are_fine() -> None:
    assert check_response(with_quick_replies(reply("가" * 14, extra=None))) == []


def test_duplicate_quick_reply_labels() -> None:
    assert check_response(with_quick_replies(reply("처음으로"), reply("처음으로"))) == [
        "template.quickReplies[1].label: duplicate quick-reply label '처음으로'"
    ]


def test_context() -> None:
    good = {"values": [{"name": "parking", "lifeSpan": 5, "ttl": 60, "params": {"car": "12가3456"}}]}
    assert check_response(response(context=good)) == []
    bad = {
        "values": [
            {"lifeSpan": 5},
            {"name": "a", "lifeSpan": "5"},
            {"name": "b", "lifeSpan": -1, "params": {"count": 3}},
        ]
    }
    assert check_response(response(context=bad)) == [
        "context.values[0].name: is required",
        "context.values[1].lifeSpan: must be an integer, got string",
        "context.values[2].lifeSpan: must be ≥ 0, got -1",
        "context.values[2].params.count: must be a string (stringify other types), got number",
    ]
    assert check_response(response(context={})) == ["context.values: is required"]


def test_builder_output_passes() -> None:
    thumbnail = Thumbnail(IMAGE, "안내", fixed_ratio=True, link="https://example.com")
    built = SkillResponse(
        [
            *simple_texts("주차 결제 취소 방법을 안내해 드릴게요."),
            Carousel(
                [
                    BasicCard(
                        thumbnail,
                        "강남역",
                        "24시간",
                        [Button.phone("전화", "02-123-4567"), Button.share("공유")],
                    ),
                    BasicCard(
                        thumbnail, "역삼역", buttons=[Button.web_link("지도", "https://map.example.com")]
                    ),
                ],
                CarouselHeader("충전소", "가까운 곳", Thumbnail(IMAGE)),
            ),
            ListCard(
                "문의 유형",
                [
                    ListItem("결제 취소", "출차 전", IMAGE, action="block", block_id="b1", extra={"c": 1}),
                    ListItem("영수증", link_web="https://example.com/r"),
                    ListItem("기타", action="message"),
                ],
                [Button.operator(), Button.block("처음으로", "b0", extra={"node": "main"})],
                "horizontal",
            ),
        ],
        [QuickReply.message("처음으로"), QuickReply.block("이전", "b2", extra={"go": "back"})],
        data={"handoff": None},
    )
    assert check_response(built.to_dict()) == []
    assert check_response(SkillResponse([SimpleImage(IMAGE, "a"), TextCard("a", "b")]).to_dict()) == []
    text_carousel = Carousel([TextCard("a", "가" * 128), TextCard("b")])
    assert check_response(SkillResponse([text_carousel]).to_dict()) == []
