"""Agent accounts: a name, a role (상담원 or 리드), a password hash (werkzeug.security, scrypt), and
whether the account may sign in. Kept in Redis (`agents` hash) when REDIS_URL is set, else in a local
JSON file; managed with `cs-bot agents add|list|disable`, read by the inbox on every request."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

import redis
from pydantic import BaseModel, ConfigDict
from redis.exceptions import RedisError
from werkzeug.security import check_password_hash, generate_password_hash

from app.handoff.record import seoul_now
from app.session import StoreUnavailable

Role = Literal["agent", "lead"]
ROLE_LABELS = {"agent": "상담원", "lead": "리드"}
NAME = re.compile(r"^[0-9A-Za-z가-힣._-]{2,32}$")
MIN_PASSWORD = 10
# Checked against when the name is unknown, so that a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000")


class AccountError(ValueError):
    """A name or password that cannot be used (shown to the operator as is)."""


class Agent(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    role: Role = "agent"
    password_hash: str
    disabled: bool = False
    created_at: datetime

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def new_agent(name: str, password: str, role: Role = "agent") -> Agent:
    if not NAME.match(name):
        raise AccountError("이름은 2~32자의 한글, 영문, 숫자, . _ - 로 정해 주세요")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"비밀번호는 {MIN_PASSWORD}자 이상이어야 합니다")
    return Agent(name=name, role=role, password_hash=generate_password_hash(password), created_at=seoul_now())


class AgentAccounts(Protocol):
    def add(self, agent: Agent) -> None:
        """Raises AccountError if the name is taken."""

    def get(self, name: str) -> Agent | None: ...

    def all(self) -> list[Agent]: ...

    def set_disabled(self, name: str, disabled: bool) -> Agent | None: ...


def verify(accounts: AgentAccounts, name: str, password: str) -> Agent | None:
    """The agent, if the name exists, is enabled and the password matches (constant work either way)."""
    agent = accounts.get(name)
    matched = check_password_hash(agent.password_hash if agent else _DUMMY_HASH, password)
    return agent if agent is not None and matched and not agent.disabled else None


class RedisAccounts:
    def __init__(self, client: redis.Redis, prefix: str = "csbot:") -> None:
        self.client, self.key = client, f"{prefix}agents"

    def add(self, agent: Agent) -> None:
        try:
            if not self.client.hsetnx(self.key, agent.name, agent.model_dump_json()):
                raise AccountError(f"이미 있는 이름입니다: {agent.name}")
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while adding an agent: {exc}") from exc

    def get(self, name: str) -> Agent | None:
        try:
            found = self.client.hget(self.key, name)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while reading an agent: {exc}") from exc
        return Agent.model_validate_json(found) if found else None

    def all(self) -> list[Agent]:
        try:
            found = self.client.hgetall(self.key)
        except RedisError as exc:
            raise StoreUnavailable(f"Redis unavailable while listing agents: {exc}") from exc
        return sorted((Agent.model_validate_json(v) for v in found.values()), key=lambda a: a.name)

    def set_disabled(self, name: str, disabled: bool) -> Agent | None:
        agent = self.get(name)
        if agent is None:
            return None
        changed = agent.model_copy(update={"disabled": disabled})
        self.client.hset(self.key, name, changed.model_dump_json())
        return changed


class FileAccounts:
    """Without Redis: one JSON file (locked while written), read again on every lookup so that
    `cs-bot agents disable` in another process takes effect at once."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _locked(self) -> Iterator[dict[str, dict[str, object]]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.with_suffix(".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                data = self._read()
                yield data
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
                os.chmod(temporary, 0o600)
                temporary.replace(self.path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, dict[str, object]]:
        if not self.path.exists():
            return {}
        found: dict[str, dict[str, object]] = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        return found

    def add(self, agent: Agent) -> None:
        with self._locked() as data:
            if agent.name in data:
                raise AccountError(f"이미 있는 이름입니다: {agent.name}")
            data[agent.name] = agent.model_dump(mode="json")

    def get(self, name: str) -> Agent | None:
        found = self._read().get(name)
        return Agent.model_validate(found) if found else None

    def all(self) -> list[Agent]:
        return sorted((Agent.model_validate(v) for v in self._read().values()), key=lambda a: a.name)

    def set_disabled(self, name: str, disabled: bool) -> Agent | None:
        with self._locked() as data:
            if name not in data:
                return None
            data[name] = {**data[name], "disabled": disabled}
            return Agent.model_validate(data[name])
