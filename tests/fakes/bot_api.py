"""A fake Telegram Bot API server for tests.

The fake is a real HTTP server (``aiohttp.web`` on 127.0.0.1, port chosen by the OS), so
the bot under test talks to it through aiogram's own client code::

    async with FakeBotAPI() as fake, fake.make_bot() as bot:
        anna = fake.add_user(FakeUser(id=1001, first_name="Анна"))
        await bot.send_message(anna.id, "<b>Привет</b>", parse_mode="HTML")
        assert fake.last_message(anna.id).text == "Привет"

``make_bot()`` is a shortcut for
``Bot(fake.token, session=LoopbackSession(api=TelegramAPIServer.from_base(fake.base_url)))``
(``LoopbackSession``: aiogram's ``AiohttpSession`` without its quarter-second wait on close).

The point of the fake is to fail the way Telegram fails, so it enforces Telegram's limits
with Telegram's own error descriptions: the HTML parser is a port of TDLib's ``parse_html``
(the code behind ``parse_mode=HTML``), text and caption lengths are counted after parsing,
callback data is counted in UTF-8 bytes, and so on. Where Telegram's exact wording is not
known the description says so in a comment next to it.

Deliberate differences from Telegram:

* a ``&`` that does not start a supported entity is rejected (Telegram keeps it as text);
  an unescaped ``&`` is how unescaped user input looks, and the next user may type
  ``&lt;``. Set ``fake.strict_ampersand = False`` for Telegram's lenient behaviour;
* unknown methods answer "Not Found: method not found" (Telegram says just "Not Found");
* Markdown and MarkdownV2 are accepted but not parsed: the text is stored as sent;
* only private chats exist: a chat is a user known to the fake;
* setWebhook also accepts plain ``http://127.0.0.1`` URLs (Telegram wants https on port
  443, 80, 88 or 8443): tests put the bot's own server, or nginx, on a local port. A
  failed delivery is tried again after ``webhook_retry_seconds`` (Telegram waits longer
  and longer), and methods a webhook answer carries are not run (the fake records an
  internal error instead).

While a webhook is set the fake posts each pending update to it, as Telegram does: the
update as JSON, ``X-Telegram-Bot-Api-Secret-Token`` when a secret token was given, one
update at a time per chat and in order, at most ``max_connections`` at once; an update is
confirmed by a 2xx answer and posted again otherwise. getUpdates is refused meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import math
import random
import re
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Final, Self, TypeAlias, TypeVar

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import ClientError, ClientSession, ClientTimeout, web
from aiohttp.web_request import FileField
from yarl import URL

__all__ = [
    "LATENCY_METHODS",
    "SEND_METHODS",
    "ApiError",
    "Call",
    "CallbackAnswer",
    "FakeBotAPI",
    "FakeChannel",
    "FakeGroup",
    "FakeUser",
    "HtmlParseError",
    "MessageVersion",
    "SentMessage",
    "UploadedFile",
    "WebhookDelivery",
    "parse_html",
    "utf16_length",
]

JSON: TypeAlias = dict[str, Any]
_T = TypeVar("_T")

# --------------------------------------------------------------------------- limits

MAX_TEXT_LENGTH: Final = 4096  # characters (code points) after entity parsing
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64  # UTF-8 bytes, not characters
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
MAX_COPY_TEXT_LENGTH: Final = 256
MAX_INLINE_BUTTONS: Final = 100
MAX_COMMANDS: Final = 100
MAX_COMMAND_LENGTH: Final = 32
MAX_COMMAND_DESCRIPTION_LENGTH: Final = 256
#: The cloud Bot API's limit for a file a bot uploads (a document, a video, ...): a file
#: one byte larger is refused, whatever the rest of the request weighs.
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024  # the most getFile lets a bot download
#: A callback query can be answered for about this long after the user pressed.
CALLBACK_QUERY_LIFETIME: Final = 15.0
#: Telegram's flood limits as its FAQ states them ("no more than one message per second
#: in a single chat" with short bursts allowed, "no more than 30 messages per second" in
#: all, "no more than 20 messages per minute in the same group"):
#: see ``FakeBotAPI.enforce_telegram_limits``.
TELEGRAM_GLOBAL_PER_SECOND: Final = 30
TELEGRAM_CHAT_BURST: Final = 3
TELEGRAM_CHAT_PER_SECOND: Final = 1.0
TELEGRAM_GROUP_PER_MINUTE: Final = 20

#: Methods that create a message; these are what the rate limits count.
SEND_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
    }
)
#: Most messages one copyMessages request copies.
MAX_COPIED_MESSAGES: Final = 100
#: What a message may carry that copies take along (``Message`` fields).
MEDIA_KINDS: Final = ("photo", "document", "video", "audio", "animation")
#: Methods slowed down by ``FakeBotAPI.latency``.
LATENCY_METHODS: Final = SEND_METHODS | {
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "sendChatAction",
}

#: What a user sees of a sent message: an edit that changes none of it is "not modified".
_VISIBLE: Final = ("text", "entities", "caption", "caption_entities", "inline_markup")
NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
POLLING_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
#: Telegram posts to these ports only (setWebhook).
WEBHOOK_PORTS: Final = frozenset({443, 80, 88, 8443})
#: Bot API setWebhook: secret_token is 1-256 characters of A-Z, a-z, 0-9, _ and -.
_SECRET_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]+")
MAX_SECRET_TOKEN_LENGTH: Final = 256
QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)

# Form fields arrive as strings. aiogram JSON-encodes complex values and numbers/booleans
# (``json.dumps(5) == "5"``), plain strings are sent as they are. Only the fields listed
# here are decoded, so a text such as "123" or "true" stays a string.
_JSON_FIELDS: Final = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "media",
        "message_ids",
        "menu_button",
    }
)
_INT_FIELDS: Final = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "message_thread_id",
        "user_id",
        "cache_time",
        "reply_to_message_id",
        "duration",
        "width",
        "height",
        "max_connections",
    }
)
_BOOL_FIELDS: Final = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "has_spoiler",
        "supports_streaming",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
    }
)

# Telegram's default when allowed_updates was never given (or given as an empty list).
_NOT_DELIVERED_BY_DEFAULT: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_ENTITY_TYPES: Final = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    }
)
_INLINE_BUTTON_ACTIONS: Final = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_SCOPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(message: str) -> ApiError:
    return ApiError(400, f"Bad Request: {message}")


def _forbidden(message: str) -> ApiError:
    return ApiError(403, f"Forbidden: {message}")


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "ru"
    last_name: str | None = None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat(self) -> JSON:
        data: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class FakeGroup:
    """A group or supergroup the bot is a member of; its id is negative, as Telegram's."""

    id: int
    title: str
    type: str = "supergroup"
    member_count: int = 2

    def chat(self) -> JSON:
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class FakeChannel:
    """A public channel (or a public supergroup, `type`) the bot reads by its @username,
    member or not: only getChatMemberCount knows it."""

    id: int
    username: str
    member_count: int
    type: str = "channel"


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Call:
    """One request to the fake, successful or not.

    ``at`` is ``time.monotonic()`` when the request arrived, ``finished_at`` when it was
    answered (the gap includes ``latency`` and long polling).
    """

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    at: float
    finished_at: float = 0.0
    result: Any = None
    dropped: bool = False

    def __str__(self) -> str:
        status = "ok" if self.ok else f"{self.error_code} {self.description}"
        if self.dropped:
            status += " (connection dropped)"
        shown = {k: v for k, v in self.params.items() if k != "token"}
        return f"{self.method}({_short(shown)}) -> {status}"


@dataclass(frozen=True)
class MessageVersion:
    """A message's content before one of its edits."""

    text: str | None
    raw_text: str | None
    entities: list[JSON]
    caption: str | None
    raw_caption: str | None
    caption_entities: list[JSON]
    parse_mode: str | None
    reply_markup: JSON | None
    date: int


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, in its current state (edits update it in place).

    ``text``/``caption`` are the plain texts Telegram shows (tags removed, entities
    decoded, surrounding whitespace trimmed); ``raw_text``/``raw_caption`` are what the
    bot sent. ``history`` holds the versions before each edit, oldest first.
    """

    chat_id: int
    message_id: int
    method: str
    date: int
    text: str | None = None
    raw_text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    raw_caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    media: JSON | None = None  # e.g. {"photo": [...]} or {"document": {...}}
    reply_to_message_id: int | None = None
    forward_origin: JSON | None = None
    media_group_id: str | None = None  # copies of an album's items share one
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def content(self) -> str:
        """The text, or the caption of a media message, or ``""``."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def media_kind(self) -> str | None:
        return next(iter(self.media), None) if self.media else None

    @property
    def uploaded(self) -> UploadedFile | None:
        """The file the request that sent this message uploaded as its media (directly
        or as "attach://<part>"); None if it sent a file_id or a URL, or no media."""
        kind = self.media_kind
        value = self.params.get(kind) if kind is not None else None
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.params.get(value.removeprefix("attach://"))
        return value if isinstance(value, UploadedFile) else None

    @property
    def inline_markup(self) -> JSON | None:
        """The inline keyboard attached to the message (reply keyboards are not)."""
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def buttons(self) -> list[JSON]:
        """All inline buttons, row by row."""
        markup = self.inline_markup
        if markup is None:
            return []
        return [button for row in markup["inline_keyboard"] for button in row]

    def button_texts(self) -> list[str]:
        return [str(button.get("text")) for button in self.buttons]

    def find_button(self, text: str) -> JSON | None:
        return next((b for b in self.buttons if b.get("text") == text), None)

    def snapshot(self) -> MessageVersion:
        return MessageVersion(
            text=self.text,
            raw_text=self.raw_text,
            entities=copy.deepcopy(self.entities),
            caption=self.caption,
            raw_caption=self.raw_caption,
            caption_entities=copy.deepcopy(self.caption_entities),
            parse_mode=self.parse_mode,
            reply_markup=copy.deepcopy(self.reply_markup),
            date=self.edit_date or self.date,
        )


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    error_code: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass
class _Drop:
    method: str  # lower-case method name or "*"
    remaining: int
    after_processing: bool


@dataclass
class _RandomFaults:
    error_code: int
    description: str | None
    retry_after: int | None
    probability: float
    methods: frozenset[str]
    rng: random.Random


