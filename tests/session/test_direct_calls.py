"""The session store's own connections (app/session/direct.py), against the real Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from redis.exceptions import ResponseError

from app.session.direct import DirectCalls
from tests.conftest import REDIS_URL


@pytest.fixture
def calls() -> Iterator[DirectCalls]:
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1.0)
    found = DirectCalls(client)
    yield found
    found.close()
    client.close()


def test_commands_reuse_one_connection_and_an_error_reply_keeps_it(calls: DirectCalls) -> None:
    assert calls("PING") in (b"PONG", "PONG", True)
    first = calls.idle[-1]
    with pytest.raises(ResponseError):
        calls("EVALSHA", "0" * 40, 0)  # NOSCRIPT: an answer, the connection is fine
    assert calls.idle == [first]
    assert calls("ECHO", "다시") == "다시".encode()
    assert calls.idle == [first]


def test_a_forked_child_never_uses_the_parents_sockets(
    calls: DirectCalls, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls("PING")
    parent = calls.idle[-1]
    monkeypatch.setattr(os, "getpid", lambda: calls.pid + 1)
    calls("PING")
    assert parent not in calls.idle and len(calls.idle) == 1


def test_closing_disconnects_what_is_idle(calls: DirectCalls) -> None:
    calls("PING")
    connection = calls.idle[-1]
    calls.close()
    assert calls.idle == [] and connection._sock is None
