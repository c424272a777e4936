"""Redis session store: shared by every worker; per-user lock with redis-py's `Lock`."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any
from uuid import uuid4

import redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock

from app.privacy import mask_key
from app.session.store import (
    LockTimeout,
    StateHandle,
    StoreUnavailable,
    check_user_key,
    decode_state,
)

logger = logging.getLogger(__name__)

KAKAO_SKILL_TIMEOUT_SECONDS = 5.0

# Write (or delete, when ARGV[2] is empty) the state only while we still own the lock, so a request
# that outlived its lock cannot overwrite the newer state of the request that took the lock over.
_FENCED_WRITE = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('del', KEYS[2])
else redis.call('set', KEYS[2], ARGV[2], 'EX', ARGV[3]) end
return 1
"""


class RedisStore:
    """State at `{prefix}session:{user_key}` (JSON, EX ttl on each write); lock at `{prefix}lock:{user_key}`.

    A lock holder that dies frees the lock after `lock_timeout_seconds`; a waiter gives up after
    `lock_wait_seconds`. Both must stay under Kakao's 5-second skill timeout.
    """

    lock_poll_seconds = 0.01  # how often a waiter retries the lock (redis-py's default is 0.1 s)

    def __init__(
        self,
        client: redis.Redis,
        ttl_seconds: int = 1800,
        lock_wait_seconds: float = 2.0,
        lock_timeout_seconds: float = 3.0,
        prefix: str = "csbot:",
    ) -> None:
        if ttl_seconds < 1:
            raise ValueError("ttl_seconds must be at least 1")
        if not 0 <= lock_wait_seconds < KAKAO_SKILL_TIMEOUT_SECONDS:
            raise ValueError("lock_wait_seconds must be >= 0 and < 5 (Kakao's skill timeout)")
        if not 0 < lock_timeout_seconds < KAKAO_SKILL_TIMEOUT_SECONDS:
            raise ValueError("lock_timeout_seconds must be > 0 and < 5 (Kakao's skill timeout)")
        self.ttl_seconds = ttl_seconds
        self.lock_wait_seconds = lock_wait_seconds
        self.lock_timeout_seconds = lock_timeout_seconds
        self.prefix = prefix
        self._client = client
        self._fenced_write = client.register_script(_FENCED_WRITE)

    def state_key(self, user_key: str) -> str:
        return f"{self.prefix}session:{user_key}"

    def lock_key(self, user_key: str) -> str:
        return f"{self.prefix}lock:{user_key}"

    @contextmanager
    def open(self, user_key: str) -> Iterator[StateHandle]:
        check_user_key(user_key)
        lock = self._client.lock(
            self.lock_key(user_key),
            timeout=self.lock_timeout_seconds,
            sleep=self.lock_poll_seconds,
            blocking_timeout=self.lock_wait_seconds,
            thread_local=False,  # one Lock object per open(); exit may run on another thread
        )
        token = uuid4().hex
        try:
            acquired = lock.acquire(token=token)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while locking {mask_key(user_key)}: {exc}") from exc
        if not acquired:
            raise LockTimeout(
                f"session of {mask_key(user_key)} is busy: lock not obtained within {self.lock_wait_seconds}s"
            )
        try:
            handle = StateHandle(self._read(user_key), partial(self._write, user_key, token))
            try:
                yield handle
            finally:
                handle.close()
        finally:
            self._release(lock, user_key)

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:  # "never raises": any failure means not ready
            return False

    def close(self) -> None:
        self._client.close()

    def _read(self, user_key: str) -> dict[str, Any] | None:
        try:
            raw = self._client.get(self.state_key(user_key))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while reading {mask_key(user_key)}: {exc}") from exc
        return decode_state(raw, user_key)

    def _write(self, user_key: str, token: str, raw: str | None) -> None:
        keys = [self.lock_key(user_key), self.state_key(user_key)]
        try:
            written = self._fenced_write(keys=keys, args=[token, raw or "", self.ttl_seconds])
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while writing {mask_key(user_key)}: {exc}") from exc
        if not written:
            raise LockTimeout(
                f"lock on {mask_key(user_key)} expired before the write "
                f"(held longer than {self.lock_timeout_seconds}s); state not written"
            )

    def _release(self, lock: Lock, user_key: str) -> None:
        """Never raises: an expired lock is already free, an unreachable one expires on its own."""
        try:
            lock.release()
        except LockError:
            logger.warning(
                "session lock of %s expired before release (held longer than %ss)",
                mask_key(user_key),
                self.lock_timeout_seconds,
            )
        except RedisError as exc:
            logger.warning(
                "could not release session lock of %s (%s); it expires in %ss",
                mask_key(user_key),
                type(exc).__name__,
                self.lock_timeout_seconds,
            )
