"""The HTTP contract of POST /skill: status codes, errors as JSON, secrets, bot allow-list."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.kakao import check_response
from tests.web.conftest import FIXTURES, fixture, payload, post, quick_labels, texts

ALL_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_gets_a_valid_korean_answer(client: FlaskClient, name: str) -> None:
    body = post(client, fixture(name))
    assert check_response(body) == []
    assert body["version"] == "2.0"
    assert any("가" <= ch <= "힣" for ch in texts(body))
    assert "상담직원 연결" in quick_labels(body) or "처음으로" in quick_labels(body)


def test_greeting_gets_the_main_menu_with_the_three_services(client: FlaskClient) -> None:
    body = post(client, payload("안녕하세요"))
    assert "무엇을 도와드릴까요" in texts(body)
    assert quick_labels(body)[:3] == ["카셰어링 기기 인증", "전기차 충전 오류", "주차 결제 취소"]


@pytest.mark.parametrize("body", [[1, 2], "문자열", None, 42, {"userRequest": "oops"}, {}])
def test_any_json_value_gets_200_and_a_valid_response(client: FlaskClient, body: object) -> None:
    response = client.post("/skill", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert check_response(response.get_json()) == []


@pytest.mark.parametrize("data", [b"not json", b"{", b"\xff\xfe", b""])
def test_non_json_body_is_400_with_error(client: FlaskClient, data: bytes) -> None:
    response = client.post("/skill", data=data, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]


def test_wrong_content_type_is_400(client: FlaskClient) -> None:
    response = client.post("/skill", data=b'{"userRequest": {}}', content_type="text/plain")
    assert response.status_code == 400
    assert "Content-Type" in response.get_json()["error"]


def test_charset_in_content_type_is_fine(client: FlaskClient) -> None:
    response = client.post("/skill", data=b"{}", content_type="application/json;charset=UTF-8")
    assert response.status_code == 200


def test_body_over_64_kb_is_413_with_error(client: FlaskClient) -> None:
    big = payload("가" * (70 * 1024 // 3))
    response = client.post("/skill", json=big)
    assert response.status_code == 413
    assert response.get_json() == {"error": "request body is too large"}


def test_body_just_under_the_limit_is_answered(client: FlaskClient) -> None:
    response = client.post("/skill", json=payload("a" * 60_000))
    assert response.status_code == 200


def test_get_on_skill_is_405_json(client: FlaskClient) -> None:
    response = client.get("/skill")
    assert response.status_code == 405 and "error" in response.get_json()


def test_unknown_path_is_404_json(client: FlaskClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.get_json() == {"error": "not found"}


@pytest.fixture
def secret_client() -> FlaskClient:
    return create_app({"skill_secret": "s3cret-token"}).test_client()


def test_secret_missing_or_wrong_is_401(secret_client: FlaskClient) -> None:
    assert secret_client.post("/skill", json=payload("안녕")).status_code == 401
    wrong = secret_client.post("/skill", json=payload("안녕"), headers={"X-Skill-Secret": "nope"})
    assert wrong.status_code == 401
    assert "secret" in wrong.get_json()["error"]
    assert secret_client.post("/skill?key=nope", json=payload("안녕")).status_code == 401


def test_secret_in_header_or_query_is_accepted(secret_client: FlaskClient) -> None:
    by_header = secret_client.post("/skill", json=payload("안녕"), headers={"X-Skill-Secret": "s3cret-token"})
    assert by_header.status_code == 200
    assert secret_client.post("/skill?key=s3cret-token", json=payload("안녕")).status_code == 200


def test_health_endpoints_need_no_secret(secret_client: FlaskClient) -> None:
    assert secret_client.get("/healthz").status_code == 200


def test_bot_allow_list() -> None:
    client = create_app({"kakao_bot_ids": "5ae9b76d7409b11ec845b746, 111111111111111111111111"}).test_client()
    allowed = payload("안녕")
    allowed["bot"]["id"] = "5ae9b76d7409b11ec845b746"
    assert client.post("/skill", json=allowed).status_code == 200
    allowed["bot"]["id"] = "5ae9b76d7409b11ec845b746!"  # its development bot
    assert client.post("/skill", json=allowed).status_code == 200
    allowed["bot"]["id"] = "999999999999999999999999"
    refused = client.post("/skill", json=allowed)
    assert refused.status_code == 403 and "KAKAO_BOT_IDS" in refused.get_json()["error"]
    del allowed["bot"]
    assert client.post("/skill", json=allowed).status_code == 403


def test_internal_error_becomes_apology_with_operator_button(
    app: object, client: FlaskClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversations = client.application.extensions["cs_bot"].conversations

    def explode(*_: object) -> None:
        raise RuntimeError("boom inside")

    monkeypatch.setattr(conversations, "turn", explode)
    with caplog.at_level(logging.ERROR):
        body = post(client, payload("안녕"))
    assert check_response(body) == []
    assert "죄송합니다" in texts(body)
    card = body["template"]["outputs"][0]["textCard"]
    assert card["buttons"] == [{"label": "상담직원 연결", "action": "operator"}]
    assert any("boom inside" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_broken_content_refuses_to_start(tmp_path: Path) -> None:
    from app.engine.errors import ContentError

    skills = tmp_path / "skills"
    skills.mkdir()
    for path in (Path("skills")).glob("*.yaml"):
        (skills / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    main = (skills / "main.yaml").read_text(encoding="utf-8").replace("next: other_handoff", "next: missing")
    (skills / "main.yaml").write_text(main, encoding="utf-8")
    with pytest.raises(ContentError, match=r"main\.yaml: other: next 'main\.missing' does not exist"):
        create_app({"skills_dir": skills})


def test_healthz_and_readyz_on_memory(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["store"] == "memory"
    assert ready.get_json()["flows"] >= 4
