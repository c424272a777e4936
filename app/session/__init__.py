"""Conversation-state storage: one protocol, an in-memory and a Redis implementation."""

from app.session.factory import store_from_url
from app.session.memory import MemoryStore
from app.session.redis_store import RedisStore
from app.session.store import LockTimeout, SessionHandle, SessionStore, StoreUnavailable

__all__ = [
    "LockTimeout",
    "MemoryStore",
    "RedisStore",
    "SessionHandle",
    "SessionStore",
    "StoreUnavailable",
    "store_from_url",
]
