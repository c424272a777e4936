"""Conversation-state storage: one protocol, an in-memory and a Redis implementation."""

from app.session.factory import store_from_url
from app.session.memory import MemoryStore
from app.session.redis_store import RedisStore
from app.session.store import (
    LockTimeout,
    RateLimited,
    RateWindow,
    SessionHandle,
    SessionStore,
    StoreUnavailable,
    rate_windows,
)

__all__ = [
    "LockTimeout",
    "MemoryStore",
    "RateLimited",
    "RateWindow",
    "RedisStore",
    "SessionHandle",
    "SessionStore",
    "StoreUnavailable",
    "rate_windows",
    "store_from_url",
]
