"""Where one customer's data lives in Redis: every key of a customer shares a hash tag.

`{prefix}{<user key>}:session`, `…:lock`, `…:transcript` hash to the same Redis Cluster slot (the part
between the first `{` and `}`), so the lock, the state and the transcript are one shard's business and
one Lua script can read and write them together.
"""

from __future__ import annotations


def customer_key(prefix: str, user_key: str, kind: str) -> str:
    return f"{prefix}{{{user_key}}}:{kind}"
