"""Server-side sign-in sessions: the browser holds only a random id; the store holds who it is.

Signing out deletes the session, disabling an agent deletes all of theirs — both take effect at once.
Redis keeps `agent-session:<sha256(id)>` (expiring) and `agent-sessions:<name>` (their ids); without
Redis they live in this process. The id itself is never stored, so a copy of the store cannot be
replayed as a cookie.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import Protocol

import redis
from redis.exceptions import RedisError

from app.session import StoreUnavailable

SESSION_SECONDS = 12 * 3600


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class AgentSessions(Protocol):
    def start(self, name: str) -> str:
        """A new session for `name`; returns the id for the cookie."""

    def who(self, session_id: str) -> str | None: ...

    def end(self, session_id: str) -> None: ...

    def end_all(self, name: str) -> int: ...


class RedisSessions:
    def __init__(self, client: redis.Redis, prefix: str = "csbot:", seconds: int = SESSION_SECONDS) -> None:
        self.client, self.prefix, self.seconds = client, prefix, seconds

    def _key(self, session_id: str) -> str:
        return f"{self.prefix}agent-session:{_digest(session_id)}"

    def _of(self, name: str) -> str:
        return f"{self.prefix}agent-sessions:{name}"

    def start(self, name: str) -> str:
        session_id = secrets.token_urlsafe(32)
        try:
            pipe = self.client.pipeline()
            pipe.set(self._key(session_id), name, ex=self.seconds)
            pipe.sadd(self._of(name), _digest(session_id))
            pipe.expire(self._of(name), self.seconds)
            pipe.execute()
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while starting a session: {exc}") from exc
        return session_id

    def who(self, session_id: str) -> str | None:
        try:
            found = self.client.get(self._key(session_id))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while reading a session: {exc}") from exc
        return found.decode() if found else None

    def end(self, session_id: str) -> None:
        try:
            name = self.who(session_id)
            self.client.delete(self._key(session_id))
            if name:
                self.client.srem(self._of(name), _digest(session_id))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while ending a session: {exc}") from exc

    def end_all(self, name: str) -> int:
        try:
            digests = [d.decode() for d in self.client.smembers(self._of(name))]
            keys = [f"{self.prefix}agent-session:{d}" for d in digests]
            ended = int(self.client.delete(*keys)) if keys else 0
            self.client.delete(self._of(name))
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while ending sessions: {exc}") from exc
        return ended


class MemorySessions:
    def __init__(self, seconds: int = SESSION_SECONDS) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, float]] = {}

    def start(self, name: str) -> str:
        session_id = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[_digest(session_id)] = (name, time.monotonic() + self.seconds)
        return session_id

    def who(self, session_id: str) -> str | None:
        with self._lock:
            name, until = self._sessions.get(_digest(session_id), (None, 0.0))
            if name is not None and time.monotonic() >= until:
                del self._sessions[_digest(session_id)]
                return None
            return name

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(_digest(session_id), None)

    def end_all(self, name: str) -> int:
        with self._lock:
            mine = [k for k, (who, _) in self._sessions.items() if who == name]
            for key in mine:
                del self._sessions[key]
            return len(mine)
