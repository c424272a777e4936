"""Pick the session store from a URL: memory when unset, Redis for any Redis URL (app/session/connect.py)."""

from collections.abc import Sequence

from app.session.connect import REDIS_SCHEMES, SOCKET_TIMEOUT_SECONDS, redis_from_url, scheme_of
from app.session.memory import MemoryStore
from app.session.redis_store import RedisStore
from app.session.store import RateWindow, SessionStore


def store_from_url(
    url: str | None,
    *,
    ttl_seconds: int = 1800,
    lock_wait_seconds: float = 2.0,
    lock_timeout_seconds: float = 3.0,
    prefix: str = "csbot:",
    transcript_entries: int = 100,
    transcript_ttl_seconds: int = 24 * 3600,
    rate_limits: Sequence[RateWindow] = (),
) -> SessionStore:
    """`None`/`""`/`memory://` → MemoryStore; `redis://`, `rediss://`, `unix://`, `redis+sentinel://`,
    `redis+cluster://` → RedisStore. No connection is made here."""
    scheme = scheme_of(url)
    if scheme == "memory":
        return MemoryStore(
            ttl_seconds=ttl_seconds, lock_wait_seconds=lock_wait_seconds, rate_limits=rate_limits
        )
    if scheme in REDIS_SCHEMES:
        return RedisStore(
            redis_from_url(str(url).strip()),
            ttl_seconds=ttl_seconds,
            lock_wait_seconds=lock_wait_seconds,
            lock_timeout_seconds=lock_timeout_seconds,
            prefix=prefix,
            transcript_entries=transcript_entries,
            transcript_ttl_seconds=transcript_ttl_seconds,
            apply_within_seconds=SOCKET_TIMEOUT_SECONDS,
            rate_limits=rate_limits,
        )
    # The URL itself is not echoed: it may carry a password.
    raise ValueError(
        f"unsupported session store URL scheme {scheme or '(none)'!r}: expected memory://, redis://, "
        "rediss://, unix://, redis+sentinel:// or redis+cluster:// (or leave REDIS_URL unset for the "
        "in-memory store)"
    )
