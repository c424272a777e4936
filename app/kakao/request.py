"""SkillPayload (the webhook body Kakao POSTs) → `SkillRequest`, tolerant of any JSON value."""

import json
from collections.abc import Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any

import orjson
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WrapSerializer, computed_field

from app.kakao.tolerant import (
    MAX_DEPTH,
    TooDeep,
    as_bool,
    as_object,
    as_text,
    child_view,
    clean_json,
    decode_json_value,
    decode_object,
    first_text,
    view,
)

DEFAULT_TIMEZONE = "Asia/Seoul"
MAX_UTTERANCE_CHARS = 1000  # Kakao's chat input allows 1000; longer text is cut before any matching
BOT_TEST_SURFACE = "BuilderBotTest"
DEVELOPMENT_BOT_SUFFIX = "!"
REPLAY_USER_PREFIX = "replay-"  # `cs-bot replay` customers (Kakao's user keys are hex: never this)


def _freeze(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


def _thaw(mapping: Mapping[str, Any], handler: Any) -> Any:
    return handler(dict(mapping))


FrozenMap = Annotated[Mapping[str, Any], AfterValidator(_freeze), WrapSerializer(_thaw)]


class DetailParam(BaseModel):
    """One entry of `action.detailParams`: the raw text, the resolved value and the group name."""

    model_config = ConfigDict(frozen=True)

    origin: str | None = None
    value: Any = None
    group_name: str | None = None


class SkillRequest(BaseModel):
    """What one turn of the conversation says, independent of Kakao's JSON shape."""

    model_config = ConfigDict(frozen=True)

    user_key: str = ""
    user_type: str | None = None
    plusfriend_user_key: str | None = None
    app_user_id: str | None = None
    is_friend: bool | None = None
    utterance: str = ""
    utterance_cut: int = 0  # characters cut off a text longer than MAX_UTTERANCE_CHARS (agents see it)
    client_extra: FrozenMap = Field(default_factory=dict, validate_default=True)
    # `action.params` / `action.detailParams` as Kakao sent them: decoded into `params` and
    # `detail_params` when first read (the guides use neither, so most turns never pay for them).
    raw_params: Any = Field(default_factory=dict, exclude=True, repr=False)
    raw_detail_params: Any = Field(default_factory=dict, exclude=True, repr=False)
    bot_id: str | None = None
    bot_name: str | None = None
    block_id: str | None = None
    block_name: str | None = None
    intent_id: str | None = None
    intent_name: str | None = None
    lang: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    surface: str | None = None
    callback_url: str | None = None
    trigger_type: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def params(self) -> FrozenMap:
        """`action.params`: each value as given, or decoded when it is a JSON object/array string."""
        return _freeze({key: decode_json_value(value) for key, value in as_object(self.raw_params).items()})

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def detail_params(
        self,
    ) -> Annotated[Mapping[str, DetailParam], AfterValidator(_freeze), WrapSerializer(_thaw)]:
        """`action.detailParams`: origin, (decoded) value and group name of each entry that is an object."""
        return _freeze(_detail_params(self.raw_detail_params))

    @property
    def is_development_bot(self) -> bool:
        """The development (draft) bot's id ends with `!`."""
        return self.bot_id is not None and self.bot_id.endswith(DEVELOPMENT_BOT_SUFFIX)

    @property
    def bot_id_base(self) -> str | None:
        """The bot id without the development `!`, equal for the deployed and the development bot."""
        if self.bot_id is None:
            return None
        return self.bot_id.removesuffix(DEVELOPMENT_BOT_SUFFIX)

    @property
    def is_replay(self) -> bool:
        """A test customer of `cs-bot replay`: answered normally, but no handoff is filed for them."""
        return self.user_key.startswith(REPLAY_USER_PREFIX)

    @property
    def is_bot_test(self) -> bool:
        """The turn comes from the admin's 봇 테스트 panel, not from a real channel user."""
        return self.surface == BOT_TEST_SURFACE


def load_payload(body: bytes) -> Any:
    """The request body as JSON, cleaned (see `clean_json`); ValueError when it is not JSON or is
    nested deeper than MAX_DEPTH. orjson first; the standard parser for what orjson refuses but JSON
    allows (lone surrogate escapes such as `\\ud83d`)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(body)
        except RecursionError as exc:
            raise TooDeep("JSON nested too deeply") from exc
        return clean_json(value)
    if body.count(b"[") + body.count(b"{") < MAX_DEPTH:
        return value  # orjson refuses lone surrogates, and this few brackets cannot nest too deep
    return clean_json(value)


def parse_skill_request(payload: object, *, cleaned: bool = False) -> SkillRequest:
    """Read a SkillPayload. Never raises: missing or mistyped parts fall back to defaults.

    Lone UTF-16 surrogates become U+FFFD; a payload nested deeper than MAX_DEPTH reads as empty (the
    web layer refuses those with 400 before calling this, and passes `cleaned=True` for what
    `load_payload` gave it)."""
    if not cleaned:
        try:
            payload = clean_json(payload)
        except TooDeep:
            payload = {}
    root = view(payload)  # read with .get only: no copies of the payload's objects
    user_request = child_view(root, "userRequest")
    user = child_view(user_request, "user")
    properties = child_view(user, "properties")
    action = child_view(root, "action")
    bot = child_view(root, "bot")
    block = child_view(user_request, "block")
    intent = child_view(root, "intent")
    return SkillRequest(
        user_key=_user_key(user, properties),
        user_type=as_text(user.get("type")),
        plusfriend_user_key=first_text(
            properties.get("plusfriendUserKey"), properties.get("plusfriend_user_key")
        ),
        app_user_id=first_text(properties.get("appUserId"), properties.get("app_user_id")),
        is_friend=as_bool(properties.get("isFriend")),
        utterance=_utterance(user_request.get("utterance")),
        utterance_cut=_cut(user_request.get("utterance")),
        client_extra=decode_object(action.get("clientExtra")),
        raw_params=as_object(action.get("params")),
        raw_detail_params=as_object(action.get("detailParams")),
        bot_id=as_text(bot.get("id")),
        bot_name=as_text(bot.get("name")),
        block_id=as_text(block.get("id")),
        block_name=as_text(block.get("name")),
        intent_id=as_text(intent.get("id")),
        intent_name=as_text(intent.get("name")),
        lang=_lang(user_request.get("lang")),
        timezone=(as_text(user_request.get("timezone")) or DEFAULT_TIMEZONE).strip(),
        surface=as_text(child_view(user_request, "params").get("surface")),
        callback_url=as_text(user_request.get("callbackUrl")),
        trigger_type=as_text(child_view(root, "flow", "trigger").get("type")),
    )


def _user_key(user: Mapping[str, Any], properties: Mapping[str, Any]) -> str:
    key = first_text(user.get("id"), properties.get("botUserKey"), properties.get("bot_user_key"))
    return key.strip() if key else ""


def _cut(value: object) -> int:
    return max(0, len(value.strip()) - MAX_UTTERANCE_CHARS) if isinstance(value, str) else 0


def _utterance(value: object) -> str:
    """The customer's text, at most MAX_UTTERANCE_CHARS: matching costs time in its length, and no
    customer question needs more."""
    return value[: MAX_UTTERANCE_CHARS * 2].strip()[:MAX_UTTERANCE_CHARS] if isinstance(value, str) else ""


def _lang(value: object) -> str | None:
    text = as_text(value)
    if text is None:
        return None
    lang = text.strip().lower()
    return "ko" if lang in ("ko", "kr") else lang


def _detail_params(value: object) -> dict[str, DetailParam]:
    details: dict[str, DetailParam] = {}
    for name, raw in as_object(value).items():
        if not isinstance(raw, Mapping):
            continue
        detail = view(raw)
        origin = detail.get("origin")
        group_name = detail.get("groupName")
        details[name] = DetailParam(
            origin=origin if isinstance(origin, str) else None,
            value=decode_json_value(detail.get("value")),
            group_name=group_name if isinstance(group_name, str) else None,
        )
    return details
