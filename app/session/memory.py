"""In-process session store: one process, thread-safe; the default when REDIS_URL is unset."""

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from app.privacy import mask_key
from app.session.store import (
    LockTimeout,
    RateLimited,
    RateWindow,
    Read,
    StateHandle,
    check_user_key,
    decode_state,
)


@dataclass
class _UserLock:
    lock: threading.Lock = field(default_factory=threading.Lock)
    users: int = 0  # threads holding or waiting for `lock`; the entry is dropped at zero


class MemoryStore:
    """Keeps JSON text (not dict objects) so it round-trips exactly like Redis.

    Entries expire `ttl_seconds` after their last write, measured with the injectable `clock`.
    Transcripts are not kept here (the in-memory handoff repository keeps them). The rate limit is
    counted by `limits`' in-memory fixed windows (this process is the whole deployment).
    """

    keeps_transcripts = False
    shares_pipeline = False

    def __init__(
        self,
        ttl_seconds: int = 1800,
        lock_wait_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        rate_limits: Sequence[RateWindow] = (),
    ) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        if lock_wait_seconds < 0:
            raise ValueError("lock_wait_seconds must not be negative")
        self.ttl_seconds = ttl_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self._clock = clock
        self._mutex = threading.Lock()  # guards _entries, _locks and _next_purge
        self._entries: dict[str, tuple[str, float]] = {}  # user_key -> (json, expires_at)
        self._locks: dict[str, _UserLock] = {}
        self._next_purge = clock() + ttl_seconds
        self.rate_limits = tuple(rate_limits)
        self._rate_items = [RateLimitItemPerSecond(w.limit, w.seconds) for w in self.rate_limits]
        self._limiter = FixedWindowRateLimiter(MemoryStorage()) if self._rate_items else None

    @contextmanager
    def open(
        self, user_key: str, reads: Sequence[Read] = (), read_now: bool = False
    ) -> Iterator[StateHandle]:
        """`reads` are not run (`prefetched` stays None): in memory the reader reads directly."""
        check_user_key(user_key)
        if self._limiter is not None and not all(
            self._limiter.hit(item, "rate", user_key) for item in self._rate_items
        ):
            raise RateLimited(f"{mask_key(user_key)} is over the rate limit")
        user_lock = self._checkout_lock(user_key)
        try:
            if not user_lock.lock.acquire(timeout=self.lock_wait_seconds):
                raise LockTimeout(
                    f"session of {mask_key(user_key)} is busy: "
                    f"lock not obtained within {self.lock_wait_seconds}s"
                )
            try:
                handle = StateHandle(self._read(user_key), partial(self._write, user_key))
                try:
                    yield handle
                finally:
                    handle.close()
            finally:
                user_lock.lock.release()
        finally:
            self._checkin_lock(user_key, user_lock)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        with self._mutex:
            self._entries.clear()

    def _checkout_lock(self, user_key: str) -> _UserLock:
        with self._mutex:
            user_lock = self._locks.setdefault(user_key, _UserLock())
            user_lock.users += 1
            return user_lock

    def _checkin_lock(self, user_key: str, user_lock: _UserLock) -> None:
        with self._mutex:
            user_lock.users -= 1
            if user_lock.users == 0:
                del self._locks[user_key]

    def _read(self, user_key: str) -> dict[str, Any] | None:
        with self._mutex:
            entry = self._entries.get(user_key)
            if entry is not None and entry[1] <= self._clock():
                del self._entries[user_key]
                entry = None
        return decode_state(entry[0] if entry else None, user_key)

    def _write(self, user_key: str, raw: str | None) -> None:
        with self._mutex:
            now = self._clock()
            if raw is None:
                self._entries.pop(user_key, None)
            else:
                self._entries[user_key] = (raw, now + self.ttl_seconds)
            if now >= self._next_purge:
                self._purge_expired(now)

    def _purge_expired(self, now: float) -> None:
        """Drop entries nobody came back for (caller holds `_mutex`); runs at most once per TTL."""
        expired = [key for key, (_, expires_at) in self._entries.items() if expires_at <= now]
        for key in expired:
            del self._entries[key]
        self._next_purge = now + self.ttl_seconds
