"""Settings, from environment variables only (twelve-factor); `create_app(config)` may override them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.handoff.delivery import DEFAULT_RETRY_SCHEDULE
from app.handoff.hours import BusinessHours

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_PREFIX = "BOT_VAR_"
AGENT_TOKEN_MIN_LENGTH = 24


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    redis_url: str | None = Field(
        None, description="redis://… for shared sessions; unset = in-memory (one process)"
    )
    redis_prefix: str = Field("csbot:", description="prefix of every Redis key this app writes")
    queue_redis_url: str | None = Field(
        None, description="Redis for RQ delivery jobs; default REDIS_URL (required with a Cluster URL)"
    )
    session_ttl_seconds: int = Field(1800, ge=60, description="idle time after which a conversation expires")
    lock_wait_seconds: float = Field(2.0, gt=0, lt=5, description="how long a turn waits for the user's lock")
    lock_timeout_seconds: float = Field(3.0, gt=0, lt=5, description="lock auto-release if a worker dies")
    skill_secret: SecretStr | None = Field(None, description="if set, /skill needs X-Skill-Secret or ?key=")
    kakao_bot_ids: Annotated[tuple[str, ...], NoDecode] = Field((), description="allowed bot.id values")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="larger /skill bodies get 413")
    rate_limit: str = Field(
        "20/5seconds;120/minute", description="per Kakao user on /skill (`limits` syntax); '' = off"
    )
    web_concurrency: int | None = Field(
        None, ge=1, description="gunicorn worker processes (default: 1 without Redis, 2 × CPUs with it)"
    )
    skills_dir: Path = PROJECT_ROOT / "skills"
    templates_dir: Path = PROJECT_ROOT / "templates"
    log_level: str = "INFO"
    log_format: Literal["auto", "json", "text"] = Field(
        "auto",
        description="json, text, or auto: text on a terminal, else json",
    )
    metrics_token: SecretStr | None = Field(None, description="if set, /metrics needs Authorization: Bearer")
    bot_vars: dict[str, str] = Field(default_factory=dict, description="BOT_VAR_* content variables")

    # handoff to agents
    handoff_webhook_url: str | None = Field(None, description="generic JSON desk webhook (HMAC-signed)")
    handoff_webhook_secret: SecretStr | None = Field(None, description="HMAC-SHA256 key for the webhook")
    slack_webhook_url: str | None = Field(None, description="Slack incoming webhook for a Korean summary")
    agent_token: SecretStr | None = Field(
        None, description="turns the agent inbox /agent on; its JSON API's Bearer token; unset = off"
    )
    agents_file: Path = Field(
        PROJECT_ROOT / "var" / "agents.json", description="agent accounts when REDIS_URL is unset"
    )
    agent_login_limit_account: str = Field("5/minute;20/hour", description="failed sign-ins per name")
    agent_login_limit_address: str = Field("20/minute;100/hour", description="failed sign-ins per address")
    business_hours: str = Field("mon-fri 09:00-18:00", description="when agents answer (Asia/Seoul)")
    holidays: str = Field("", description="the company's own days off: comma-separated YYYY-MM-DD dates")
    public_holidays: bool = Field(True, description="KR public holidays close the desk; false = work them")
    handoff_retention_days: int = Field(30, ge=1, description="handoff records expire after this")
    transcript_ttl_seconds: int = Field(24 * 3600, ge=60, description="idle time before a transcript expires")
    transcript_max_entries: int = Field(100, ge=10, description="lines kept per transcript (customer + bot)")
    delivery_retry_schedule: Annotated[tuple[int, ...], NoDecode] = Field(
        DEFAULT_RETRY_SCHEDULE, description="seconds before each delivery retry"
    )
    handoff_queue: str = Field("csbot-handoffs", description="RQ queue name for desk deliveries")
    worker_maintenance_seconds: int = Field(
        20, ge=1, le=60, description="how often the delivery worker checks its scheduler (restarts it)"
    )
    delivery_timeout_seconds: float = Field(5.0, gt=0, le=30, description="per delivery attempt")
    handoff_spool_dir: Path = Field(
        PROJECT_ROOT / "var" / "spool", description="local fallback when Redis is down"
    )
    public_base_url: str | None = Field(
        None, description="https://… of this server, for inbox links in desks"
    )

    @field_validator("redis_prefix")
    @classmethod
    def _no_hash_tag(cls, value: str) -> str:
        if "{" in value or "}" in value:
            raise ValueError("REDIS_PREFIX must not contain { or }: the customer's key is the hash tag")
        return value

    # conversation events for the CS team (cs-bot report / graph, the inbox's 통계 page)
    events_retention_days: int = Field(30, ge=1, description="conversation events are kept this long")
    events_salt: SecretStr | None = Field(
        None, description="key of the customer pseudonym in events; unset: a random one kept in Redis"
    )

    @field_validator("kakao_bot_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("delivery_retry_schedule", mode="before")
    @classmethod
    def _split_schedule(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(int(v) for v in value.replace(" ", "").split(",") if v)
        return value

    @field_validator("agent_token")
    @classmethod
    def _long_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < AGENT_TOKEN_MIN_LENGTH:
            raise ValueError(
                f"AGENT_TOKEN must be at least {AGENT_TOKEN_MIN_LENGTH} characters "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        return value

    @field_validator("business_hours")
    @classmethod
    def _valid_hours(cls, value: str) -> str:
        BusinessHours.parse(value, public_holidays=False)
        return value

    @field_validator("holidays")
    @classmethod
    def _valid_holidays(cls, value: str) -> str:
        BusinessHours.parse("mon 09:00-10:00", value, public_holidays=False)
        return value

    @field_validator(
        "redis_url",
        "queue_redis_url",
        "skill_secret",
        "handoff_webhook_url",
        "handoff_webhook_secret",
        "slack_webhook_url",
        "agent_token",
        "public_base_url",
        "metrics_token",
        "events_salt",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Environment first, then `overrides` (tests, embedding); BOT_VAR_* become content variables."""
    bot_vars = {k[len(VAR_PREFIX) :].lower(): v for k, v in os.environ.items() if k.startswith(VAR_PREFIX)}
    values: dict[str, Any] = {"bot_vars": bot_vars, **(overrides or {})}
    return Settings(**values)
