"""Building the agent side from settings: accounts and sessions in Redis, or a file and this process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.agents.accounts import AgentAccounts, FileAccounts, RedisAccounts
from app.agents.sessions import AgentSessions, MemorySessions, RedisSessions
from app.config import Settings


@dataclass
class AgentDesk:
    accounts: AgentAccounts
    sessions: AgentSessions
    limiter: Any = None  # the sign-in rate limiter (flask-limiter), set by the web layer


def build_desk(settings: Settings) -> AgentDesk:
    if settings.redis_url:
        from app.handoff.setup import redis_client

        client, prefix = redis_client(settings), settings.redis_prefix
        return AgentDesk(RedisAccounts(client, prefix), RedisSessions(client, prefix))
    return AgentDesk(FileAccounts(settings.agents_file), MemorySessions())
