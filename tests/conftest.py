"""Suite-wide fixtures and rules.

- No test may be skipped: CI must prove the Redis-backed tests ran.
- Redis is the real server (TEST_REDIS_URL, default redis://127.0.0.1:6379/0): if it is unreachable
  the Redis tests fail loudly. Every test gets its own key prefix and deletes only keys under it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import pytest
import redis

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_line(
            f"FAILED: {len(_skipped)} test(s) were skipped; this suite allows no skips "
            "(is Redis running on 127.0.0.1:6379?): " + ", ".join(_skipped[:5]),
            red=True,
        )


@pytest.fixture(autouse=True)
def _spool_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the handoff spool into the project: every app built in a test uses a temp dir."""
    monkeypatch.setenv("HANDOFF_SPOOL_DIR", str(tmp_path_factory.mktemp("spool")))


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_PREFIX = f"csbot-test:{uuid4().hex}:"


def new_redis_client() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


@pytest.fixture(scope="session")
def redis_client() -> Iterator[redis.Redis]:
    client = new_redis_client()
    try:
        client.ping()
        problem = ""
    except redis.RedisError as exc:
        problem = str(exc)
    if problem:  # failed outside the except block so the report shows this message, not a traceback chain
        pytest.fail(
            f"The Redis-backed session tests need a running Redis at {REDIS_URL} "
            f"(set TEST_REDIS_URL to point elsewhere); they are never skipped. Error: {problem}",
            pytrace=False,
        )
    yield client
    client.close()


@pytest.fixture
def redis_prefix(redis_client: redis.Redis) -> Iterator[str]:
    prefix = f"{RUN_PREFIX}{uuid4().hex[:8]}:"
    yield prefix
    keys = list(redis_client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        redis_client.delete(*keys)
