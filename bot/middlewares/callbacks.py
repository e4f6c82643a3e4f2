"""Every callback query is answered exactly once, after the work it asked for; answers
come before what the delivery queue sends to the same chat."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, TelegramObject

from bot.middlewares.base import Handler, event_context
from bot.middlewares.requests import CallbackAnswers
from bot.services.flood import RateBudget

log = logging.getLogger(__name__)


class AnswerCallbackQueries(BaseMiddleware):
    """An outer middleware of `callback_query`: once the handler has returned, a query
    it left unanswered gets an empty answer, so no tap is left spinning.

    A handler that answers itself (a text, an alert) is not answered twice: the request
    middleware remembers the answered ids in `CallbackAnswers` and drops a second answer.
    A handler that raises is left to the error router, which answers with the reason.
    """

    def __init__(self, answers: CallbackAnswers) -> None:
        self._answers = answers

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        result = await handler(event, data)
        if isinstance(event, CallbackQuery) and not self._answers.answered(event.id):
            try:
                await event.answer()
            except TelegramAPIError as exc:
                log.warning("Could not answer a callback query: %s", type(exc).__name__)
        return result


class AnswerFirst(BaseMiddleware):
    """An outer middleware of `message` and `callback_query`: while a user's update is
    handled, the delivery queue sends nothing to their chat, so the answer to what they
    did comes before the alerts and notices it caused."""

    def __init__(self, budget: RateBudget) -> None:
        self._budget = budget

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat_id = event_context(data).chat_id
        if chat_id is None:
            return await handler(event, data)
        with self._budget.hold(chat_id):
            return await handler(event, data)
