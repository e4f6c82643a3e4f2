"""Payloads of /start links: invite codes and campaign labels."""

from __future__ import annotations

import re
import secrets

#: Telegram's limit for a /start payload, in characters of A-Za-z0-9_-.
PAYLOAD_MAX_LENGTH = 64
#: An invite code is this prefix and the URL-safe base64 of INVITE_CODE_BYTES random
#: bytes (16 characters): 20 characters no campaign label is likely to have.
INVITE_CODE_PREFIX = "inv_"
INVITE_CODE_BYTES = 12
INVITE_CODE_LENGTH = len(INVITE_CODE_PREFIX) + 16

_PAYLOAD = re.compile(rf"[A-Za-z0-9_-]{{1,{PAYLOAD_MAX_LENGTH}}}")


def is_start_payload(text: str) -> bool:
    """Whether `text` is a payload Telegram can put in a /start link: 1 to 64
    characters of A-Za-z0-9_-. Anything else is never stored."""
    return _PAYLOAD.fullmatch(text) is not None


def looks_like_invite(payload: str) -> bool:
    """Whether a payload has the shape of an invite code ("inv_" and 16 URL-safe
    characters): an unknown one is a broken or mistyped invitation, not a campaign label.
    Codes made before the prefix are recognised by being known."""
    return (
        payload.startswith(INVITE_CODE_PREFIX)
        and len(payload) == INVITE_CODE_LENGTH
        and is_start_payload(payload)
    )


def new_invite_code() -> str:
    """A fresh random invite code: INVITE_CODE_PREFIX and the URL-safe base64 of
    INVITE_CODE_BYTES random bytes (`looks_like_invite` recognises it)."""
    return INVITE_CODE_PREFIX + secrets.token_urlsafe(INVITE_CODE_BYTES)


def start_link(bot_username: str, payload: str) -> str:
    """The link that opens the bot (`bot_username`, without "@") with `/start payload`."""
    return f"https://t.me/{bot_username}?start={payload}"
