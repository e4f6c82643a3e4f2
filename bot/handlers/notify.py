"""Telling other users about something, each in their own language."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from bot.middlewares.user import locale_of
from bot.services.users import UserService

log = logging.getLogger(__name__)


async def notify_users(
    bot: Bot,
    users: UserService,
    i18n: I18n,
    user_ids: Iterable[int],
    compose: Callable[[], str],
) -> None:
    """Send `compose()`, rendered in each recipient's locale; a blocked bot is noted."""
    for user_id in user_ids:
        user = await users.get(user_id)
        if user is None or not user.reachable:
            continue
        with i18n.use_locale(locale_of(user, i18n)):
            text = compose()
        try:
            await bot.send_message(user_id, text)
        except TelegramForbiddenError:
            await users.set_reachable(user_id, False)
        except TelegramAPIError as exc:
            log.warning("Notification not delivered: %s", type(exc).__name__)
