"""Property tests: whatever JSON reaches /skill — real payloads mutated, random values, strings with
lone surrogates — the answer is never a 5xx: a valid Kakao response, or a 4xx with an error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.kakao import check_response
from tests.chat import FIXTURES

REAL = [json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))]
RUNS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", " ", "처음으로", "이전", "상담직원 연결", "{", "[1,", '{"node":1}', "null", "\x00"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def module_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app({"handoff_spool_dir": tmp_path_factory.mktemp("spool"), "rate_limit": "1000/second"})
    yield app
    app.extensions["cs_bot"].close()


@pytest.fixture
def client(module_app: Flask) -> FlaskClient:
    return module_app.test_client()


def assert_answered(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 200:
        assert check_response(response.get_json()) == []
    else:
        assert 400 <= response.status_code < 500
        assert "error" in response.get_json()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    copy = list(value)
    copy[head] = replaced(copy[head], rest, new)
    return copy


@st.composite
def mutated_payloads(draw: st.DrawFn) -> Any:
    payload = draw(st.sampled_from(REAL))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        all_paths = list(paths(payload))
        path = draw(st.sampled_from(all_paths))
        payload = replaced(payload, path, draw(json_values))
    return payload


@RUNS
@given(payload=mutated_payloads())
def test_mutated_real_payloads_are_always_answered(client: FlaskClient, payload: Any) -> None:
    assert_answered(client.post("/skill", data=json.dumps(payload), content_type="application/json"))


@RUNS
@given(payload=json_values)
def test_random_json_is_always_answered(client: FlaskClient, payload: Any) -> None:
    assert_answered(client.post("/skill", data=json.dumps(payload), content_type="application/json"))


@RUNS
@given(
    payload=st.sampled_from(REAL),
    junk=st.lists(
        st.sampled_from(["\\ud83d", "\\udc00", "\\ud800\\ud800", "\\u0000", "\\uffff"]), max_size=3
    ),
    where=st.sampled_from(["utterance", "id", "clientExtra"]),
)
def test_lone_surrogates_anywhere_are_always_answered(
    client: FlaskClient, payload: dict[str, Any], junk: list[str], where: str
) -> None:
    body = json.loads(json.dumps(payload))
    body.setdefault("userRequest", {}).setdefault("user", {})
    body.setdefault("action", {})
    marker = "SURROGATE-MARKER"
    if where == "utterance":
        body["userRequest"]["utterance"] = f"충전 {marker}"
    elif where == "id":
        body["userRequest"]["user"]["id"] = f"user-{marker}"
    else:
        body["action"]["clientExtra"] = {"node": marker}
    text = json.dumps(body, ensure_ascii=True).replace(marker, "".join(junk))
    response = client.post("/skill", data=text.encode(), content_type="application/json")
    assert_answered(response)
    follow_up = client.post(
        "/skill", json={"userRequest": {"utterance": "처음으로", "user": {"id": "user-"}}}
    )
    assert_answered(follow_up)


@RUNS
@given(body=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_are_answered_or_refused(client: FlaskClient, body: bytes) -> None:
    assert_answered(client.post("/skill", data=body, content_type="application/json"))


def test_real_payloads_answer_with_a_valid_response(client: FlaskClient, tmp_path: Path) -> None:
    for payload in REAL:
        assert_answered(client.post("/skill", json=payload))
