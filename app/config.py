"""Settings, from environment variables only (twelve-factor); `create_app(config)` may override them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_PREFIX = "BOT_VAR_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    redis_url: str | None = Field(
        None, description="redis://… for shared sessions; unset = in-memory (one process)"
    )
    redis_prefix: str = Field("csbot:", description="prefix of every Redis key this app writes")
    session_ttl_seconds: int = Field(1800, ge=60, description="idle time after which a conversation expires")
    lock_wait_seconds: float = Field(2.0, gt=0, lt=5, description="how long a turn waits for the user's lock")
    lock_timeout_seconds: float = Field(3.0, gt=0, lt=5, description="lock auto-release if a worker dies")
    skill_secret: SecretStr | None = Field(None, description="if set, /skill needs X-Skill-Secret or ?key=")
    kakao_bot_ids: Annotated[tuple[str, ...], NoDecode] = Field((), description="allowed bot.id values")
    max_body_bytes: int = Field(64 * 1024, ge=1024, description="larger /skill bodies get 413")
    skills_dir: Path = PROJECT_ROOT / "skills"
    templates_dir: Path = PROJECT_ROOT / "templates"
    log_level: str = "INFO"
    bot_vars: dict[str, str] = Field(default_factory=dict, description="BOT_VAR_* content variables")

    @field_validator("kakao_bot_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(v.strip() for v in value.split(",") if v.strip())
        return value

    @field_validator("redis_url", "skill_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Environment first, then `overrides` (tests, embedding); BOT_VAR_* become content variables."""
    bot_vars = {k[len(VAR_PREFIX) :].lower(): v for k, v in os.environ.items() if k.startswith(VAR_PREFIX)}
    values: dict[str, Any] = {"bot_vars": bot_vars, **(overrides or {})}
    return Settings(**values)
