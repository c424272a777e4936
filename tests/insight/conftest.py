"""Apps whose clock the test sets, and the events they recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.handoff.record import SEOUL
from app.insight.events import Event

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SEOUL)


class Clock:
    """The app's clock: `clock.now`; `clock.tick(seconds)` moves it on."""

    def __init__(self, start: datetime = MONDAY) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 20) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(tmp_path: Path, clock: Clock) -> Iterator[Flask]:
    app = create_app({"handoff_spool_dir": tmp_path / "spool", "events_salt": "test-salt"})
    app.extensions["cs_bot"].conversations.clock = clock
    yield app
    app.extensions["cs_bot"].close()


def recorded(app: Flask) -> list[Event]:
    return list(app.extensions["cs_bot"].conversations.insight.log.read())
