"""What the web layer needs at request time, built once by `create_app` and kept on the Flask app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from app.config import Settings
from app.conversation import Conversations
from app.engine.catalog import Catalog
from app.session import SessionStore

EXTENSION = "cs_bot"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    catalog: Catalog
    store: SessionStore
    conversations: Conversations

    def install(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self


def runtime() -> Runtime:
    found: Runtime = current_app.extensions[EXTENSION]
    return found
