"""What the web layer needs at request time, built once by `create_app` and kept on the Flask app."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app

from app.config import Settings
from app.conversation import Conversations
from app.engine.catalog import Catalog
from app.handoff.service import HandoffService
from app.session import SessionStore

EXTENSION = "cs_bot"
SPOOL_DRAIN_SECONDS = 30.0
log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    catalog: Catalog
    store: SessionStore
    handoffs: HandoffService
    conversations: Conversations
    _stop: threading.Event = field(default_factory=threading.Event)

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self

    def start_spool_drainer(self, every: float = SPOOL_DRAIN_SECONDS) -> None:
        """Move handoffs kept locally while Redis was down into the store, now and every `every` s."""

        def loop() -> None:
            while not self._stop.is_set():
                self.handoffs.drain_spool()
                self._stop.wait(every)

        threading.Thread(target=loop, name="handoff-spool-drainer", daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self.handoffs.dispatcher.close()
        self.store.close()


def runtime() -> Runtime:
    found: Runtime = current_app.extensions[EXTENSION]
    return found
