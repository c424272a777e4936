"""Kakao i Open Builder customer-support skill server.

`create_app` is resolved lazily so that the pure layers (`app.engine`, `app.kakao`, `app.session`)
can be imported without pulling in Flask.
"""

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from app.web.app import create_app

        return create_app
    raise AttributeError(name)
