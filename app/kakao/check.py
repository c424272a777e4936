"""`check_response`: validate any SkillResponse dict against the spec (§3–§5), independently of the
builders, so that tests can run every rendered response through it."""

import json
from typing import Any

from app.kakao.check_cards import CARD_CHECKS
from app.kakao.check_parts import check_quick_replies, check_thumbnail
from app.kakao.check_rules import Findings, describe, get
from app.kakao.limits import (
    MAX_CAROUSEL_ITEMS,
    MAX_CAROUSEL_LIST_CARDS,
    MAX_OUTPUTS,
    MIN_CAROUSEL_ITEMS,
    MIN_OUTPUTS,
    RESPONSE_VERSION,
)

RESPONSE_FIELDS = ("version", "template", "context", "data", "useCallback")
CAROUSEL_TYPES = ("basicCard", "commerceCard", "listCard", "itemCard", "textCard")
HEADERLESS_CAROUSELS = ("textCard", "listCard")
ITEM_CARD_PARTS = ("thumbnail", "head", "profile", "imageTitle")


def check_response(payload: dict[str, Any]) -> list[str]:
    """Every problem that would make Kakao reject or mis-render `payload`; `[]` when it is valid."""
    found = Findings()
    body = found.object("", payload, RESPONSE_FIELDS, required=("version",))
    if body is None:
        return found.problems
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        found.add("", f"is not JSON-serialisable: {error}")
    if "version" in body and body["version"] != RESPONSE_VERSION:
        found.add("version", f"must be {RESPONSE_VERSION!r}, got {body['version']!r}")
    found.boolean("useCallback", get(body, "useCallback"))
    if "template" in body:
        _check_template(found, body["template"])
    elif not (body.get("useCallback") is True or "data" in body or "context" in body):
        found.add("template", "is required unless the response only sets useCallback, data or context")
    if "data" in body and not isinstance(body["data"], dict):
        found.add("data", f"must be an object, got {describe(body['data'])}")
    if "context" in body:
        _check_context(found, body["context"])
    return found.problems


def _check_template(found: Findings, value: object) -> None:
    template = found.object("template", value, ("outputs", "quickReplies"))
    if template is None:
        return
    outputs = found.array(
        "template.outputs", get(template, "outputs"), minimum=MIN_OUTPUTS, maximum=MAX_OUTPUTS
    )
    for index, output in enumerate(outputs):
        _check_component(found, f"template.outputs[{index}]", output)
    if "quickReplies" in template:
        check_quick_replies(found, "template.quickReplies", template["quickReplies"])


def _check_component(found: Findings, path: str, value: object) -> None:
    """A component is an object with exactly one key naming its type."""
    known = (*CARD_CHECKS, "carousel")
    if not isinstance(value, dict):
        found.add(path, f"must be an object, got {describe(value)}")
        return
    if len(value) != 1:
        found.add(path, f"must have exactly one key ({', '.join(known)}), got {sorted(value)}")
        return
    ((kind, body),) = value.items()
    if kind == "carousel":
        _check_carousel(found, f"{path}.carousel", body)
    elif kind in CARD_CHECKS:
        CARD_CHECKS[kind](found, f"{path}.{kind}", body, False)
    else:
        found.add(f"{path}.{kind}", f"unknown component type (known: {', '.join(known)})")


def _check_carousel(found: Findings, path: str, value: object) -> None:
    carousel = found.object(path, value, ("type", "items", "header"), required=("type",))
    if carousel is None:
        return
    kind = get(carousel, "type")
    found.one_of(f"{path}.type", kind, CAROUSEL_TYPES)
    maximum = MAX_CAROUSEL_LIST_CARDS if kind == "listCard" else MAX_CAROUSEL_ITEMS
    items = found.array(f"{path}.items", get(carousel, "items"), minimum=MIN_CAROUSEL_ITEMS, maximum=maximum)
    if kind in CAROUSEL_TYPES:
        for index, item in enumerate(items):
            if isinstance(item, dict) and list(item) == [kind]:
                found.add(
                    f"{path}.items[{index}]", f"must be the {kind} itself, not wrapped in {{{kind!r}: …}}"
                )
            else:
                CARD_CHECKS[kind](found, f"{path}.items[{index}]", item, True)
    if kind == "itemCard":
        _check_item_card_parts(found, path, items)
    if "header" in carousel:
        if kind in HEADERLESS_CAROUSELS:
            found.add(f"{path}.header", f"is not allowed in a {kind} carousel")
        _check_carousel_header(found, f"{path}.header", carousel["header"])


def _check_carousel_header(found: Findings, path: str, value: object) -> None:
    fields = ("title", "description", "thumbnail")
    header = found.object(path, value, fields, required=fields)
    if header is None:
        return
    found.text(f"{path}.title", get(header, "title"))
    found.text(f"{path}.description", get(header, "description"))
    if "thumbnail" in header:
        check_thumbnail(found, f"{path}.thumbnail", header["thumbnail"])


def _check_item_card_parts(found: Findings, path: str, items: list[Any]) -> None:
    """In an itemCard carousel, thumbnail/head/profile/imageTitle are used on every card or on none."""
    cards = [item for item in items if isinstance(item, dict)]
    for part in ITEM_CARD_PARTS:
        using = sum(1 for card in cards if part in card)
        if 0 < using < len(cards):
            found.add(f"{path}.items", f"{part} is used on {using} of {len(cards)} cards (all or none)")


def _check_context(found: Findings, value: object) -> None:
    context = found.object("context", value, ("values",), required=("values",))
    if context is None or "values" not in context:
        return
    for index, entry in enumerate(found.array("context.values", context["values"])):
        path = f"context.values[{index}]"
        fields = ("name", "lifeSpan", "ttl", "params")
        item = found.object(path, entry, fields, required=("name", "lifeSpan"))
        if item is None:
            continue
        found.text(f"{path}.name", get(item, "name"))
        found.integer(f"{path}.lifeSpan", get(item, "lifeSpan"), minimum=0)
        found.integer(f"{path}.ttl", get(item, "ttl"), minimum=0)
        params = item.get("params", {})
        if not isinstance(params, dict):
            found.add(f"{path}.params", f"must be an object, got {describe(params)}")
            continue
        for key, param in params.items():
            if not isinstance(param, str):
                found.add(
                    f"{path}.params.{key}", f"must be a string (stringify other types), got {describe(param)}"
                )