@dataclass(frozen=True)
class _Formatted:
    raw: str
    parse_mode: str | None
    text: str
    entities: list[JSON]


@dataclass(frozen=True)
class _StoredFile:
    kind: str  # one of MEDIA_KINDS
    payload: Any  # the Bot API object(s) to put into Message
    data: bytes | None = None  # the content a user sent, served by getFile's file_path


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    """One post of an update to the webhook: the HTTP status of the answer, or None and
    the error when there was no answer (connection refused, timeout)."""

    update_id: int
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Hold:
    """Requests of one method wait at the fake's door until `release()`; see
    `FakeBotAPI.hold`."""

    method: str
    arrived: int = 0
    _open: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self._open.set()


class _Pulse:
    """Wakes everybody waiting for the fake's state to change.

    Plays the role of an ``asyncio.Condition`` whose ``notify_all`` can be called from
    plain functions such as ``push()``: a Condition may only be notified while its lock
    is held, and taking the lock needs ``await``. There is no lost-wakeup race because
    waiters check their condition and start waiting without yielding in between.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> None:
        """Return on the next ``fire()`` or after ``seconds``, whichever comes first."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


# --------------------------------------------------------------------------- HTML parsing


class HtmlParseError(ValueError):
    """``parse_mode=HTML`` text that Telegram rejects; ``str()`` is Telegram's message."""


@dataclass
class _Entity:
    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    code_language: str = ""  # a <code class="language-..."> waiting for its <pre>

    def to_api(self) -> JSON:
        return {
            "type": self.type,
            "offset": self.offset,
            "length": self.length,
            **_given(
                url=self.url,
                language=self.language or None,
                custom_emoji_id=self.custom_emoji_id,
            ),
        }


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    byte_offset: int  # where the tag's content starts in the output


_SUPPORTED_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_ENTITIES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler"> gets this far
}
_NAMED_ENTITIES: Final = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_AMP, _LT, _GT, _SLASH, _EQ = (ord(c) for c in "&<>/=")
_QUOTES: Final = frozenset(b"\"'")
_ATTRIBUTE_NAME_END: Final = frozenset(b"=>/\"'")
_NAME_TOKEN_PUNCTUATION: Final = frozenset(b".-")
# TDLib's is_space(); NUL counts because TDLib scans a NUL-terminated string.
_SPACES: Final = frozenset(b" \t\r\n\v\0")
_INT64_MAX: Final = 2**63 - 1


def _at(data: bytes, i: int) -> int:
    """``data[i]``, or 0 past the end (TDLib reads a NUL-terminated string)."""
    return data[i] if i < len(data) else 0


def _is_alpha(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


def _is_hex_digit(c: int) -> bool:
    return _is_digit(c) or 65 <= c <= 70 or 97 <= c <= 102


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int]:
    """TDLib's ``decode_html_entity``: ``(code point, position after it)`` or ``(0, pos)``.

    Telegram knows only &lt; &gt; &amp; &quot; and numeric references; the ``;`` is
    optional.
    """
    end = pos + 1
    code = 0
    if _at(data, pos + 1) == ord("#"):
        end += 1
        if _at(data, pos + 2) == ord("x"):
            end += 1
            while _is_hex_digit(_at(data, end)):
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while _is_digit(_at(data, end)):
                code = code * 10 + data[end] - 48
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while _is_alpha(_at(data, end)):
            end += 1
        code = _NAMED_ENTITIES.get(data[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if _at(data, end) == ord(";"):
        end += 1
    return code, end


def _encode_code_point(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


def parse_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[JSON]]:
    """Parse ``parse_mode=HTML`` text the way Telegram does.

    A port of TDLib's ``parse_html`` (td/telegram/MessageEntity.cpp), which is what the
    Bot API runs: returns the plain text and the Bot API entities (UTF-16 offsets), or
    raises ``HtmlParseError`` with Telegram's message. Byte offsets in messages are UTF-8
    byte offsets into ``text``, as in Telegram's. A bare ``>`` is fine; ``<`` always
    starts a tag. With ``strict_ampersand`` a ``&`` that does not start an entity is an
    error too (Telegram keeps it as text).
    """
    data = text.encode("utf-8")
    out = bytearray()
    utf16_offset = 0
    entities: list[_Entity] = []
    nested: list[_OpenTag] = []
    has_surrogates = False
    i = 0
    while i < len(data):
        c = data[i]
        if c == _AMP:
            code, end = _decode_html_entity(data, i)
            if code:
                utf16_offset += 2 if code > 0xFFFF else 1
                has_surrogates |= 0xD800 <= code <= 0xDFFF
                out += _encode_code_point(code)
                i = end
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Character "&" at byte offset {i} does not start a supported HTML entity '
                    '(&lt; &gt; &amp; &quot; &#NNN; &#xHH;) and must be escaped as "&amp;" '
                    "[fake-only check: Telegram would keep it as text]"
                )
        if c != _LT:
            if c & 0xC0 != 0x80:  # first byte of a UTF-8 sequence
                utf16_offset += 2 if c >= 0xF0 else 1  # 4-byte sequences are surrogate pairs
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if _at(data, i) != _SLASH:
            # a start tag
            while _at(data, i) not in _SPACES and _at(data, i) != _GT:
                i += 1
            if _at(data, i) == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _SUPPORTED_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while _at(data, i) != _GT:
                while _at(data, i) != 0 and _at(data, i) in _SPACES:
                    i += 1
                if _at(data, i) == _GT:
                    break
                name_begin = i
                while _at(data, i) not in _SPACES and _at(data, i) not in _ATTRIBUTE_NAME_END:
                    i += 1
                attribute = data[name_begin:i]
                if not attribute:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while _at(data, i) != 0 and _at(data, i) in _SPACES:
                    i += 1
                if _at(data, i) != _EQ:
                    if _at(data, i) == 0:
                        raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attribute == b"expandable":
                        argument = "1"
                    continue  # an attribute without a value
                i += 1
                while _at(data, i) != 0 and _at(data, i) in _SPACES:
                    i += 1
                if _at(data, i) == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if _at(data, i) not in _QUOTES:
                    # an unquoted name token: letters, digits, periods and hyphens
                    token_begin = i
                    while chr(_at(data, i)).isascii() and (
                        chr(_at(data, i)).isalnum() or _at(data, i) in _NAME_TOKEN_PUNCTUATION
                    ):
                        i += 1
                    value = data[token_begin:i].lower()
                    if _at(data, i) not in _SPACES and _at(data, i) != _GT:
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = data[i]
                    i += 1
                    buffer = bytearray()
                    while _at(data, i) != quote and _at(data, i) != 0:
                        if data[i] == _AMP:
                            code, end = _decode_html_entity(data, i)
                            if code:
                                buffer += _encode_code_point(code)
                                i = end
                                continue
                        buffer.append(data[i])
                        i += 1
                    if _at(data, i) == quote:
                        i += 1
                    value = bytes(buffer)
                if _at(data, i) == 0:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
                decoded = value.decode("utf-8", "replace")
                if tag == "a" and attribute == b"href":
                    argument = decoded
                elif tag == "code" and attribute == b"class" and decoded.startswith("language-"):
                    argument = decoded.removeprefix("language-")
                elif tag == "span" and attribute == b"class" and decoded.startswith("tg-"):
                    argument = decoded.removeprefix("tg-")
                elif (tag == "tg-emoji" and attribute == b"emoji-id") or (
                    tag == "blockquote" and attribute == b"expandable"
                ):
                    argument = decoded if tag == "tg-emoji" else "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            nested.append(_OpenTag(tag, argument, utf16_offset, len(out)))
            i += 1  # skip ">"
            continue

        # an end tag
        if not nested:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while _at(data, i) not in _SPACES and _at(data, i) != _GT:
            i += 1
        end_tag = data[begin + 2 : i].lower().decode("utf-8", "replace")
        while _at(data, i) != 0 and _at(data, i) in _SPACES:
            i += 1
        if _at(data, i) != _GT:
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        open_tag = nested[-1]
        if end_tag and end_tag != open_tag.name:  # "</>" closes whatever is open
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
                f'found "</{end_tag}>"'
            )
        if utf16_offset > open_tag.utf16_offset:  # empty entities are dropped
            _close_entity(open_tag, utf16_offset - open_tag.utf16_offset, out, entities)
        nested.pop()
        i += 1  # skip ">"

    if nested:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].name}"')
    try:
        plain = out.decode("utf-8")
    except UnicodeDecodeError:
        assert has_surrogates
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    entities.sort(key=lambda e: (e.offset, -e.length))
    return plain, [entity.to_api() for entity in entities]


def _last_over(entities: list[_Entity], kind: str, offset: int, length: int) -> _Entity | None:
    """The last entity closed, if it is a `kind` over exactly this span (the inner half of
    a <pre><code> pair, whichever closed first)."""
    last = entities[-1] if entities else None
    if last is not None and last.type == kind and (last.offset, last.length) == (offset, length):
        return last
    return None


def _close_entity(tag: _OpenTag, length: int, out: bytearray, entities: list[_Entity]) -> None:
    offset = tag.utf16_offset
    if tag.name in _SIMPLE_TAG_ENTITIES:
        entities.append(_Entity(_SIMPLE_TAG_ENTITIES[tag.name], offset, length))
    elif tag.name == "tg-emoji":
        if not re.fullmatch(r"-?[0-9]+", tag.argument) or not (
            0 < abs(int(tag.argument)) <= _INT64_MAX
        ):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(_Entity("custom_emoji", offset, length, custom_emoji_id=tag.argument))
    elif tag.name == "a":
        # <a> without href links to its own text; Telegram silently drops invalid links.
        url = tag.argument or out[tag.byte_offset :].decode("utf-8", "replace")
        if url:
            entities.append(_Entity("text_link", offset, length, url=url))
    elif tag.name == "pre":
        # <pre><code class="language-x">...</code></pre>: the code closed first.
        code = _last_over(entities, "code", offset, length)
        if code is not None and code.code_language:
            code.type, code.language = "pre", code.code_language
        else:
            entities.append(_Entity("pre", offset, length))
    elif tag.name == "code":
        pre = _last_over(entities, "pre", offset, length)
        if pre is not None and tag.argument:
            pre.language = tag.argument
        else:
            entities.append(_Entity("code", offset, length, code_language=tag.argument))
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        entities.append(_Entity(kind, offset, length))


