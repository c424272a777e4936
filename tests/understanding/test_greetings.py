"""A message that opens with a greeting and goes on is answered for what follows the greeting."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.engine.catalog import Catalog
from app.understanding.classifier import Ranked
from app.understanding.router import Clarify, HandoffStatus, Route, Router, Thresholds

MENU = "main.menu"
GREETINGS = ("안녕하세요", "수고하십니다", "저기요", "하이", "Hello")


class ScriptedClassifier:
    """Ranks what the test says for each text (canonical or not), and records what it was asked."""

    def __init__(self, rankings: dict[str, list[tuple[str, float]]]) -> None:
        self.rankings = rankings
        self.asked: list[str] = []

    def rank(self, text: str, top: int = 3) -> list[Ranked]:
        self.asked.append(text)
        found = self.rankings.get(text, [("out_of_scope", 0.9), (MENU, 0.05), ("x.start", 0.05)])
        return [Ranked(label, p) for label, p in found][:top]


def router(rankings: dict[str, list[tuple[str, float]]]) -> tuple[Router, ScriptedClassifier]:
    classifier = ScriptedClassifier(rankings)
    return Router(classifier, Thresholds(), MENU, GREETINGS), classifier  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("안녕하세요 인증문자가 안 와요", "인증문자가 안 와요"),
        ("안녕하세요~~ 수고하십니다! 주차비가 두 번 나갔어요", "주차비가 두 번 나갔어요"),
        ("안녕하세요주차비가 두 번 나갔어요", "주차비가 두 번 나갔어요"),  # a long greeting, glued
        ("  HELLO, 충전이 안 돼요", "충전이 안 돼요"),  # width and case do not matter
        ("저기요, 충전이 안 돼요", "충전이 안 돼요"),
        ("하이 주차비 문의요", "주차비 문의요"),
        ("안녕하세요", ""),  # only a greeting: nothing follows
        ("안녕하세요!! 수고하십니다~", ""),
        ("저기요금이 이상해요", ""),  # 저기 요금이…: a short greeting glued to a word is not one
        ("하이패스 요금이 잘못 나왔어요", ""),
        ("충전이 안 돼요 안녕하세요", ""),  # does not open with a greeting
        ("", ""),
    ],
)
def test_what_follows_the_greetings(text: str, rest: str) -> None:
    assert router({})[0].after_greeting(text) == rest


def test_a_greeting_followed_by_a_problem_goes_to_that_problems_guide() -> None:
    bot, classifier = router(
        {
            "안녕하세요 공유차 인증문자가 안 와요": [(MENU, 0.6), ("carsharing.start", 0.35), ("x", 0.05)],
            "공유차 인증문자가 안 와요": [("carsharing.start", 0.7), ("x", 0.2), (MENU, 0.1)],
        }
    )
    assert bot.decide("안녕하세요 공유차 인증문자가 안 와요") == Route("carsharing.start", 0.7)
    assert classifier.asked == ["안녕하세요 공유차 인증문자가 안 와요", "공유차 인증문자가 안 와요"]


def test_two_problems_after_a_greeting_are_asked_about() -> None:
    bot, _ = router(
        {
            "안녕하세요 인증이 안 돼요": [(MENU, 0.7), ("a.start", 0.2), ("b.start", 0.1)],
            "인증이 안 돼요": [("a.start", 0.45), ("b.start", 0.4), (MENU, 0.15)],
        }
    )
    assert bot.decide("안녕하세요 인증이 안 돼요") == Clarify("a.start", "b.start")


@pytest.mark.parametrize(
    "rest",
    [
        [("out_of_scope", 0.8), (MENU, 0.1), ("a.start", 0.1)],  # something no guide answers
        [(MENU, 0.9), ("a.start", 0.05), ("b.start", 0.05)],  # "문의드립니다": still a greeting
        [("a.start", 0.3), ("out_of_scope", 0.3), ("b.start", 0.3)],  # nothing clear
    ],
)
def test_a_greeting_whose_rest_names_no_guide_is_answered_as_a_greeting(rest: list[Any]) -> None:
    bot, _ = router(
        {"안녕하세요 문의드립니다": [(MENU, 0.8), ("a.start", 0.1), ("b", 0.1)], "문의드립니다": rest}
    )
    assert bot.decide("안녕하세요 문의드립니다") == Route(MENU, 0.8)


def test_a_message_read_as_a_problem_is_not_read_again() -> None:
    bot, classifier = router({"안녕하세요 충전이 안 돼요": [("ev.start", 0.8), (MENU, 0.1), ("x", 0.1)]})
    assert bot.decide("안녕하세요 충전이 안 돼요") == Route("ev.start", 0.8)
    assert classifier.asked == ["안녕하세요 충전이 안 돼요"]


def test_after_a_handoff_a_question_about_the_wait_stays_one() -> None:
    bot, _ = router(
        {
            "안녕하세요 아직이에요?": [(MENU, 0.5), ("handoff_status", 0.4), ("x", 0.1)],
            "아직이에요?": [("a.start", 0.9), ("x", 0.05), (MENU, 0.05)],
        }
    )
    assert bot.decide("안녕하세요 아직이에요?", after_handoff=True) == HandoffStatus(0.4)


def test_mid_flow_a_greeting_then_another_problem_switches_to_it() -> None:
    bot, _ = router(
        {
            "수고하십니다 주차비가 두 번 나갔어요": [(MENU, 0.6), ("parking.start", 0.4), ("x", 0)],
            "주차비가 두 번 나갔어요": [("parking.start", 0.95), ("x", 0.05), (MENU, 0)],
        }
    )
    assert bot.switch("수고하십니다 주차비가 두 번 나갔어요", expecting_value=True) == Route(
        "parking.start", 0.95
    )
    assert bot.switch("수고하십니다", expecting_value=True) is None


def test_the_shipped_bot_knows_its_greetings(shipped: Catalog) -> None:
    assert {"안녕하세요", "수고하십니다", "저기요"} <= set(shipped.router.greetings)
    # the shipped classifier reads this whole message as a greeting (which is why the rule exists)
    whole = shipped.router.classifier.rank("안녕하세요 공유차 인증문자가 안와요")[0]
    assert whole.label == MENU, (
        "the example no longer needs the rule: pick one the classifier reads as a greeting"
    )


@pytest.fixture
def client() -> FlaskClient:
    return create_app({"rate_limit": ""}).test_client()


def say(client: FlaskClient, user: str, text: str) -> dict[str, Any]:
    body = {"userRequest": {"utterance": text, "user": {"id": user}}}
    answer: dict[str, Any] = client.post("/skill", json=body).get_json()["template"]
    return answer


def test_a_customer_who_greets_first_gets_the_guide_not_the_menu(client: FlaskClient) -> None:
    answer = say(client, "greeter-1", "안녕하세요 공유차 인증문자가 안와요")
    assert "기기 인증이 되지 않아 불편하셨겠어요" in answer["outputs"][0]["simpleText"]["text"]
    assert {q["extra"]["node"] for q in answer["quickReplies"] if "node" in q.get("extra", {})} == {
        "carsharing_auth.start"
    }
    greeted = say(client, "greeter-2", "안녕하세요!")  # a greeting alone still gets the menu
    assert "무엇을 도와드릴까요" in greeted["outputs"][0]["simpleText"]["text"]
