"""SkillResponse: the envelope, output and quick-reply counts, unique labels, data."""

import pytest

from app.kakao import KakaoLimitError, QuickReply, SimpleText, SkillResponse


def replies(count: int) -> list[QuickReply]:
    return [QuickReply.message(f"선택 {index}") for index in range(count)]


def test_minimal_response() -> None:
    assert SkillResponse([SimpleText("안녕하세요")]).to_dict() == {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": "안녕하세요"}}]},
    }


def test_full_response() -> None:
    response = SkillResponse(
        [SimpleText("무엇을 도와드릴까요?")],
        [QuickReply.message("처음으로"), QuickReply.block("이전", "b1", extra={"go": "back"})],
        data={"handoff_id": "h-1", "facts": {"car": "12가3456"}},
    )
    assert response.to_dict() == {
        "version": "2.0",
        "template": {
            "outputs": [{"simpleText": {"text": "무엇을 도와드릴까요?"}}],
            "quickReplies": [
                {"label": "처음으로", "action": "message", "messageText": "처음으로"},
                {"label": "이전", "action": "block", "blockId": "b1", "extra": {"go": "back"}},
            ],
        },
        "data": {"handoff_id": "h-1", "facts": {"car": "12가3456"}},
    }


def test_empty_data_is_kept_when_given() -> None:
    assert SkillResponse([SimpleText("a")], data={}).to_dict()["data"] == {}
    assert "data" not in SkillResponse([SimpleText("a")]).to_dict()


def test_output_count_boundaries() -> None:
    assert len(SkillResponse([SimpleText(f"{n}") for n in range(3)]).to_dict()["template"]["outputs"]) == 3
    with pytest.raises(KakaoLimitError, match=r"template.outputs must have 1–3 entries, got 4"):
        SkillResponse([SimpleText(f"{n}") for n in range(4)])
    with pytest.raises(KakaoLimitError, match=r"template.outputs must have 1–3 entries, got 0"):
        SkillResponse([])


def test_quick_reply_count_boundaries() -> None:
    assert len(SkillResponse([SimpleText("a")], replies(10)).to_dict()["template"]["quickReplies"]) == 10
    with pytest.raises(KakaoLimitError, match=r"template.quickReplies must have 0–10 entries, got 11"):
        SkillResponse([SimpleText("a")], replies(11))


def test_quick_reply_labels_are_unique() -> None:
    with pytest.raises(KakaoLimitError, match=r"'처음으로' is used twice"):
        SkillResponse([SimpleText("a")], [QuickReply.message("처음으로"), QuickReply.block("처음으로", "b1")])


def test_wrong_part_types_are_rejected() -> None:
    with pytest.raises(KakaoLimitError, match=r"must be a component"):
        SkillResponse([{"simpleText": {"text": "a"}}])  # type: ignore[list-item]
    with pytest.raises(KakaoLimitError, match=r"must be a QuickReply"):
        SkillResponse([SimpleText("a")], [SimpleText("b")])  # type: ignore[list-item]
    with pytest.raises(KakaoLimitError, match=r"data must be JSON-serialisable"):
        SkillResponse([SimpleText("a")], data={"at": object()})


def test_to_dict_is_detached_from_the_builder() -> None:
    response = SkillResponse([SimpleText("a")], [QuickReply.message("b", extra={"n": [1]})], data={"k": [1]})
    first = response.to_dict()
    first["data"]["k"].append(2)
    first["template"]["quickReplies"][0]["extra"]["n"].append(2)
    assert response.to_dict()["data"] == {"k": [1]}
    assert response.to_dict()["template"]["quickReplies"][0]["extra"] == {"n": [1]}
