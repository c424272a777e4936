"""The session-store contract: protocols, errors and the JSON handle both stores share.

A store keeps one JSON object per user. `open(user_key)` takes the per-user lock first, then reads
the state, so two requests for the same user never interleave their read-modify-write.
"""

import json
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from limits import parse_many

from app.privacy import mask_key

logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The backing service is down or unreachable (wraps the backend's own errors)."""


class LockTimeout(StoreUnavailable):
    """The per-user lock could not be taken in time (or was lost before a write)."""


class RateLimited(Exception):
    """The customer sent more turns than the rate limit allows: this one was not taken."""


@dataclass(frozen=True)
class RateWindow:
    """At most `limit` turns per customer in each fixed window of `seconds` (RATE_LIMIT)."""

    limit: int
    seconds: int


def rate_windows(spec: str) -> tuple[RateWindow, ...]:
    """RATE_LIMIT (`limits` syntax, e.g. `20/5seconds;120/minute`) as windows; '' = no limit.
    ValueError for a spec `limits` cannot read."""
    if not spec.strip():
        return ()
    return tuple(RateWindow(item.amount, item.get_expiry()) for item in parse_many(spec))


Read = tuple[str, ...]  # a read-only command: its name, its one key, then its other words


class SessionHandle(Protocol):
    """What the body of `with store.open(user_key) as handle:` works with."""

    @property
    def state(self) -> dict[str, Any] | None:
        """The state read after the lock was taken; None when absent, expired or corrupt."""
        ...

    def save(self, state: dict[str, Any]) -> None:
        """Store `state` as JSON and (re)set its TTL."""
        ...

    def save_json(self, raw: str) -> None:
        """Store `raw`, the JSON text of an object made by a trusted serialiser (e.g. a pydantic
        model's `model_dump_json()`), as is — no second serialisation on the turn's path."""
        ...

    def clear(self) -> None:
        """Delete the state."""
        ...

    def add_transcript(self, lines: list[str]) -> None:
        """Append JSON lines to the customer's transcript together with the state's write (stores
        whose `keeps_transcripts` is true); other stores ignore them."""
        ...

    def also_command(self, *words: str | bytes | int | float, required: bool = False) -> None:
        """One more Redis command to run with the state's write (stores whose `shares_pipeline` is
        true), in the same round trip and atomically with it; nothing runs if the write is refused
        (the lock was lost). Best effort unless `required`: a best-effort command Redis refuses is
        logged and never fails the turn; a required one that fails makes the write fail
        (StoreUnavailable) — the required ones run first, in order."""
        ...

    @property
    def prefetched(self) -> list[Any] | None:
        """The replies to the `reads` given to `open`, read with the lock in the same round trip
        (stores whose `shares_pipeline` is true, when asked: `read_now`, or the previous turn's
        `prefetch_next`); None when they were not read."""
        ...

    def prefetch_next(self, wanted: bool) -> None:
        """Whether the customer's next turn should read its `reads` with the lock (kept with the
        state's write; a store that cannot ignores it)."""
        ...


class SessionStore(Protocol):
    ttl_seconds: int
    keeps_transcripts: bool  # True: the transcript travels with the state's write (one round trip)
    shares_pipeline: bool  # True: `also_command` commands travel with the state's write too

    def open(
        self, user_key: str, reads: Sequence[Read] = (), read_now: bool = False
    ) -> AbstractContextManager[SessionHandle]:
        """Lock the user, read the state, yield a handle; unlock on exit (also when the body raises).
        `reads`: commands to run with the lock when this turn (`read_now`) or the previous one
        (`prefetch_next`) asked for them — e.g. what a handoff needs, on a turn that may hand off."""
        ...

    def ping(self) -> bool:
        """True when the backend answers; never raises."""
        ...

    def close(self) -> None: ...


def check_user_key(user_key: str) -> None:
    if not isinstance(user_key, str) or not user_key:
        raise ValueError("user_key must be a non-empty string")


def encode_state(state: dict[str, Any]) -> str:
    """Serialise a state dict; TypeError/ValueError for anything that is not a plain JSON object."""
    if not isinstance(state, dict):
        raise TypeError(f"session state must be a dict, not {type(state).__name__}")
    # json, not orjson: orjson writes NaN as null without a word, and the state must round-trip
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def decode_state(raw: str | bytes | None, user_key: str) -> dict[str, Any] | None:
    """Parse stored JSON; a missing, corrupt or non-object value reads as no state (logged)."""
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(raw)  # what orjson refuses but JSON allows (a lone surrogate escape)
        except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            logger.warning("session state of %s is not valid JSON; treating it as absent", mask_key(user_key))
            return None
    if not isinstance(value, dict):
        logger.warning(
            "session state of %s is a JSON %s, not an object; treating it as absent",
            mask_key(user_key),
            type(value).__name__,
        )
        return None
    return value


UNCHANGED = object()  # a handle's pending write when the body neither saved nor cleared
_LATER = object()  # a handle's state after `save_json`: decoded from the saved text when read


class StateHandle:
    """The `SessionHandle` both stores yield; `write(raw)` stores JSON text, `write(None)` deletes.

    Without `write` the handle only collects: `pending` (JSON text, None to delete, or UNCHANGED) and
    `lines` are written by the store in one round trip when the `with` block ends.
    """

    def __init__(
        self, state: dict[str, Any] | None, write: Callable[[str | None], None] | None = None
    ) -> None:
        self._state: object = state
        self._saved = ""
        self._write = write
        self._open = True
        self.pending: object = UNCHANGED
        self.lines: list[str] = []
        self.commands: list[tuple[str | bytes | int | float, ...]] = []  # to run with the write
        self.required: list[tuple[str | bytes | int | float, ...]] = []  # … and that must succeed
        self.prefetched: list[Any] | None = None  # the store sets it when it ran the turn's reads
        self.wants_reads_next = False

    @property
    def state(self) -> dict[str, Any] | None:
        if self._state is _LATER:
            self._state = decode_state(self._saved, "")
        return self._state  # type: ignore[return-value]

    def save(self, state: dict[str, Any]) -> None:
        self._check_open()
        self.save_json(encode_state(state))

    def save_json(self, raw: str) -> None:
        self._check_open()
        self._store(raw)
        self._state = _LATER  # read back from `raw` only if asked: later mutations do not leak in
        self._saved = raw

    def clear(self) -> None:
        self._check_open()
        self._store(None)
        self._state = None

    def add_transcript(self, lines: list[str]) -> None:
        self._check_open()
        self.lines.extend(lines)

    def also_command(self, *words: str | bytes | int | float, required: bool = False) -> None:
        """A command to send in the same round trip as the state's write (e.g. one of the turn's
        conversation events; `required`: a handoff record). Only for stores whose `shares_pipeline`
        is true."""
        self._check_open()
        (self.required if required else self.commands).append(words)

    def prefetch_next(self, wanted: bool) -> None:
        self._check_open()
        self.wants_reads_next = wanted

    def _store(self, raw: str | None) -> None:
        if self._write is None:
            self.pending = raw
        else:
            self._write(raw)

    def close(self) -> None:
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError("session handle used after its lock was released")
