"""Telegram: member counts through the bot's own Bot API connection, `getChatMemberCount`
with the public `@username` of a channel or group (the Bot API reads public chats by
username without the bot being a member; https://core.telegram.org/bots/api#getchatmembercount).

A link without a public username (an invite link t.me/+…, t.me/joinchat/…, a private
channel's t.me/c/…) is private and not asked; "chat not found" is a username Telegram does
not know (or a person's, which the Bot API does not read). The requests share the bot's
flood control (bot/middlewares/requests.py); a 429 that comes back anyway is waited out
here, at most `ATTEMPTS` times, then the batch is `CollectorUnavailable`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from bot.domain.links import Platform
from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors.common import Outcome, Pacer, TryAgain, failed, with_retries

#: Targets one `collect` call takes; their requests run side by side, paced.
BATCH_SIZE = 50

_USERNAME = re.compile(r"[a-z][a-z0-9_]{3,31}", re.IGNORECASE)
_PRIVATE_PREFIXES = ("+", "joinchat", "c")


def telegram_chat(url: str) -> str | Outcome:
    """The `@username` getChatMemberCount takes for a t.me link (t.me/name, t.me/name/123
    for a post), or the Outcome of a link that cannot be asked (private, not a chat)."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if not segments:
        return failed(Uncollectable.NOT_A_COMMUNITY)
    first = segments[0]
    if first.startswith("+") or first.lower() in _PRIVATE_PREFIXES:
        return failed(Uncollectable.PRIVATE)
    if not _USERNAME.fullmatch(first):
        return failed(Uncollectable.NOT_A_COMMUNITY)
    return "@" + first


class TelegramCollector:
    """Collector for t.me pages through the bot's Bot API connection."""

    platform = Platform.TELEGRAM

    def __init__(self, bot: Bot, *, pacer: Pacer, batch_size: int = BATCH_SIZE) -> None:
        self.batch_size = batch_size
        self._bot = bot
        self._pacer = pacer

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        """One result per target. Raises CollectorUnavailable (the bot's token refused,
        Telegram unreachable or 429 beyond the retries)."""
        outcomes = await asyncio.gather(*(self._count(target) for target in targets))
        return [
            outcome.for_page(target.page_id)
            for target, outcome in zip(targets, outcomes, strict=True)
        ]

    async def _count(self, target: Target) -> Outcome:
        chat = telegram_chat(target.url)
        if isinstance(chat, Outcome):
            return chat
        try:
            figure = await with_retries(
                lambda: self._ask(chat), pacer=self._pacer, what="Telegram getChatMemberCount"
            )
        except (TelegramBadRequest, TelegramNotFound) as exc:
            reason = Uncollectable.UNKNOWN if "not found" in exc.message else Uncollectable.PRIVATE
            return failed(reason, exc.message)
        except TelegramForbiddenError as exc:
            return failed(Uncollectable.PRIVATE, exc.message)
        return Outcome(figure=figure)

    async def _ask(self, chat: str) -> int:
        try:
            return await self._bot.get_chat_member_count(chat_id=chat)
        except TelegramRetryAfter as exc:
            raise TryAgain(exc.message, float(exc.retry_after)) from None
        except (TelegramServerError, TelegramNetworkError) as exc:
            raise TryAgain(exc.message) from None
        except TelegramUnauthorizedError as exc:
            raise CollectorUnavailable(f"Telegram refused the bot's token: {exc.message}") from None
