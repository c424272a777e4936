"""Tolerant readers for untrusted JSON values: wrong types degrade to a default, nothing raises."""

import copy
import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import orjson

_LONG_DIGITS = re.compile(r"[0-9]{19}")  # an integer orjson might read as a float
MAX_DEPTH = 32  # Kakao's payload nests about 6 levels; anything this deep is not from Kakao


class TooDeep(ValueError):
    """JSON nested deeper than MAX_DEPTH."""


def clean_json(value: Any, depth: int = 0) -> Any:
    """The parsed JSON `value` made safe to keep: lone UTF-16 surrogates (valid JSON escapes such as
    `\\ud83d`, not valid text) become U+FFFD; TooDeep past MAX_DEPTH levels (iterative callers need no
    recursion limit: the depth is bounded here)."""
    if isinstance(value, str):
        return clean_text(value)
    if depth >= MAX_DEPTH and isinstance(value, (dict, list)):
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {
            clean_text(k) if isinstance(k, str) else k: clean_json(v, depth + 1) for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_json(v, depth + 1) for v in value]
    return value


def clean_text(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD (the usual case costs one failed encode)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def as_object(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object (string keys only), else an empty dict."""
    if type(value) is dict and all(type(key) is str for key in value):
        return dict(value)  # what JSON parsing gives: every key a string, one C-level copy
    if not isinstance(value, Mapping):
        return {}
    return {key: item for key, item in value.items() if isinstance(key, str)}


def view(value: object) -> Mapping[str, Any]:
    """`value` itself when it is a mapping, else an empty one — no copy, for reading with `.get(name)`
    only (a string key finds the same item whether or not other keys are strings)."""
    if type(value) is dict or isinstance(value, Mapping):
        return value  # type: ignore[return-value]
    return _EMPTY


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def child(value: object, *path: str) -> dict[str, Any]:
    """The object found by walking `path` through nested objects; `{}` wherever the shape is wrong."""
    return as_object(child_view(value, *path))


def child_view(value: object, *path: str) -> Mapping[str, Any]:
    """`child` without the copy, for reading with `.get(name)` only."""
    node = view(value)
    for key in path:
        node = view(node.get(key))
    return node


def as_text(value: object) -> str | None:
    """`value` when it is a non-blank string, else None."""
    if isinstance(value, str) and value.strip():
        return value
    return None


def first_text(*values: object) -> str | None:
    """The first of `values` that is a non-blank string."""
    for value in values:
        text = as_text(value)
        if text is not None:
            return text
    return None


def as_bool(value: object) -> bool | None:
    """`value` when it is a real boolean, else None."""
    return value if isinstance(value, bool) else None


def decode_json_value(value: object) -> Any:
    """Decode strings that look like a JSON object/array (`"{...}"`, `"[...]"`); keep anything else.

    Kakao sends system-entity values (sys_date, sys_number, ...) as JSON-encoded strings.
    The result never shares mutable state with `value`.
    """
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            if _plain(value):  # nothing clean_json could change or refuse: skip the second walk
                return _loads(value)
            return clean_json(json.loads(value))
        except (ValueError, RecursionError):
            return value
    return _detached(value)


def _loads(text: str) -> Any:
    """`json.loads(text)`, by orjson (several times faster) where both read the same: orjson refuses
    what only Python's parser allows (NaN, Infinity, 1e400: then Python's parser reads it) but reads
    integers past 64 bits as floats, so a text with a run of 19+ digits goes to Python's parser."""
    if _LONG_DIGITS.search(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)


def _plain(text: str) -> bool:
    """Whether `json.loads(text)` can neither hold a lone surrogate (no `\\u` escape, none in the
    text) nor nest MAX_DEPTH levels deep (fewer brackets than that)."""
    if "\\u" in text or text.count("[") + text.count("{") >= MAX_DEPTH:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode_object(value: object) -> dict[str, Any]:
    """A JSON object given directly or as a JSON string; `{}` for null, "null", "" and anything else."""
    if isinstance(value, str):
        try:
            value = clean_json(json.loads(value))
        except (ValueError, RecursionError):
            return {}
    return _detached(as_object(value))


def _detached(value: Any) -> Any:
    """A deep copy, so a parsed request never aliases the caller's payload."""
    try:
        return _copy_json(value)
    except _NotJson:  # something JSON parsing never gives: the general deep copy
        pass
    try:
        return copy.deepcopy(value)
    except (TypeError, RecursionError, copy.Error):
        return value


def copy_json(value: Any) -> Any:
    """`copy.deepcopy(value)`, several times faster for plain JSON values (the usual case)."""
    try:
        return _copy_json(value)
    except _NotJson:
        return copy.deepcopy(value)


class _NotJson(Exception):
    pass


_ATOMS = (str, int, float, bool, type(None))


def _copy_json(value: Any, depth: int = 0) -> Any:
    """`copy.deepcopy` for the plain JSON types (dict with string keys, list, str, number, bool,
    None), several times faster; _NotJson for anything else."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if depth >= MAX_DEPTH:
        raise _NotJson
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                raise _NotJson
            copied[key] = _copy_json(item, depth + 1)
        return copied
    if kind is list:
        return [_copy_json(item, depth + 1) for item in value]
    raise _NotJson
