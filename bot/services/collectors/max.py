"""MAX: a channel's participant count through the MAX Bot API, for channels the bot was
added to (README: "Verified figures" says how an administrator adds it).

`GET {MAX_API_URL}/chats/{chatLink}` reads a channel by its public link (max.ru/<name>),
`GET {MAX_API_URL}/chats/{chatId}` by the id learnt from it; the token goes in the
`Authorization` header. The answer is a `Chat` (max-bot-api schema: `chat_id`, `type`
"chat" / "channel" / "dialog", `status` of the bot there "active" / "removed" / "left" /
"closed", `participants_count`, `is_public`, `link`); errors are
`{"code": "...", "message": "..."}` with the HTTP status: 401 a refused token, 403 no
access (the bot is not in the channel), 404 unknown, 429 too many requests (the Bot API
allows about 30 a second).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from bot.domain.links import Platform
from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors import common

#: Targets one `collect` call takes; their requests run side by side, paced.
BATCH_SIZE = 50
#: Seconds to wait after a 429 that names no wait.
TOO_MANY_WAIT = 1.0

_CHAT_LINK = re.compile(r"@?[a-zA-Z][\w-]*")
_CHAT_ID = re.compile(r"-?\d+")
_GONE_STATUSES = frozenset({"closed"})
_NO_ACCESS_STATUSES = frozenset({"removed", "left"})


def max_chat(url: str) -> str | common.Outcome:
    """What `/chats/{…}` takes for a max.ru link: the public link name, or a chat id; the
    common.Outcome of a link that cannot be asked (an invite max.ru/join/…, not a chat)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return common.failed(Uncollectable.NOT_A_COMMUNITY)
    first = segments[0]
    if first.lower() == "join":
        return common.failed(Uncollectable.PRIVATE)  # an invite link: no public name
    if _CHAT_ID.fullmatch(first) or _CHAT_LINK.fullmatch(first):
        return first.lstrip("@")
    return common.failed(Uncollectable.NOT_A_COMMUNITY)


class MaxCollector:
    """Collector for max.ru channels through the MAX Bot API."""

    platform = Platform.MAX

    def __init__(
        self, *, token: str, api_url: str, pacer: common.Pacer, batch_size: int = BATCH_SIZE
    ) -> None:
        self.batch_size = batch_size
        self._token = token
        self._api_url = api_url.rstrip("/")
        self._pacer = pacer

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        """One result per target, the channel's chat id as `platform_id`. Raises
        CollectorUnavailable (the token refused, MAX unreachable or 429 past the retries)."""
        async with common.http_session() as session:
            outcomes = await asyncio.gather(*(self._count(session, target) for target in targets))
        return [
            outcome.for_page(target.page_id)
            for target, outcome in zip(targets, outcomes, strict=True)
        ]

    async def _count(self, session: aiohttp.ClientSession, target: Target) -> common.Outcome:
        chat = target.platform_id or max_chat(target.url)
        if isinstance(chat, common.Outcome):
            return chat
        return await common.with_retries(
            lambda: self._ask(session, chat), pacer=self._pacer, what="MAX GET /chats"
        )

    async def _ask(self, session: aiohttp.ClientSession, chat: str) -> common.Outcome:
        url = f"{self._api_url}/chats/{quote(chat)}"
        async with session.get(url, headers={"Authorization": self._token}) as response:
            status = response.status
            body = await common.read_json(response)
        if status == 200 and isinstance(body, dict):
            return _outcome(body)
        said = str(body.get("message", "")) if isinstance(body, dict) else ""
        message = f"MAX {status}: {said}"
        if status == 429:
            raise common.TryAgain(message, TOO_MANY_WAIT)
        if status == 401:
            raise CollectorUnavailable(f"MAX refused the bot's token ({message})")
        if status == 403:
            return common.failed(Uncollectable.NO_ACCESS, said)
        if status in (400, 404):
            return common.failed(Uncollectable.UNKNOWN, said)
        raise common.TryAgain(message)


def _outcome(chat: dict[str, Any]) -> common.Outcome:
    platform_id = str(chat["chat_id"]) if "chat_id" in chat else None
    status = chat.get("status")
    if chat.get("type") == "dialog":
        return common.failed(Uncollectable.NOT_A_COMMUNITY)  # a dialog, not a channel
    if status in _GONE_STATUSES:
        return common.Outcome(platform_id=platform_id, reason=Uncollectable.GONE)
    if status in _NO_ACCESS_STATUSES:
        return common.Outcome(platform_id=platform_id, reason=Uncollectable.NO_ACCESS)
    count = chat.get("participants_count")
    if not isinstance(count, int):
        return common.failed(Uncollectable.UNKNOWN)
    return common.Outcome(figure=count, platform_id=platform_id)