# --------------------------------------------------------------------------- helpers


def _given(**fields: Any) -> JSON:
    """The optional fields of a Bot API object that have a value (None ones are left out)."""
    return {name: value for name, value in fields.items() if value is not None}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets."""
    return sum(2 if ord(char) > 0xFFFF else 1 for char in text)


# Leading and trailing whitespace is cut off a message text, as Telegram does.
_TRIMMED: Final = " \t\n\r\v\f"


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    cut_left = len(text) - len(text.lstrip(_TRIMMED))
    trimmed = text.strip(_TRIMMED)
    if len(trimmed) == len(text):
        return text, entities
    length = utf16_length(trimmed)  # the cut characters are all one UTF-16 unit long
    result = []
    for entity in entities:
        start = max(entity["offset"] - cut_left, 0)
        end = min(entity["offset"] + entity["length"] - cut_left, length)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return trimmed, result


# TDLib's regexp for bot commands:
#   /(?<!\b|[\/<>])\/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\B|[\/<>])/
_BOT_COMMAND: Final = re.compile(
    r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>@])"
)


def _bot_command_entities(text: str) -> list[JSON]:
    return [
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


_URL_SCHEME: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.DOTALL)
_HOST: Final = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]{2,}\.?$|^\d{1,3}(?:\.\d{1,3}){3}$")


def _url_problem(url: str, *, https_only: bool = False) -> str | None:
    """Why Telegram would reject a button URL, or None."""
    match = _URL_SCHEME.match(url)
    scheme, rest = (match.group(1).lower(), match.group(2)) if match else ("http", url)
    if https_only and scheme != "https":
        return "Only HTTPS links are allowed"
    if scheme in {"tg", "ton"}:
        return None if rest else "Wrong HTTP URL"
    if scheme not in {"http", "https"}:
        return "Unsupported URL protocol"
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = re.sub(r":\d+$", "", host)
    if not host:
        return "URL host is empty"
    return None if _HOST.match(host) else "Wrong HTTP URL"


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _update_type(update: Mapping[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _update_chat(update: Mapping[str, Any]) -> int:
    """The chat whose updates a webhook gets one at a time: the update's chat (a callback
    query's message's chat), else its sender; 0 when it has neither."""
    payload = update.get(_update_type(update))
    if not isinstance(payload, dict):
        return 0
    for holder in (payload, payload.get("message")):
        chat = holder.get("chat") if isinstance(holder, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    sender = payload.get("from")
    return int(sender["id"]) if isinstance(sender, dict) else 0


def _webhook_url_problem(url: str) -> str | None:
    """Why Telegram would refuse `url` for setWebhook, or None. Unlike Telegram, plain
    http to 127.0.0.1 on any port passes: the fake is a test double, and tests serve the
    webhook on a local port with no certificate."""
    try:
        parsed = URL(url)
    except ValueError:
        return "invalid webhook URL specified"  # Telegram's wording not known
    if parsed.scheme == "http" and parsed.host == "127.0.0.1":
        return None
    if parsed.scheme != "https" or not parsed.host:
        return "An HTTPS URL must be provided for webhook"
    if parsed.port not in WEBHOOK_PORTS:
        return "Webhook can be set up only on ports 80, 88, 443 or 8443"
    return None


def _decode_field(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value  # the handler answers with Telegram's "can't parse" error
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if key in _BOOL_FIELDS and value.lower() in {"true", "false", "1", "0"}:
        return value.lower() in {"true", "1"}
    return value


def _int_param(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise _bad(f'field "{key}" must be of type Integer') from None


def _str_param(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------- the server


@dataclass
class _Request:
    method: str
    params: dict[str, Any]


Handler: TypeAlias = Callable[[_Request], Any]


async def close_session(session: BaseSession) -> None:
    """Close an aiogram session that talks to the fake, at once.

    ``AiohttpSession.close`` sleeps 0.25 s after closing, so that SSL connections can shut
    down (aiohttp's graceful-shutdown advice). The fake speaks plain HTTP on 127.0.0.1:
    there is no SSL connection to wait for, and the sleep only added a quarter of a second
    to every test. Any other kind of session is closed as it closes itself.
    """
    if not isinstance(session, AiohttpSession):
        await session.close()
        return
    client = session._session
    if client is not None and not client.closed:
        await client.close()


class LoopbackSession(AiohttpSession):
    """aiogram's aiohttp session for the fake, closed without the SSL grace period (see
    `close_session`)."""

    async def close(self) -> None:
        await close_session(self)


class FakeBotAPI:
    """A Telegram Bot API server for one bot; see the module docstring."""

    def __init__(
        self,
        bot_id: int = 123456,
        username: str = "gospublic_test_bot",
        *,
        first_name: str = "Госпаблик (тест)",
    ) -> None:
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name

        # Knobs tests may set at any time.
        self.latency: float = 0.0
        self.global_rate_limit: int | None = None  # messages per second, all chats
        self.per_chat_rate_limit: int | None = None  # messages per second, one chat
        # A token bucket per private chat: (burst, messages per second); None: no limit.
        self.per_chat_bucket: tuple[int, float] | None = None
        self.group_rate_limit: int | None = None  # messages per minute, one group
        self.strict_ampersand: bool = True
        #: Seconds before a webhook post that got no 2xx is tried again.
        self.webhook_retry_seconds: float = 0.05
        #: Seconds a webhook post may take before it counts as failed (Telegram: about 60).
        self.webhook_timeout: float = 60.0

        # What happened, for assertions.
        self.requests: list[Call] = []
        self.callback_answers: dict[str, CallbackAnswer] = {}
        self.internal_errors: list[str] = []
        #: Chats of the 429s the fake's own flood limits answered (not injected faults).
        self.flood_refusals: list[int] = []
        #: Every post of an update to the webhook, in the order the answers came.
        self.webhook_deliveries: list[WebhookDelivery] = []

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        self._pulse = _Pulse()

        self._users: dict[int, FakeUser] = {}
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()

        self._last_message_id: dict[int, int] = {}
        self._chat_messages: dict[int, list[SentMessage]] = {}
        self._bot_messages: dict[tuple[int, int], SentMessage] = {}
        self._sent_log: list[SentMessage] = []
        self._incoming: dict[tuple[int, int], JSON] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_numbers = itertools.count(1)

        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_001)
        self._callback_ids = itertools.count(5_000_000_001)
        self._media_groups = itertools.count(13_000_000_000_000_001)
        self._pending_callbacks: dict[str, float] = {}  # query id → when pressed
        self._allowed_updates: frozenset[str] | None = None
        self._active_poll: object | None = None
        self._parked_polls = 0
        self._webhook: _Webhook | None = None
        self._webhook_retry_at: dict[int, float] = {}  # update id → loop time
        self._webhook_posts: dict[int, asyncio.Task[None]] = {}  # chat → its post
        self._webhook_task: asyncio.Task[None] | None = None
        self._client: ClientSession | None = None
        self._holds: list[Hold] = []

        self._commands: dict[tuple[str, str], list[JSON]] = {}

        self._faults: list[_Fault] = []
        self._drops: list[_Drop] = []
        self._random_faults: _RandomFaults | None = None
        self._sent_times: deque[float] = deque()
        self._chat_sent_times: dict[int, deque[float]] = {}
        self._chat_buckets: dict[int, tuple[float, float]] = {}  # chat → (tokens, at)
        self._groups: dict[int, FakeGroup] = {}
        self._channels: dict[str, FakeChannel] = {}  # by lower-cased username

        self._handlers: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendVideo": self._send_video,
                "copyMessage": self._copy_message,
                "copyMessages": self._copy_messages,
                "forwardMessage": self._forward_message,
                "sendChatAction": self._send_chat_action,
                "getChat": self._get_chat,
                "getChatMemberCount": self._get_chat_member_count,
                "getFile": self._get_file,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def token(self) -> str:
        return f"{self.bot_id}:TEST-TOKEN"

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return f"http://127.0.0.1:{self._port}"

    def make_bot(self, token: str | None = None, **kwargs: Any) -> Bot:
        """A real aiogram Bot talking to this fake; close it (``async with``) when done."""
        session = LoopbackSession(api=TelegramAPIServer.from_base(self.base_url))
        return Bot(token or self.token, session=session, **kwargs)

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already started")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.*}", self._download)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        self._closing = False
        self._client = ClientSession()
        self._webhook_task = asyncio.create_task(self._deliver_to_webhook())

    async def stop(self) -> None:
        """Stop serving; parked getUpdates calls return an empty list first, held
        requests are released, webhook posts in flight are abandoned.

        Raises RuntimeError if a handler of the fake itself crashed during the test.
        """
        if self._runner is None:
            return
        self._closing = True
        self._pulse.fire()
        for hold in self._holds:
            hold.release()
        tasks = [self._webhook_task, *self._webhook_posts.values()]
        for task in tasks:
            if task is not None:
                task.cancel()
        await asyncio.gather(*(task for task in tasks if task is not None), return_exceptions=True)
        self._webhook_task = None
        if self._client is not None:
            await self._client.close()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        if self.internal_errors:
            raise RuntimeError("FakeBotAPI crashed:\n" + "\n".join(self.internal_errors))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ users and chats

    def add_user(self, user: FakeUser, *, started: bool = True) -> FakeUser:
        """Make the user's private chat known. ``started=False``: the user never pressed
        Start, so the bot may not write first (403 "bot can't initiate conversation")."""
        self._users[user.id] = user
        if started:
            self._started.add(user.id)
        return user

    def enforce_telegram_limits(self) -> None:
        """Answer 429 the way Telegram does once a bot sends faster than its limits: about
        30 messages a second in all, about one a second per private chat after a burst
        of about three, 20 a minute per group."""
        self.global_rate_limit = TELEGRAM_GLOBAL_PER_SECOND
        self.per_chat_bucket = (TELEGRAM_CHAT_BURST, TELEGRAM_CHAT_PER_SECOND)
        self.group_rate_limit = TELEGRAM_GROUP_PER_MINUTE

    def expire_callback_queries(self) -> None:
        """Age every pending callback query past its lifetime, as if the bot had been
        down: answering one now fails with "query is too old"."""
        for query_id in self._pending_callbacks:
            self._pending_callbacks[query_id] -= CALLBACK_QUERY_LIFETIME + 1

    def add_group(self, group: FakeGroup) -> FakeGroup:
        """Make a group the bot is a member of known; the bot may write to it."""
        if group.id >= 0:
            raise ValueError("group ids are negative")
        self._groups[group.id] = group
        return group

    def add_channel(self, channel: FakeChannel) -> FakeChannel:
        """Make a public channel known by its @username (getChatMemberCount)."""
        self._channels[channel.username.lower()] = channel
        return channel

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends answer 403 "bot was blocked by the user"."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def deactivate(self, user_id: int) -> None:
        """The user deleted their account: sends answer 403 "user is deactivated"."""
        self._deactivated.add(user_id)

    def is_blocked(self, user_id: int) -> bool:
        return user_id in self._blocked

    # ------------------------------------------------------------------ fault injection

    def inject(
        self,
        method: str,
        *,
        error_code: int = 500,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) fail without effect.

        429 always carries ``retry_after`` (1 s unless given), as Telegram's do.
        """
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if error_code == 429
                else _DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
            )
        self._faults.append(
            _Fault(method.lower(), error_code, description, retry_after, max(times, 0))
        )

    def inject_probability(
        self,
        error_code: int = 429,
        retry_after: int | None = 1,
        p: float = 0.02,
        seed: int | None = None,
        *,
        methods: Iterable[str] = SEND_METHODS,
        description: str | None = None,
    ) -> None:
        """Fail each call of ``methods`` with probability ``p``; seeded, so repeatable.
        ``p=0`` switches it off."""
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be within [0, 1], got {p}")
        if error_code == 429 and retry_after is None:
            retry_after = 1
        self._random_faults = (
            _RandomFaults(
                error_code=error_code,
                description=description,
                retry_after=retry_after,
                probability=p,
                methods=frozenset(m.lower() for m in methods),
                rng=random.Random(seed),
            )
            if p > 0
            else None
        )

    def drop_next(self, method: str, times: int = 1, *, after_processing: bool = False) -> None:
        """Close the connection instead of answering the next ``times`` calls of ``method``.

        By default the request is dropped unprocessed; ``after_processing=True`` performs
        it (a message does get sent) and loses only the answer, the case that makes
        naive retries send duplicates. The bot sees ``TelegramNetworkError``.
        """
        self._drops.append(_Drop(method.lower(), max(times, 0), after_processing))

    def hold(self, method: str) -> Hold:
        """From now on, requests of `method` wait at the fake's door (before anything
        else happens to them) until the returned hold is released: a handler can be
        caught in the middle. `wait_held` waits for the first one to arrive."""
        hold = Hold(method.lower())
        self._holds.append(hold)
        return hold

    async def wait_held(self, hold: Hold, timeout: float = 5.0, *, count: int = 1) -> None:  # noqa: ASYNC109 - API
        """Wait until `count` requests have arrived at `hold`."""
        await self._wait_until(
            lambda: True if hold.arrived >= count else None,
            timeout,
            lambda: f"{hold.arrived} of {count} {hold.method} requests arrived within {timeout} s",
        )

    def clear_faults(self) -> None:
        self._faults.clear()
        self._drops.clear()
        self._random_faults = None

    # ------------------------------------------------------------------ update builders

    def _register(self, user: FakeUser) -> None:
        # A user who writes to the bot or presses its buttons has started it.
        self._users[user.id] = user
        self._started.add(user.id)

    def _next_update(self, kind: str, payload: JSON) -> JSON:
        return {"update_id": next(self._update_ids), kind: payload}

    def _next_message_id(self, chat_id: int) -> int:
        # Message ids are per chat and shared by both sides of a private chat.
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _incoming_message(self, user: FakeUser, content: JSON) -> JSON:
        self._register(user)
        message_id = self._next_message_id(user.id)
        message: JSON = {
            "message_id": message_id,
            "from": user.to_api(),
            "chat": user.chat(),
            "date": int(time.time()),
            **content,
        }
        self._incoming[(user.id, message_id)] = message
        return copy.deepcopy(message)

    def _media_message(
        self, user: FakeUser, stored: _StoredFile, caption: str | None, **extra: Any
    ) -> JSON:
        """A message of `user` carrying the file `stored` (as its kind), with `caption` if
        one is given and the `extra` fields (e.g. `media_group_id`)."""
        content: JSON = {**extra, stored.kind: copy.deepcopy(stored.payload)}
        if caption is not None:
            content["caption"] = caption
        return self._incoming_message(user, content)

    def message_update(
        self,
        user: FakeUser,
        text: str,
        *,
        entities: list[JSON] | None = None,
        reply_to: SentMessage | None = None,
    ) -> JSON:
        """A text message from ``user``. Like Telegram, marks ``/command``s
        (``/start payload``, ``/help@bot``) with bot_command entities unless ``entities``
        are given."""
        content: JSON = {"text": text}
        found = _bot_command_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        if reply_to is not None:
            content["reply_to_message"] = self._message_json(reply_to, with_reply=False)
        return self._next_update("message", self._incoming_message(user, content))

    def group_message_update(
        self, group: FakeGroup, user: FakeUser, text: str = "", **content: Any
    ) -> JSON:
        """A message from ``user`` in ``group``: text (``/command``s get bot_command
        entities), or any other content such as ``new_chat_members=[...]``."""
        self._users.setdefault(user.id, user)
        self._groups.setdefault(group.id, group)
        if text:
            content["text"] = text
            if found := _bot_command_entities(text):
                content["entities"] = found
        message: JSON = {
            "message_id": self._next_message_id(group.id),
            "from": user.to_api(),
            "chat": group.chat(),
            "date": int(time.time()),
            **content,
        }
        self._incoming[(group.id, message["message_id"])] = message
        return self._next_update("message", copy.deepcopy(message))

    def channel_post_update(self, channel_id: int, title: str, text: str) -> JSON:
        """A post in a channel the bot administers."""
        post: JSON = {
            "message_id": self._next_message_id(channel_id),
            "sender_chat": {"id": channel_id, "type": "channel", "title": title},
            "chat": {"id": channel_id, "type": "channel", "title": title},
            "date": int(time.time()),
            "text": text,
        }
        return self._next_update("channel_post", post)

    def edited_message_update(self, user: FakeUser, message_id: int, text: str) -> JSON:
        """The user edited their message ``message_id`` to ``text``."""
        original = self._incoming.get((user.id, message_id))
        if original is None:
            raise AssertionError(f"user {user.id} sent no message {message_id}")
        original = {**original, "text": text, "edit_date": int(time.time())}
        original.pop("entities", None)
        if found := _bot_command_entities(text):
            original["entities"] = found
        self._incoming[(user.id, message_id)] = original
        return self._next_update("edited_message", copy.deepcopy(original))

    def photo_update(
        self, user: FakeUser, caption: str | None = None, *, file_id: str | None = None
    ) -> JSON:
        photo = self._new_file("photo", file_id=file_id)
        return self._next_update("message", self._media_message(user, photo, caption))

    def document_update(
        self,
        user: FakeUser,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        file_size: int = 1024,
        caption: str | None = None,
        file_id: str | None = None,
        data: bytes | None = None,
    ) -> JSON:
        """A document from ``user``; with ``data``, its content (and size) is what
        getFile and the file download serve, as Telegram would."""
        document = self._new_file(
            "document",
            file_id=file_id,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            file_size=file_size if data is None else len(data),
        )
        return self._next_update("message", self._media_message(user, document, caption))

    def album_updates(
        self,
        user: FakeUser,
        kinds: Iterable[str] = ("photo", "photo"),
        *,
        caption: str | None = None,
    ) -> list[JSON]:
        """An album from ``user``: one message update per item, in order, all sharing one
        new ``media_group_id``, as Telegram delivers albums. ``kinds`` are the items'
        kinds (of ``MEDIA_KINDS``; the fake does not refuse mixes Telegram's clients never
        send, so that tests can); ``caption`` goes on the first item, as clients put it."""
        items = tuple(kinds)
        if not items or not set(items) <= set(MEDIA_KINDS):
            raise ValueError(f"an album is one item or more of {MEDIA_KINDS}, not {items}")
        group = str(next(self._media_groups))
        updates = []
        for number, kind in enumerate(items):
            item = self._media_message(
                user, self._new_file(kind), caption if number == 0 else None, media_group_id=group
            )
            updates.append(self._next_update("message", item))
        return updates

    def callback_update(self, user: FakeUser, message: SentMessage, data: str) -> JSON:
        """The user pressed a callback button carrying ``data`` under ``message``."""
        if message.chat_id != user.id:
            raise AssertionError(
                f"message {message.message_id} is in chat {message.chat_id}, "
                f"user {user.id} cannot press its buttons"
            )
        if message.deleted:
            raise AssertionError(f"message {message.message_id} was deleted")
        self._register(user)
        query_id = str(next(self._callback_ids))
        self._pending_callbacks[query_id] = time.monotonic()
        query: JSON = {
            "id": query_id,
            "from": user.to_api(),
            "message": self._message_json(message),
            "chat_instance": str(-(abs(user.id) * 7919 + self.bot_id)),
            "data": data,
        }
        return self._next_update("callback_query", query)

    def my_chat_member_update(self, user: FakeUser, status_old: str, status_new: str) -> JSON:
        """The bot's membership in the user's chat changed: "member" -> "kicked" is what
        Telegram sends when the user blocks the bot, "kicked" -> "member" on unblock.
        The fake's block state follows ``status_new``."""
        self._users[user.id] = user

        def member(status: str) -> JSON:
            if status not in {"member", "kicked", "left"}:
                raise ValueError(f"unsupported status for a private chat: {status!r}")
            data: JSON = {"status": status, "user": self.bot_user()}
            if status == "kicked":
                data["until_date"] = 0  # forever
            return data

        payload: JSON = {
            "chat": user.chat(),
            "from": user.to_api(),
            "date": int(time.time()),
            "old_chat_member": member(status_old),
            "new_chat_member": member(status_new),
        }
        if status_new == "kicked":
            self.block(user.id)
        elif status_new == "member":
            self.unblock(user.id)
            self._started.add(user.id)
        return self._next_update("my_chat_member", payload)

    def push(self, update: JSON) -> JSON:
        """Queue an update for getUpdates or the webhook; returns it."""
        self._updates.append(update)
        self._pulse.fire()
        return update

    def say(self, user: FakeUser, text: str) -> JSON:
        """Shortcut: push ``message_update(user, text)``."""
        return self.push(self.message_update(user, text))

    def click(self, user: FakeUser, message: SentMessage, button_text: str) -> JSON:
        """Press the inline button with this visible text: push and return the update."""
        button = message.find_button(button_text)
        if button is None:
            raise AssertionError(
                f"no inline button {button_text!r} under message {message.message_id} "
                f"in chat {message.chat_id}; available buttons: {message.button_texts()}"
            )
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(f"button {button_text!r} is not a callback button: {button}")
        return self.push(self.callback_update(user, message, data))

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not confirmed yet (by getUpdates' ``offset``, or by the webhook's 2xx)."""
        return copy.deepcopy(self._updates)

    # ------------------------------------------------------------------ inspection

    def bot_user(self) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in the chat, current state, oldest first."""
        return [
            message
            for message in self._chat_messages.get(chat_id, [])
            if include_deleted or not message.deleted
        ]

    def last_message(self, chat_id: int) -> SentMessage:
        messages = self.messages(chat_id)
        if not messages:
            raise AssertionError(f"the bot has no messages in chat {chat_id}")
        return messages[-1]

    @property
    def sent(self) -> list[SentMessage]:
        """Every message the bot sent, all chats, in sending order."""
        return list(self._sent_log)

    def calls(self, method: str | None = None) -> list[Call]:
        wanted = method.lower() if method else None
        return [c for c in self.requests if wanted is None or c.method.lower() == wanted]

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    def answer_for(self, update: Mapping[str, Any]) -> CallbackAnswer | None:
        """The bot's answerCallbackQuery to a callback update, if any."""
        return self.callback_answers.get(update["callback_query"]["id"])

    # ------------------------------------------------------------------ waiting

    async def _wait_until(
        self,
        found: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109 - a deadline, not a wait
        failure: Callable[[], str],
    ) -> _T:
        """The first value of ``found()`` that is not None, looked for now and whenever
        the fake's state changes; ``TimeoutError(failure())`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (result := found()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(failure())
            await self._pulse.wait(remaining)
        return result

    async def wait_for(
        self,
        method: str | None,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the helper's API
        *,
        since: int | None = None,
    ) -> Call:
        """The first call of ``method`` (None: any) answered after now, or after
        ``self.requests[since]``, that satisfies ``predicate``; failed calls count too."""
        index = len(self.requests) if since is None else since
        wanted = method.lower() if method else None

        def next_match() -> Call | None:
            nonlocal index
            while index < len(self.requests):
                call = self.requests[index]
                index += 1
                if (wanted is None or call.method.lower() == wanted) and (
                    predicate is None or predicate(call)
                ):
                    return call
            return None

        def failure() -> str:
            recent = "\n".join(f"  {call}" for call in self.requests[-15:]) or "  (none)"
            return (
                f"no {method or 'request'} call"
                f"{' matching the predicate' if predicate else ''} within {timeout} s; "
                f"last calls:\n{recent}"
            )

        return await self._wait_until(next_match, timeout, failure)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the helper's API
        *,
        since: int | None = None,
    ) -> SentMessage:
        """The first message sent to ``chat_id`` after now (or after ``sent[since]``)
        that satisfies ``predicate``."""
        index = len(self._sent_log) if since is None else since

        def next_match() -> SentMessage | None:
            nonlocal index
            while index < len(self._sent_log):
                message = self._sent_log[index]
                index += 1
                if message.chat_id == chat_id and (predicate is None or predicate(message)):
                    return message
            return None

        def failure() -> str:
            recent = (
                "\n".join(
                    f"  #{m.message_id} {m.method}: {m.content!r}"
                    for m in self.messages(chat_id, include_deleted=True)[-10:]
                )
                or "  (none)"
            )
            return (
                f"no new message in chat {chat_id}"
                f"{' matching the predicate' if predicate else ''} within {timeout} s; "
                f"messages in the chat:\n{recent}"
            )

        return await self._wait_until(next_match, timeout, failure)

    async def wait_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - API
        """Wait until a getUpdates call is parked waiting for updates."""
        await self._wait_until(
            lambda: True if self._parked_polls else None,
            timeout,
            lambda: f"nobody is long polling getUpdates after {timeout} s",
        )

    async def wait_for_delivery(self, update_id: int, timeout: float = 5.0) -> WebhookDelivery:  # noqa: ASYNC109 - API
        """The first answer (or failure) of a webhook post of the update."""
        return await self._wait_until(
            lambda: next((d for d in self.webhook_deliveries if d.update_id == update_id), None),
            timeout,
            lambda: f"update {update_id} not posted to a webhook within {timeout} s",
        )

    async def wait_confirmed(self, update_id: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - API
        """Wait until getUpdates' ``offset`` (or the webhook's 2xx answer) has confirmed
        the update: from then on Telegram would never deliver it again, whatever the bot
        does with it."""
        await self._wait_until(
            lambda: None if any(u["update_id"] == update_id for u in self._updates) else True,
            timeout,
            lambda: f"update {update_id} not confirmed after {timeout} s",
        )

    # ------------------------------------------------------------------ HTTP plumbing

    async def _not_found(self, _request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        # Telegram takes parameters from the query string, urlencoded or multipart forms
        # and JSON bodies alike.
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise _bad("can't parse JSON encoded request parameters") from None
            if isinstance(body, dict):
                params.update(body)
        elif request.body_exists:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, FileField):
                    params[key] = UploadedFile(
                        key, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[key] = value if isinstance(value, str) else bytes(value).decode()
        return {key: _decode_field(key, value) for key, value in params.items()}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        token = request.match_info["token"]
        requested = request.match_info["method"]
        method, handler = self._handlers.get(requested.lower(), (requested, None))
        params: dict[str, Any] = {}
        call = Call(method, params, ok=False, error_code=None, description=None, at=arrived)
        drop: _Drop | None = None
        try:
            try:
                params.update(await self._read_params(request))
            except web.HTTPRequestEntityTooLarge:
                raise ApiError(413, "Request Entity Too Large") from None
            self._check_token(token)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            await self._pass_holds(method)
            if self.latency > 0 and method in LATENCY_METHODS:
                # Sleeping inside the handler keeps concurrent requests concurrent.
                await asyncio.sleep(self.latency)
            drop = self._take_drop(method)
            if drop is not None and not drop.after_processing:
                return self._drop_connection(request, call)
            self._take_fault(method)
            result = handler(_Request(method, params))
            if inspect.isawaitable(result):
                result = await result
            call.ok, call.result = True, result
            body: JSON = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            call.error_code, call.description = error.error_code, error.description
            body, status = error.body(), error.error_code
        except Exception:
            details = traceback.format_exc()
            self.internal_errors.append(f"{method}: {details}")
            crash = ApiError(500, f"Internal Server Error: the fake crashed: {details[-300:]}")
            call.error_code, call.description = crash.error_code, crash.description
            body, status = crash.body(), 500
        if drop is not None:
            return self._drop_connection(request, call)
        self._log(call)
        return web.json_response(body, status=status)

    def _drop_connection(self, request: web.Request, call: Call) -> web.Response:
        call.dropped = True
        self._log(call)
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=500)  # never reaches the client

    async def _pass_holds(self, method: str) -> None:
        for hold in self._holds:
            if hold.method == method.lower() and not hold._open.is_set():
                hold.arrived += 1
                self._pulse.fire()
                await hold._open.wait()

    def _log(self, call: Call) -> None:
        call.finished_at = time.monotonic()
        self.requests.append(call)
        self._pulse.fire()

    def _check_token(self, token: str) -> None:
        bot_id, colon, secret = token.partition(":")
        if not colon or not bot_id.isdigit() or not secret:
            raise ApiError(404, "Not Found")
        if int(bot_id) != self.bot_id:
            raise ApiError(401, "Unauthorized")

    def _take_drop(self, method: str) -> _Drop | None:
        for drop in self._drops:
            if drop.remaining > 0 and drop.method in {method.lower(), "*"}:
                drop.remaining -= 1
                return drop
        return None

    def _take_fault(self, method: str) -> None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in {method.lower(), "*"}:
                fault.remaining -= 1
                raise ApiError(fault.error_code, fault.description, retry_after=fault.retry_after)
        chaos = self._random_faults
        if (
            chaos is not None
            and method.lower() in chaos.methods
            and chaos.rng.random() < chaos.probability
        ):
            if chaos.error_code == 429:
                retry_after = chaos.retry_after or 1
                raise ApiError(
                    429,
                    chaos.description or f"Too Many Requests: retry after {retry_after}",
                    retry_after=retry_after,
                )
            raise ApiError(
                chaos.error_code,
                chaos.description or _DEFAULT_DESCRIPTIONS.get(chaos.error_code, "Error"),
                retry_after=chaos.retry_after,
            )

    def _check_rate_limit(self, chat_id: int, count: int = 1) -> None:
        """Count a request of ``count`` messages to the chat against the limits; 429 if a
        limit is used up.

        The global and per-chat limits are sliding one-second windows, a group's a sliding
        minute, ``per_chat_bucket`` a token bucket; only accepted messages count. An album
        (``count`` > 1) takes ``count`` places of the global window (at most the whole
        window) and one of its chat's limits, as one post in the chat: a chat's burst of
        about three could never let a ten-item album through otherwise, and Telegram does.
        """
        now = time.monotonic()
        chat_times = self._chat_sent_times.setdefault(chat_id, deque())
        window = 60.0 if chat_id < 0 else 1.0
        while self._sent_times and now - self._sent_times[0] >= 1.0:
            self._sent_times.popleft()
        while chat_times and now - chat_times[0] >= window:
            chat_times.popleft()
        chat_limit = self.group_rate_limit if chat_id < 0 else self.per_chat_rate_limit
        for limit, times, span, needed in (
            (self.global_rate_limit, self._sent_times, 1.0, count),
            (chat_limit, chat_times, window, 1),
        ):
            if limit is None:
                continue
            over = len(times) + min(needed, limit) - limit  # places to free first
            if over > 0:
                freed_at = times[over - 1] + span
                self._refuse_flood(chat_id, max(1, math.ceil(freed_at - now)))
        tokens = 0.0
        if self.per_chat_bucket is not None and chat_id > 0:
            burst, per_second = self.per_chat_bucket
            tokens, at = self._chat_buckets.get(chat_id, (float(burst), now))
            tokens = min(float(burst), tokens + (now - at) * per_second)
            if tokens < 1.0:
                self._chat_buckets[chat_id] = (tokens, now)
                self._refuse_flood(chat_id, max(1, math.ceil((1.0 - tokens) / per_second)))
            self._chat_buckets[chat_id] = (tokens - 1.0, now)
        self._sent_times.extend([now] * count)
        chat_times.append(now)

    def _refuse_flood(self, chat_id: int, retry_after: int) -> None:
        self.flood_refusals.append(chat_id)
        raise _too_many(retry_after)

    # ------------------------------------------------------------------ validation

    def _require_chat_id(self, params: Mapping[str, Any], key: str = "chat_id") -> Any:
        value = params.get(key)
        if value is None or value == "":
            raise _bad(f"{key} is empty")
        return value

    def _chat(self, value: Any, *, writing: bool = True) -> FakeUser | FakeGroup:
        """The user whose private chat ``value`` names, or a group; ``writing`` adds the
        checks a message to the chat must pass."""
        if isinstance(value, bool):
            raise _bad("chat not found")
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise _bad("chat not found") from None  # @usernames only work for channels
        if chat_id in self._groups:
            return self._groups[chat_id]
        user = self._users.get(chat_id)
        if user is None:
            raise _bad("chat not found")
        if writing:
            if chat_id in self._deactivated:
                raise _forbidden("user is deactivated")
            if chat_id in self._blocked:
                raise _forbidden("bot was blocked by the user")
            if chat_id not in self._started:
                raise _forbidden("bot can't initiate conversation with a user")
        return user

    def _formatted(self, params: Mapping[str, Any], *, caption: bool = False) -> _Formatted | None:
        """Parse text (or caption) and entities as Telegram does; None for no caption."""
        key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
        raw = _str_param(params, key)
        if not raw:
            if caption:
                return None
            raise _bad("message text is empty")
        parse_mode = _str_param(params, "parse_mode") or None
        manual = params.get(entities_key)
        if manual is not None:  # explicit entities win over parse_mode
            text, entities = raw, self._checked_entities(raw, manual)
        elif parse_mode is None:
            text, entities = raw, []
        elif parse_mode.lower() == "html":
            try:
                text, entities = parse_html(raw, strict_ampersand=self.strict_ampersand)
            except HtmlParseError as error:
                raise _bad(f"can't parse entities: {error}") from None
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            text, entities = raw, []  # not emulated: stored as sent
        else:
            raise _bad("unsupported parse_mode")
        text, entities = _trim(text, entities)
        if not text:
            if caption:
                return None
            raise _bad("text must be non-empty")
        if caption and len(text) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        if not caption and len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        return _Formatted(raw, parse_mode, text, [self._resolve_mention(e) for e in entities])

    def _resolve_mention(self, entity: JSON) -> JSON:
        # <a href="tg://user?id=N"> mentions a user rather than linking somewhere.
        match = re.fullmatch(r"tg://user\?id=(\d+)", entity.get("url") or "")
        if entity["type"] == "text_link" and match and int(match.group(1)) in self._users:
            user = self._users[int(match.group(1))]
            return {
                "type": "text_mention",
                "offset": entity["offset"],
                "length": entity["length"],
                "user": user.to_api(),
            }
        return entity

    def _checked_entities(self, text: str, entities: Any) -> list[JSON]:
        if not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        text_length = utf16_length(text)
        result: list[JSON] = []
        for entity in entities:
            if not isinstance(entity, dict):
                raise _bad("can't parse MessageEntity: expected an Object")
            if entity.get("type") not in _ENTITY_TYPES:
                raise _bad("can't parse MessageEntity: Unsupported type specified")
            offset, length = entity.get("offset"), entity.get("length")
            if not isinstance(offset, int) or not isinstance(length, int):
                raise _bad('can\'t parse MessageEntity: Field "offset" must be a valid Number')
            if offset < 0:
                raise _bad(f"receive an entity with incorrect offset {offset}")
            if offset > text_length:
                raise _bad(f"entity begins after the end of the text at UTF-16 offset {offset}")
            if offset + length > text_length:
                raise _bad(
                    f"entity beginning at UTF-16 offset {offset} ends after the end of the text "
                    f"at UTF-16 offset {offset + length}"
                )
            required = {
                "text_link": "url",
                "text_mention": "user",
                "custom_emoji": "custom_emoji_id",
            }
            needed = required.get(entity["type"])
            if needed is not None and needed not in entity:
                raise _bad(f"can't parse MessageEntity: Can't find field \"{needed}\"")
            if length > 0:
                result.append(dict(entity))
        return result

    def _reply_markup(self, params: Mapping[str, Any], *, inline_only: bool = False) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._check_inline_keyboard(markup["inline_keyboard"])
        elif inline_only:
            raise _bad("can't parse inline keyboard markup JSON object")
        elif "keyboard" in markup:
            self._check_reply_keyboard(markup["keyboard"])
        elif not {"remove_keyboard", "force_reply"} & markup.keys():
            raise _bad("can't parse reply keyboard markup JSON object")
        return copy.deepcopy(markup)

    def _check_inline_keyboard(self, rows: Any) -> None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" must be of type Array')
        buttons = [button for row in rows for button in row]
        if len(buttons) > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")  # wording unverified
        for button in buttons:
            if not isinstance(button, dict):
                raise _bad("can't parse inline keyboard button: expected an Object")
            if "text" not in button:
                raise _bad("can't parse inline keyboard button: Can't find field \"text\"")
            if not isinstance(button["text"], str):
                raise _bad(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            # An empty callback_data or url counts as absent (checked against Telegram).
            actions = [
                key
                for key in _INLINE_BUTTON_ACTIONS
                if button.get(key) is not None
                and not (key in {"callback_data", "url"} and button[key] == "")
            ]
            if not actions:
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if not button["text"].strip():
                raise _bad("BUTTON_TEXT_INVALID")  # wording unverified
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str):
                    raise _bad(
                        "can't parse inline keyboard button: "
                        'Field "callback_data" must be of type String'
                    )
                if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in actions:
                url = str(button["url"])
                problem = _url_problem(url)
                if problem:
                    raise _bad(f"inline keyboard button URL '{url}' is invalid: {problem}")
            if "web_app" in actions:
                url = str((button["web_app"] or {}).get("url", ""))
                problem = _url_problem(url, https_only=True)
                if problem:
                    raise _bad(f"inline keyboard button Web App URL '{url}' is invalid: {problem}")
            if "copy_text" in actions:
                copied = (button["copy_text"] or {}).get("text")
                if not isinstance(copied, str) or not 1 <= len(copied) <= MAX_COPY_TEXT_LENGTH:
                    raise _bad("BUTTON_COPY_TEXT_INVALID")
            if {"pay", "callback_game"} & set(actions):
                raise _bad("BUTTON_TYPE_INVALID")  # only valid under invoices and games

    def _check_reply_keyboard(self, rows: Any) -> None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" must be of type Array')
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(text, str):
                    raise _bad("can't parse keyboard button: Can't find field \"text\"")
                if not text.strip():
                    raise _bad("BUTTON_TEXT_INVALID")  # wording unverified

    def _reply_target(self, chat_id: int, params: Mapping[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if reply is not None:
            if not isinstance(reply, dict):
                raise _bad("can't parse reply parameters JSON object")
            if "message_id" not in reply:
                raise _bad('can\'t find field "message_id"')
            if reply.get("chat_id") not in (None, chat_id):
                return None  # a reply to another chat: not emulated
            message_id, allow = reply["message_id"], bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = _int_param(params, "reply_to_message_id")
            allow = params.get("allow_sending_without_reply") is True
        if message_id is None:
            return None
        if self._any_message(chat_id, int(message_id)) is None:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return int(message_id)

    # ------------------------------------------------------------------ messages

    def _message_json(self, message: SentMessage, *, with_reply: bool = True) -> JSON:
        chat = self._groups.get(message.chat_id) or self._users[message.chat_id]
        data: JSON = {
            "message_id": message.message_id,
            "from": self.bot_user(),
            "chat": chat.chat(),
            "date": message.date,
        }
        data.update(
            _given(
                edit_date=message.edit_date,
                forward_origin=message.forward_origin,
                media_group_id=message.media_group_id,
            )
        )
        if with_reply and message.reply_to_message_id is not None:
            replied = self._any_message(message.chat_id, message.reply_to_message_id)
            if replied is not None:
                data["reply_to_message"] = replied
        if message.media:
            data.update(message.media)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        markup = message.inline_markup
        if markup is not None and markup["inline_keyboard"]:
            data["reply_markup"] = markup
        return copy.deepcopy(data)

    def _any_message(self, chat_id: int, message_id: int) -> JSON | None:
        """A live message of either side of the chat, as Bot API JSON (no nested reply)."""
        sent = self._bot_messages.get((chat_id, message_id))
        if sent is not None and not sent.deleted:
            return self._message_json(sent, with_reply=False)
        incoming = self._incoming.get((chat_id, message_id))
        if incoming is not None:
            return {k: copy.deepcopy(v) for k, v in incoming.items() if k != "reply_to_message"}
        return None

    def _store(self, message: SentMessage) -> SentMessage:
        self._chat_messages.setdefault(message.chat_id, []).append(message)
        self._bot_messages[(message.chat_id, message.message_id)] = message
        self._sent_log.append(message)
        return message

    def _new_message(self, chat_id: int, method: str, params: Mapping[str, Any]) -> SentMessage:
        return SentMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            method=method,
            date=int(time.time()),
            params=dict(params),
        )

    def _new_file(
        self, kind: str, *, file_id: str | None = None, data: bytes | None = None, **details: Any
    ) -> _StoredFile:
        number = next(self._file_numbers)
        file_id = file_id or f"fake-{kind}-{number:06d}"
        unique = f"uniq-{kind}-{number:06d}"
        payload: Any
        if kind == "photo":
            small = {"file_id": f"{file_id}-s", "file_unique_id": f"{unique}-s"}
            large = {"file_id": file_id, "file_unique_id": unique}
            payload = [
                {**small, "width": 90, "height": 67, "file_size": 1_200},
                {**large, "width": 1280, "height": 960, "file_size": details.get("file_size")},
            ]
            payload[1]["file_size"] = payload[1]["file_size"] or 120_000
        else:
            payload = {"file_id": file_id, "file_unique_id": unique}
            if kind in {"video", "animation"}:
                payload.update({"width": 1280, "height": 720, "duration": 10})
            elif kind == "audio":
                payload["duration"] = 180
            payload.update({k: v for k, v in details.items() if v is not None})
        stored = _StoredFile(kind, payload, data)
        self._files[file_id] = stored
        if kind == "photo":
            self._files[f"{file_id}-s"] = stored
        return stored

    def _input_file(self, params: Mapping[str, Any], kind: str) -> _StoredFile:
        value = params.get(kind)
        if value is None or value == "":
            raise _bad(f"there is no {kind} in the request")
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
            if not isinstance(value, UploadedFile):
                raise _bad("wrong file identifier/HTTP URL specified")
        if isinstance(value, UploadedFile):
            if value.size == 0:
                raise _bad("file must be non-empty")
            if value.size > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            details: dict[str, Any] = {"file_size": value.size}
            if kind != "photo":
                details["file_name"] = value.filename
                details["mime_type"] = value.content_type
            return self._new_file(kind, **details)
        if not isinstance(value, str):
            raise _bad(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://")):
            return self._new_file(kind)  # Telegram downloads it
        stored = self._files.get(value)
        if stored is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise _bad("type of file mismatch")  # wording unverified
        return stored

    def _send_message(self, request: _Request) -> JSON:
        params = request.params
        chat_ref = self._require_chat_id(params)
        text = self._formatted(params)
        assert text is not None
        markup = self._reply_markup(params)
        user = self._chat(chat_ref)
        reply_to = self._reply_target(user.id, params)
        self._check_rate_limit(user.id)
        message = self._new_message(user.id, request.method, params)
        message.text, message.raw_text, message.entities = text.text, text.raw, text.entities
        message.parse_mode, message.reply_markup = text.parse_mode, markup
        message.reply_to_message_id = reply_to
        return self._message_json(self._store(message))

    def _send_media(self, request: _Request, kind: str) -> JSON:
        params = request.params
        chat_ref = self._require_chat_id(params)
        stored = self._input_file(params, kind)
        caption = self._formatted(params, caption=True)
        markup = self._reply_markup(params)
        user = self._chat(chat_ref)
        reply_to = self._reply_target(user.id, params)
        self._check_rate_limit(user.id)
        message = self._new_message(user.id, request.method, params)
        message.media = {kind: copy.deepcopy(stored.payload)}
        if caption is not None:
            message.caption, message.raw_caption = caption.text, caption.raw
            message.caption_entities, message.parse_mode = caption.entities, caption.parse_mode
        message.reply_markup, message.reply_to_message_id = markup, reply_to
        return self._message_json(self._store(message))

    def _send_photo(self, request: _Request) -> JSON:
        return self._send_media(request, "photo")

    def _send_document(self, request: _Request) -> JSON:
        return self._send_media(request, "document")

    def _send_video(self, request: _Request) -> JSON:
        return self._send_media(request, "video")

    def _source_message(self, params: Mapping[str, Any], verb: str) -> JSON:
        from_chat = self._require_chat_id(params, "from_chat_id")
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        source_user = self._chat(from_chat, writing=False)
        source = self._any_message(source_user.id, message_id)
        if source is None:
            raise _bad(f"message to {verb} not found")
        return source

    def _copy_like(
        self, request: _Request, source: JSON, target: FakeUser | FakeGroup
    ) -> SentMessage:
        params = request.params
        message = self._new_message(target.id, request.method, params)
        message.media = {k: source[k] for k in MEDIA_KINDS if k in source}
        message.media = message.media or None
        if "text" in source:
            message.text = message.raw_text = source["text"]
            message.entities = source.get("entities", [])
        message.caption = message.raw_caption = source.get("caption")
        message.caption_entities = source.get("caption_entities", [])
        return message

    def _copy_message(self, request: _Request) -> JSON:
        params = request.params
        chat_ref = self._require_chat_id(params)
        source = self._source_message(params, "copy")
        new_caption = self._formatted(params, caption=True) if "caption" in params else None
        markup = self._reply_markup(params)
        user = self._chat(chat_ref)
        reply_to = self._reply_target(user.id, params)
        self._check_rate_limit(user.id)
        message = self._copy_like(request, source, user)
        if message.media and "caption" in params:  # a new caption replaces (or removes) it
            message.caption = new_caption.text if new_caption else None
            message.raw_caption = new_caption.raw if new_caption else None
            message.caption_entities = new_caption.entities if new_caption else []
            message.parse_mode = new_caption.parse_mode if new_caption else None
        message.reply_markup, message.reply_to_message_id = markup, reply_to
        self._store(message)
        return {"message_id": message.message_id}

    def _message_ids(self, params: Mapping[str, Any]) -> list[int]:
        """copyMessages' ``message_ids``: a JSON list of 1-100 ids, strictly increasing."""
        value = params.get("message_ids")
        if value is None or value == "":
            raise _bad("message identifiers are not specified")  # wording unverified
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            raise _bad("can't parse message identifiers JSON object")  # wording unverified
        if not value:
            raise _bad("message identifiers are not specified")  # wording unverified
        if len(value) > MAX_COPIED_MESSAGES:
            raise _bad("too many messages to copy")  # wording unverified
        if any(a >= b for a, b in itertools.pairwise(value)):
            # wording unverified
            raise _bad("message identifiers must be specified in a strictly increasing order")
        return list(value)

    def _copy_messages(self, request: _Request) -> list[JSON]:
        """Copies of several messages in one go. Messages that do not exist (or were
        deleted) are skipped, as Telegram skips what it cannot copy; items of one album
        stay one album (their copies share a new ``media_group_id``). Each copy counts
        against the global rate, the request once against its chat's limits."""
        params = request.params
        chat_ref = self._require_chat_id(params)
        from_chat = self._require_chat_id(params, "from_chat_id")
        message_ids = self._message_ids(params)
        source_chat = self._chat(from_chat, writing=False)
        sources = [
            source
            for message_id in message_ids
            if (source := self._any_message(source_chat.id, message_id)) is not None
        ]
        if not sources:
            raise _bad("there are no messages to copy")  # wording unverified
        user = self._chat(chat_ref)
        self._check_rate_limit(user.id, len(sources))
        groups: dict[str, str] = {}
        result = []
        for source in sources:
            message = self._copy_like(request, source, user)
            if (group := source.get("media_group_id")) is not None:
                message.media_group_id = groups.setdefault(group, str(next(self._media_groups)))
            self._store(message)
            result.append({"message_id": message.message_id})
        return result

    def _forward_message(self, request: _Request) -> JSON:
        params = request.params
        chat_ref = self._require_chat_id(params)
        source = self._source_message(params, "forward")
        user = self._chat(chat_ref)
        self._check_rate_limit(user.id)
        message = self._copy_like(request, source, user)
        message.forward_origin = source.get("forward_origin") or {
            "type": "user",
            "sender_user": source["from"],
            "date": source["date"],
        }
        return self._message_json(self._store(message))

    def _edit_target(self, params: Mapping[str, Any]) -> tuple[SentMessage, JSON | None]:
        """The message an edit request names, and the inline keyboard it gives (None: the
        edit removes the keyboard); the keyboard is checked first, as Telegram does."""
        markup = self._reply_markup(params, inline_only=True)
        return self._editable(params), markup

    def _editable(self, params: Mapping[str, Any]) -> SentMessage:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # inline messages are not emulated
        chat_ref = self._require_chat_id(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        user = self._chat(chat_ref)
        message = self._bot_messages.get((user.id, message_id))
        if message is None or message.deleted:
            if (user.id, message_id) in self._incoming:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return message

    def _apply_edit(self, message: SentMessage, **changes: Any) -> JSON:
        updated = replace(message, **changes)
        if all(getattr(message, name) == getattr(updated, name) for name in _VISIBLE):
            raise ApiError(400, NOT_MODIFIED)
        message.history.append(message.snapshot())
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = int(time.time())
        self._pulse.fire()
        return self._message_json(message)

    def _edit_message_text(self, request: _Request) -> JSON:
        params = request.params
        text = self._formatted(params)
        assert text is not None
        message, markup = self._edit_target(params)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        # Without reply_markup the edit removes the inline keyboard.
        return self._apply_edit(
            message,
            text=text.text,
            raw_text=text.raw,
            entities=text.entities,
            parse_mode=text.parse_mode,
            reply_markup=markup,
        )

    def _edit_message_caption(self, request: _Request) -> JSON:
        params = request.params
        caption = self._formatted(params, caption=True)
        message, markup = self._edit_target(params)
        if message.media is None:
            raise _bad("there is no caption in the message to edit")
        return self._apply_edit(
            message,
            caption=caption.text if caption else None,
            raw_caption=caption.raw if caption else None,
            caption_entities=caption.entities if caption else [],
            parse_mode=caption.parse_mode if caption else None,
            reply_markup=markup,
        )

    def _edit_message_reply_markup(self, request: _Request) -> JSON:
        message, markup = self._edit_target(request.params)
        return self._apply_edit(message, reply_markup=markup)

    def _delete_message(self, request: _Request) -> bool:
        params = request.params
        chat_ref = self._require_chat_id(params)
        message_id = _int_param(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        user = self._chat(chat_ref, writing=False)
        message = self._bot_messages.get((user.id, message_id))
        if message is not None and not message.deleted:
            message.deleted = True
            self._pulse.fire()
            return True
        if self._incoming.pop((user.id, message_id), None) is not None:
            return True  # bots may delete incoming messages in private chats
        raise _bad("message to delete not found")

    def _answer_callback_query(self, request: _Request) -> bool:
        params = request.params
        query_id = _str_param(params, "callback_query_id")
        # Each query can be answered once; a second answer is as invalid as a made-up id.
        pressed = self._pending_callbacks.get(query_id or "")
        if pressed is None or time.monotonic() - pressed > CALLBACK_QUERY_LIFETIME:
            raise ApiError(400, QUERY_INVALID)
        text = _str_param(params, "text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        assert query_id is not None
        del self._pending_callbacks[query_id]
        self.callback_answers[query_id] = CallbackAnswer(
            callback_query_id=query_id,
            text=text,
            show_alert=params.get("show_alert") is True,
            url=_str_param(params, "url"),
            cache_time=_int_param(params, "cache_time"),
        )
        return True

    def _send_chat_action(self, request: _Request) -> bool:
        params = request.params
        self._chat(self._require_chat_id(params))
        if _str_param(params, "action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _get_chat(self, request: _Request) -> JSON:
        user = self._chat(self._require_chat_id(request.params), writing=False)
        return {
            **user.chat(),
            "accent_color_id": abs(user.id) % 7,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def _get_chat_member_count(self, request: _Request) -> int:
        value = self._require_chat_id(request.params)
        if isinstance(value, str) and value.startswith("@"):
            # Users' and bots' usernames are not chats the Bot API reads.
            channel = self._channels.get(value[1:].lower())
            if channel is None:
                raise _bad("chat not found")
            return channel.member_count
        chat = self._chat(value, writing=False)
        return chat.member_count if isinstance(chat, FakeGroup) else 2

    def _get_file(self, request: _Request) -> JSON:
        file_id = _str_param(request.params, "file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad("invalid file_id")
        described = stored.payload[-1] if isinstance(stored.payload, list) else stored.payload
        size = described.get("file_size") or 0
        if size > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": described["file_id"],
            "file_unique_id": described["file_unique_id"],
            "file_size": size,
            "file_path": f"{stored.kind}s/{described['file_id']}",
        }

    async def _download(self, request: web.Request) -> web.Response:
        """GET /file/bot<token>/<file_path>: the content of a file a user sent (only
        files made with ``data`` have one; others answer 404, as a purged file does)."""
        try:
            self._check_token(request.match_info["token"])
        except ApiError as error:
            return web.json_response(error.body(), status=error.error_code)
        file_id = request.match_info["path"].rpartition("/")[2]
        stored = self._files.get(file_id)
        if stored is None or stored.data is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # ------------------------------------------------------------------ bot settings

    def _get_me(self, _request: _Request) -> JSON:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_webhook(self, request: _Request) -> bool:
        params = request.params
        url = _str_param(params, "url")
        if url is None:
            raise _bad('parameter "url" is required')  # Telegram's wording not known
        if not url:  # "Use an empty string to remove webhook integration"
            return self._delete_webhook(request)
        problem = _webhook_url_problem(url)
        if problem is not None:
            raise _bad(f"bad webhook: {problem}")
        secret = _str_param(params, "secret_token") or None
        if secret is not None:
            if len(secret) > MAX_SECRET_TOKEN_LENGTH:
                raise _bad("secret token is too long")
            if not _SECRET_TOKEN.fullmatch(secret):
                raise _bad("secret token contains unallowed characters")
        self._set_allowed_updates(params)
        # Telegram clamps max_connections into 1-100 (default 40) instead of refusing.
        connections = min(max(_int_param(params, "max_connections") or 40, 1), 100)
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self._webhook = _Webhook(url, secret, connections)
        self._webhook_retry_at.clear()
        self._pulse.fire()
        return True

    def _delete_webhook(self, request: _Request) -> bool:
        if request.params.get("drop_pending_updates") is True:
            self._updates.clear()
        self._webhook = None
        self._webhook_retry_at.clear()
        self._pulse.fire()
        return True

    def _get_webhook_info(self, _request: _Request) -> JSON:
        hook = self._webhook
        info: JSON = {
            "url": hook.url if hook is not None else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._wanted_updates()),
        }
        if hook is None:
            return info
        info["max_connections"] = hook.max_connections
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        return info

    @property
    def webhook_url(self) -> str | None:
        """The URL the fake posts updates to, or None while no webhook is set."""
        return self._webhook.url if self._webhook is not None else None

    # ------------------------------------------------------------------ webhook delivery

    async def _deliver_to_webhook(self) -> None:
        """While a webhook is set, post every chat's oldest pending update that is due,
        one per chat at a time, at most ``max_connections`` at once."""
        loop = asyncio.get_running_loop()
        while not self._closing:
            wait = 3600.0
            hook = self._webhook
            if hook is not None:
                now = loop.time()
                seen: set[int] = set()
                for update in self._wanted_updates():
                    chat = _update_chat(update)
                    if chat in seen:
                        continue  # a later update of the chat waits for the first one
                    seen.add(chat)
                    if chat in self._webhook_posts:
                        continue
                    due = self._webhook_retry_at.get(update["update_id"], now)
                    if due > now:
                        wait = min(wait, due - now)
                    elif len(self._webhook_posts) < hook.max_connections:
                        self._webhook_posts[chat] = asyncio.create_task(
                            self._post_update(hook, chat, copy.deepcopy(update))
                        )
            await self._pulse.wait(wait)

    async def _post_update(self, hook: _Webhook, chat: int, update: JSON) -> None:
        assert self._client is not None
        headers = (
            {}
            if hook.secret_token is None
            else {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token}
        )
        delivery: WebhookDelivery
        try:
            async with self._client.post(
                hook.url,
                json=update,
                headers=headers,
                timeout=ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                if response.content_type.startswith("multipart/"):
                    self.internal_errors.append(
                        f"update {update['update_id']}: the webhook answered with a method; "
                        "the fake does not run methods given in webhook answers"
                    )
                delivery = WebhookDelivery(update["update_id"], response.status)
                reason = f"Wrong response from the webhook: {response.status} {response.reason}"
        except (ClientError, TimeoutError) as exc:
            reason = f"Connection failed: {type(exc).__name__}"  # Telegram's wording varies
            delivery = WebhookDelivery(update["update_id"], None, reason)
        self.webhook_deliveries.append(delivery)
        if delivery.ok:
            self._updates = [u for u in self._updates if u["update_id"] != delivery.update_id]
            self._webhook_retry_at.pop(delivery.update_id, None)
        else:
            hook.last_error_date = int(time.time())
            hook.last_error_message = reason
            self._webhook_retry_at[delivery.update_id] = (
                asyncio.get_running_loop().time() + self.webhook_retry_seconds
            )
        if self._webhook_posts.get(chat) is asyncio.current_task():
            del self._webhook_posts[chat]
        self._pulse.fire()

    def _commands_key(self, scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def _command_target(self, params: Mapping[str, Any]) -> tuple[str, str]:
        scope = params.get("scope")
        if scope is not None:
            if not isinstance(scope, dict):
                raise _bad("can't parse BotCommandScope JSON object")
            kind = scope.get("type")
            if kind not in _COMMAND_SCOPES:
                raise _bad("can't parse BotCommandScope: Unsupported type specified")
            if kind in {"chat", "chat_administrators", "chat_member"}:
                if "chat_id" not in scope:
                    raise _bad("can't parse BotCommandScope: Can't find field \"chat_id\"")
                if kind == "chat_member" and "user_id" not in scope:
                    raise _bad("can't parse BotCommandScope: Can't find field \"user_id\"")
                self._chat(scope["chat_id"], writing=False)
                # Every chat of the fake is private, where these make no sense.
                if kind != "chat":
                    raise _bad("can't use specified scope in private chats")
        language_code = _str_param(params, "language_code") or ""
        if language_code and not re.fullmatch(r"[A-Za-z]{2}", language_code):
            raise _bad("invalid language code specified")
        return self._commands_key(scope, language_code)

    def _set_my_commands(self, request: _Request) -> bool:
        params = request.params
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSON] = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("can't parse BotCommand: expected an Object")
            # TDLib trims both fields and drops a leading "/" before checking them.
            command = str(item.get("command", "")).strip().removeprefix("/")
            description = str(item.get("description", "")).strip()
            if not command:
                raise _bad("command must be non-empty")
            if len(command) > MAX_COMMAND_LENGTH:
                raise _bad(f"command length must not exceed {MAX_COMMAND_LENGTH}")
            if not description:
                raise _bad("command description must be non-empty")
            if len(description) > MAX_COMMAND_DESCRIPTION_LENGTH:
                raise _bad(
                    f"command description length must not exceed {MAX_COMMAND_DESCRIPTION_LENGTH}"
                )
            if not re.fullmatch(r"[a-z0-9_]+", command):
                raise _bad("BOT_COMMAND_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._command_target(params)
        if cleaned:
            self._commands[key] = cleaned
        else:
            self._commands.pop(key, None)
        return True

    def _delete_my_commands(self, request: _Request) -> bool:
        self._commands.pop(self._command_target(request.params), None)
        return True

    def _get_my_commands(self, request: _Request) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._command_target(request.params), []))

    # ------------------------------------------------------------------ getUpdates

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:  # keep only the last -offset updates
            self._updates = self._updates[offset:]

    def _wanted_updates(self) -> list[JSON]:
        """The pending updates of the types the bot asked for, oldest first."""
        allowed = self._allowed_updates
        # Telegram drops updates of types the bot did not ask for, for good.
        self._updates = [
            update
            for update in self._updates
            if (
                _update_type(update) in allowed
                if allowed is not None
                else _update_type(update) not in _NOT_DELIVERED_BY_DEFAULT
            )
        ]
        return self._updates

    def _set_allowed_updates(self, params: Mapping[str, Any]) -> None:
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            if not isinstance(allowed, list):
                raise _bad("can't parse allowed_updates JSON object")
            # The setting sticks until changed; an empty list means the default.
            self._allowed_updates = frozenset(map(str, allowed)) or None

    async def _get_updates(self, request: _Request) -> list[JSON]:
        params = request.params
        offset = _int_param(params, "offset") or 0
        limit = min(max(_int_param(params, "limit") or 100, 1), 100)
        timeout = max(_int_param(params, "timeout") or 0, 0)
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        self._set_allowed_updates(params)
        self._confirm(offset)

        me = object()
        self._active_poll = me  # an older parked call now ends with 409 Conflict
        self._pulse.fire()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        parked = False
        try:
            while True:
                if self._active_poll is not me:
                    raise ApiError(409, POLLING_CONFLICT)
                if self._webhook is not None:
                    raise ApiError(409, WEBHOOK_CONFLICT)
                updates = copy.deepcopy(self._wanted_updates()[:limit])
                remaining = deadline - loop.time()
                if updates or remaining <= 0 or self._closing:
                    return updates
                if not parked:
                    parked = True
                    self._parked_polls += 1
                    self._pulse.fire()  # for wait_polling()
                await self._pulse.wait(remaining)
        finally:
            if parked:
                self._parked_polls -= 1
