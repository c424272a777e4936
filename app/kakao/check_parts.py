"""`check_response` for the parts shared by components: buttons, quick replies, thumbnails, links."""

from typing import Any

from app.kakao.check_rules import ABSENT, Findings, describe, get
from app.kakao.limits import (
    BUTTON_LAYOUTS,
    MAX_ALT_TEXT,
    MAX_BUTTON_LABEL,
    MAX_BUTTON_LABEL_HORIZONTAL,
    MAX_BUTTONS_HORIZONTAL,
    MAX_BUTTONS_VERTICAL,
    MAX_QUICK_REPLIES,
    MAX_QUICK_REPLY_LABEL,
)

BUTTON_FIELDS = ("label", "action", "webLinkUrl", "messageText", "phoneNumber", "blockId", "extra")
BUTTON_ACTIONS = ("webLink", "message", "phone", "block", "share", "operator")
QUICK_REPLY_FIELDS = ("label", "action", "messageText", "blockId", "extra")
QUICK_REPLY_ACTIONS = ("message", "block")
THUMBNAIL_FIELDS = ("imageUrl", "altText", "link", "fixedRatio", "width", "height")
LINK_FIELDS = ("web", "pc", "mobile")


def check_buttons(found: Findings, card: str, body: dict[str, Any], *, fixed_ratio: bool = False) -> None:
    """`buttons` and `buttonLayout` of a card; a fixed-ratio thumbnail means horizontal by default."""
    layout = get(body, "buttonLayout")
    found.one_of(f"{card}.buttonLayout", layout, BUTTON_LAYOUTS)
    horizontal = layout == "horizontal" or (layout not in BUTTON_LAYOUTS and fixed_ratio)
    maximum = MAX_BUTTONS_HORIZONTAL if horizontal else MAX_BUTTONS_VERTICAL
    buttons = found.array(f"{card}.buttons", get(body, "buttons"), maximum=maximum)
    label_limit = MAX_BUTTON_LABEL
    if horizontal and len(buttons) == MAX_BUTTONS_HORIZONTAL:
        label_limit = MAX_BUTTON_LABEL_HORIZONTAL
    for index, button in enumerate(buttons):
        check_button(found, f"{card}.buttons[{index}]", button, label_limit)


def check_button(found: Findings, path: str, value: object, label_limit: int = MAX_BUTTON_LABEL) -> None:
    button = found.object(path, value, BUTTON_FIELDS, required=("label", "action"))
    if button is None:
        return
    found.text(f"{path}.label", get(button, "label"), maximum=label_limit)
    action = get(button, "action")
    found.one_of(f"{path}.action", action, BUTTON_ACTIONS)
    required_by_action = {"webLink": "webLinkUrl", "phone": "phoneNumber", "block": "blockId"}
    needed = required_by_action.get(action) if isinstance(action, str) else None
    if needed is not None and needed not in button:
        found.add(f"{path}.{needed}", f"is required for action {action!r}")
    found.url(f"{path}.webLinkUrl", get(button, "webLinkUrl"))
    found.text(f"{path}.phoneNumber", get(button, "phoneNumber"))
    found.text(f"{path}.blockId", get(button, "blockId"))
    found.text(f"{path}.messageText", get(button, "messageText"))
    check_extra(found, f"{path}.extra", get(button, "extra"))


def check_quick_replies(found: Findings, path: str, value: object) -> None:
    replies = found.array(path, value, maximum=MAX_QUICK_REPLIES)
    seen: set[str] = set()
    for index, reply in enumerate(replies):
        check_quick_reply(found, f"{path}[{index}]", reply)
        label = reply.get("label") if isinstance(reply, dict) else None
        if isinstance(label, str):
            if label in seen:
                found.add(f"{path}[{index}].label", f"duplicate quick-reply label {label!r}")
            seen.add(label)


def check_quick_reply(found: Findings, path: str, value: object) -> None:
    reply = found.object(path, value, QUICK_REPLY_FIELDS, required=("label", "action"))
    if reply is None:
        return
    found.text(f"{path}.label", get(reply, "label"), maximum=MAX_QUICK_REPLY_LABEL)
    action = get(reply, "action")
    # The doc itself writes 'Message'; Kakao accepts either case.
    normalized = action.lower() if isinstance(action, str) else action
    if action is not ABSENT and normalized not in QUICK_REPLY_ACTIONS:
        found.add(f"{path}.action", f"must be one of {', '.join(QUICK_REPLY_ACTIONS)}, got {action!r}")
    if normalized == "block" and "blockId" not in reply:
        found.add(f"{path}.blockId", "is required for action 'block'")
    found.text(f"{path}.blockId", get(reply, "blockId"))
    found.text(f"{path}.messageText", get(reply, "messageText"))
    check_extra(found, f"{path}.extra", get(reply, "extra"))


def check_extra(found: Findings, path: str, value: object) -> None:
    """`extra` becomes the next request's `action.clientExtra`, a map: anything else is lost."""
    if value is not ABSENT and value is not None and not isinstance(value, dict):
        found.add(path, f"must be an object (it arrives as action.clientExtra), got {describe(value)}")


def check_thumbnail(found: Findings, path: str, value: object) -> dict[str, Any] | None:
    thumbnail = found.object(path, value, THUMBNAIL_FIELDS, required=("imageUrl",))
    if thumbnail is None:
        return None
    found.url(f"{path}.imageUrl", get(thumbnail, "imageUrl"))
    found.text(f"{path}.altText", get(thumbnail, "altText"), maximum=MAX_ALT_TEXT)
    found.boolean(f"{path}.fixedRatio", get(thumbnail, "fixedRatio"))
    found.integer(f"{path}.width", get(thumbnail, "width"), minimum=1)
    found.integer(f"{path}.height", get(thumbnail, "height"), minimum=1)
    if "link" in thumbnail:
        check_link(found, f"{path}.link", thumbnail["link"])
    return thumbnail


def check_link(found: Findings, path: str, value: object) -> None:
    """Link{web, pc, mobile}: web must be http(s); pc/mobile may be app schemes."""
    link = found.object(path, value, LINK_FIELDS)
    if link is None:
        return
    if not link:
        found.add(path, "needs at least one of web, pc, mobile")
    found.url(f"{path}.web", get(link, "web"))
    found.text(f"{path}.pc", get(link, "pc"))
    found.text(f"{path}.mobile", get(link, "mobile"))


def check_profile(found: Findings, path: str, value: object) -> None:
    """Profile of a basicCard/commerceCard: nickname required."""
    profile = found.object(path, value, ("nickname", "imageUrl"), required=("nickname",))
    if profile is not None:
        found.text(f"{path}.nickname", get(profile, "nickname"))
        found.url(f"{path}.imageUrl", get(profile, "imageUrl"))
