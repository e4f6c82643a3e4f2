"""What the middlewares here share: the shape aiogram calls them with, and the update's
chat and sender as aiogram resolved them."""

from __future__ import annotations

from typing import Any

from aiogram.dispatcher.event.bases import NextMiddlewareType
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject

#: What a middleware calls to go on: the later middlewares, then the handler.
Handler = NextMiddlewareType[TelegramObject]


def event_context(data: dict[str, Any]) -> EventContext:
    """The chat and the sender of the update being handled, which aiogram's
    `UserContextMiddleware` puts into `data` before any middleware of ours runs; an
    empty context (no chat, no sender) where there is none."""
    context = data.get(EVENT_CONTEXT_KEY)
    return context if isinstance(context, EventContext) else EventContext()
