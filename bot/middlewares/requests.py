"""Every request the bot makes to the Bot API passes through `FloodControl`.

An aiogram session request middleware (`BaseRequestMiddleware`), so answers, edits,
callback answers, copies, documents, photos and `setMyCommands` are covered whoever calls
them:

- a message takes a slot of the shared `RateBudget` first (an edit counts against the
  global rate only);
- 429: the whole budget pauses for `retry_after` and the request is tried again, until its
  waits would pass `max_flood_wait` seconds (a callback answer: `CALLBACK_ANSWER_WAIT`,
  since a query cannot be answered 15 s after the tap). Then one warning line and the
  `TelegramRetryAfter` goes up. Background requests (the delivery queue) only pause the
  budget: the queue keeps the row and retries it itself;
- 5xx, timeouts and dropped connections: retried with exponential backoff up to
  `max_attempts` tries. Sending methods may then deliver twice (a connection that dropped
  after Telegram took the message); edits, callback answers, deletions and settings
  repeat harmlessly;
- "message is not modified" is success: the message already shows what was asked;
- a callback query is answered at most once: once an answer succeeded, another is not
  sent, and an answer Telegram refuses as too old is success (the work the tap asked for
  is done anyway).
  `CallbackAnswers.answered()` tells the dispatcher middleware whether a handler answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    RestartingTelegram,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
    SendChatAction,
    SendMediaGroup,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

from bot.services.flood import Lane, RateBudget, current_lane

log = logging.getLogger(__name__)

#: Longest 429 wait for a callback answer: a query is answerable for about 15 s.
CALLBACK_ANSWER_WAIT = 10.0
#: First wait before retrying a 5xx or a network error; it doubles each time.
BACKOFF_BASE = 0.5
#: Callback query ids remembered as answered.
MAX_REMEMBERED_QUERIES = 10_000

NOT_MODIFIED = "message is not modified"
QUERY_TOO_OLD = "query is too old"
QUERY_INVALID = "query id is invalid"

_COPIES = (CopyMessage, ForwardMessage)
_MANY = (CopyMessages, ForwardMessages)


class CallbackAnswers:
    """The callback queries answered lately, by id (a bounded memory)."""

    def __init__(self, size: int = MAX_REMEMBERED_QUERIES) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def answered(self, query_id: str) -> bool:
        return query_id in self._ids

    def mark(self, query_id: str) -> None:
        self._ids[query_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)


def messages_sent(method: TelegramMethod[Any]) -> int:
    """How many messages `method` creates (0: it creates none, e.g. an edit)."""
    if isinstance(method, SendMediaGroup):
        return len(method.media)
    if isinstance(method, _MANY):
        return len(method.message_ids)
    if isinstance(method, _COPIES):
        return 1
    name = type(method).__name__
    return 1 if name.startswith("Send") and not isinstance(method, SendChatAction) else 0


def is_edit(method: TelegramMethod[Any]) -> bool:
    return type(method).__name__.startswith("Edit")


class FloodControl(BaseRequestMiddleware):
    """Paces, retries and smooths over what is not a failure; see the module docstring."""

    def __init__(
        self,
        budget: RateBudget,
        answers: CallbackAnswers,
        *,
        max_flood_wait: float = 30.0,
        max_attempts: int = 4,
    ) -> None:
        self._budget = budget
        self._answers = answers
        self._max_flood_wait = max_flood_wait
        self._max_attempts = max(1, max_attempts)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        query_id = method.callback_query_id if isinstance(method, AnswerCallbackQuery) else None
        if query_id is not None and self._answers.answered(query_id):
            return True  # type: ignore[return-value]  # the result of a real answer
        lane = current_lane()
        count = messages_sent(method)
        chat_id = getattr(method, "chat_id", None) if count else None
        paced = count > 0 or is_edit(method)
        flood_waited = 0.0
        attempt = 1
        while True:
            if paced:
                await self._budget.acquire(
                    chat_id if isinstance(chat_id, int) else None, max(count, 1), lane
                )
            try:
                result = await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self._budget.pause(exc.retry_after)
                if lane is not Lane.DIRECT:
                    raise  # the delivery queue keeps the row and sends it again
                flood_waited += exc.retry_after
                if flood_waited > self._flood_limit(method):
                    log.warning(
                        "%s: gave up after %.0f s of 429 answers",
                        method.__api_method__,
                        flood_waited,
                    )
                    raise
                log.info("%s: 429, retrying in %d s", method.__api_method__, exc.retry_after)
                # Paced or not (a callback answer, setMyCommands), nothing goes before
                # the pause is over: an immediate retry would only meet another 429.
                await self._budget.wait_pause()
            except TelegramBadRequest as exc:
                if is_edit(method) and NOT_MODIFIED in exc.message:
                    return True  # type: ignore[return-value]  # edits return True or the message
                if isinstance(method, AnswerCallbackQuery) and self._too_old(exc):
                    log.info("answerCallbackQuery: the query expired before it was answered")
                    self._answers.mark(method.callback_query_id)
                    return True  # type: ignore[return-value]
                raise
            except TelegramEntityTooLarge:
                raise  # a TelegramNetworkError, but trying again cannot help
            except (TelegramServerError, RestartingTelegram, TelegramNetworkError) as exc:
                if lane is not Lane.DIRECT or attempt >= self._max_attempts:
                    if lane is Lane.DIRECT:
                        log.warning(
                            "%s: gave up after %d tries: %s",
                            method.__api_method__,
                            attempt,
                            type(exc).__name__,
                        )
                    raise
                delay = BACKOFF_BASE * 2 ** (attempt - 1)
                log.info(
                    "%s: %s, retrying in %.1f s", method.__api_method__, type(exc).__name__, delay
                )
                attempt += 1
                await asyncio.sleep(delay)
            else:
                if query_id is not None:
                    self._answers.mark(query_id)
                return result

    def _flood_limit(self, method: TelegramMethod[Any]) -> float:
        if isinstance(method, AnswerCallbackQuery):
            return min(self._max_flood_wait, CALLBACK_ANSWER_WAIT)
        return self._max_flood_wait

    @staticmethod
    def _too_old(exc: TelegramBadRequest) -> bool:
        message = exc.message.lower()
        return QUERY_TOO_OLD in message or QUERY_INVALID in message
