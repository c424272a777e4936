"""Primitive checks for `check_response`: each records a readable problem instead of raising."""

from collections.abc import Iterable
from typing import Any

from app.kakao.limits import is_web_url

ABSENT: Any = object()  # marks a field that is not in the object at all


def describe(value: object) -> str:
    """A short, JSON-flavoured name of a value's type for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class Findings:
    """Collects the problems found in one response."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path or 'response'}: {message}")

    def object(
        self, path: str, value: object, known: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        """`value` as an object whose keys are all `known`; flags missing `required` keys."""
        if not isinstance(value, dict):
            self.add(path, f"must be an object, got {describe(value)}")
            return None
        known_keys = set(known)
        for key in value:
            if key not in known_keys:
                self.add(join(path, key), f"unknown field (known: {', '.join(sorted(known_keys))})")
        for key in required:
            if key not in value:
                self.add(join(path, key), "is required")
        return value

    def text(
        self, path: str, value: object = ABSENT, *, maximum: int | None = None, minimum: int = 1
    ) -> str | None:
        """A string of `minimum`..`maximum` characters (not blank unless `minimum=0`); absent is fine."""
        if value is ABSENT:
            return None
        if not isinstance(value, str):
            self.add(path, f"must be a string, got {describe(value)}")
            return None
        if minimum > 0 and not value.strip():
            self.add(path, "must not be empty or blank")
            return value
        if maximum is not None and len(value) > maximum:
            self.add(path, f"is {len(value)} characters, over the limit of {maximum}")
        return value

    def url(self, path: str, value: object = ABSENT) -> None:
        """An absolute http(s) URL when present."""
        if value is ABSENT:
            return
        if not is_web_url(value):
            self.add(path, f"must be an absolute http(s) URL, got {value!r}")

    def integer(self, path: str, value: object = ABSENT, *, minimum: int | None = None) -> int | None:
        if value is ABSENT:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.add(path, f"must be an integer, got {describe(value)}")
            return None
        if minimum is not None and value < minimum:
            self.add(path, f"must be ≥ {minimum}, got {value}")
        return value

    def boolean(self, path: str, value: object = ABSENT) -> None:
        if value is not ABSENT and not isinstance(value, bool):
            self.add(path, f"must be a boolean, got {describe(value)}")

    def one_of(self, path: str, value: object, choices: Iterable[str]) -> None:
        options = tuple(choices)
        if value is not ABSENT and value not in options:
            self.add(path, f"must be one of {', '.join(options)}, got {value!r}")

    def array(
        self, path: str, value: object = ABSENT, *, maximum: int | None = None, minimum: int = 0
    ) -> list[Any]:
        """The entries of an array with `minimum`..`maximum` entries; `[]` when absent or not an array."""
        if value is ABSENT:
            if minimum > 0:
                self.add(path, "is required")
            return []
        if not isinstance(value, list):
            self.add(path, f"must be an array, got {describe(value)}")
            return []
        if len(value) < minimum:
            self.add(path, f"has {len(value)} entries, needs at least {minimum}")
        if maximum is not None and len(value) > maximum:
            self.add(path, f"has {len(value)} entries, over the limit of {maximum}")
        return value


def join(path: str, key: str) -> str:
    """`path.key`, or just `key` at the root of the response (path "")."""
    return f"{path}.{key}" if path else key


def get(body: dict[str, Any], key: str) -> Any:
    """`body[key]`, or the absent marker understood by every `Findings` check."""
    return body.get(key, ABSENT)
