"""One person flooding the bot gets one note, not a queue of answers to wait through."""

from __future__ import annotations

import logging
import time
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.domain.albums import MAX_ALBUM_ITEMS
from bot.middlewares.base import Handler, event_context
from bot.middlewares.inflight import queued_ahead

log = logging.getLogger(__name__)

#: Seconds after a note before a new flood earns another.
NOTE_INTERVAL = 30.0


class FloodGuard(BaseMiddleware):
    """An outer middleware of `message` and `callback_query`.

    Updates of one user are handled one at a time (`TrackingEventIsolation`), so a person
    who sends 50 messages in a few seconds would wait for 50 paced answers. When an
    update arrived with `backlog` or more of the same user's updates queued ahead of it,
    it is dropped: the first dropped message gets one "please slow down" note (at most one
    per `NOTE_INTERVAL`), a dropped button tap an answer with the same words; the updates
    queued before the flood are answered as usual. Other users are not affected.

    An album arrives as a message per item, all at once: an item of one
    (`media_group_id`) may have up to `MAX_ALBUM_ITEMS - 1` more updates ahead of it, its
    album's other items, before it counts as a flood.
    """

    def __init__(self, backlog: int) -> None:
        self._backlog = backlog
        self._noted: dict[int, float] = {}  # user id → monotonic time of the last note

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = event_context(data).chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            # Groups hear nothing but pointers, which their own 20-a-minute budget
            # already keeps few: no note is ever posted there.
            if queued_ahead.get() >= self._backlog:
                return None
            return await handler(event, data)
        allowed = self._backlog
        if isinstance(event, Message) and event.media_group_id is not None:
            allowed += MAX_ALBUM_ITEMS - 1
        if queued_ahead.get() < allowed:
            return await handler(event, data)
        note = _(
            "You are writing faster than I can answer: I skipped your latest messages. "
            "Wait for my answer, then send again what still needs one."
        )
        if isinstance(event, CallbackQuery):
            await event.answer(note[:200])
        elif isinstance(event, Message) and event.from_user is not None:
            user_id = event.from_user.id
            now = time.monotonic()
            if now - self._noted.get(user_id, -NOTE_INTERVAL) >= NOTE_INTERVAL:
                self._forget_old(now)
                self._noted[user_id] = now
                log.info("User %d is flooding; their next messages are skipped", user_id)
                await event.answer(note)
        return None

    def _forget_old(self, now: float) -> None:
        for user_id in [u for u, at in self._noted.items() if now - at >= NOTE_INTERVAL]:
            del self._noted[user_id]
