"""Fixtures for the session-store tests.

`store` is parametrised over both implementations so `test_contract.py` runs against each. The Redis
one talks to a REAL server (fixtures `redis_client`/`redis_prefix` in tests/conftest.py).
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.session import MemoryStore, RedisStore, SessionStore
from tests.conftest import new_redis_client

StoreFactory = Callable[..., SessionStore]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_redis_store(redis_prefix: str) -> Iterator[Callable[..., RedisStore]]:
    created: list[RedisStore] = []

    def make(**overrides: Any) -> RedisStore:
        store = RedisStore(new_redis_client(), **{"ttl_seconds": 60, "prefix": redis_prefix, **overrides})
        created.append(store)
        return store

    yield make
    for store in created:
        store.close()


@pytest.fixture
def make_memory_store(clock: FakeClock) -> Callable[..., MemoryStore]:
    def make(**overrides: Any) -> MemoryStore:
        return MemoryStore(**{"ttl_seconds": 60, "clock": clock, **overrides})

    return make


@pytest.fixture(params=["memory", "redis"])
def make_store(request: pytest.FixtureRequest) -> StoreFactory:
    """Builds stores of the parametrised kind; keyword overrides go to the constructor."""
    if request.param == "memory":
        return request.getfixturevalue("make_memory_store")
    return request.getfixturevalue("make_redis_store")


@pytest.fixture
def store(make_store: StoreFactory) -> SessionStore:
    return make_store()
