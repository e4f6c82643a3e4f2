"""Loads the user behind each update, their role and their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.services.users import UserService
from bot.storage.records import User


class UserMiddleware(BaseMiddleware):
    """Puts `user` (the stored row) and `actor` (the role) into the handler's data."""

    def __init__(self, users: UserService) -> None:
        self._users = users

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is not None and not sender.is_bot:
            identity = await self._users.identify(
                sender.id,
                username=sender.username,
                full_name=sender.full_name,
                language_code=sender.language_code,
            )
            data["user"] = identity.user
            data["actor"] = identity.actor
        return await handler(event, data)


class UserI18nMiddleware(I18nMiddleware):
    """The language chosen in /settings, else Telegram's language if supported."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("user")
        if user is None:
            return self.i18n.default_locale
        return locale_of(user, self.i18n)


def locale_of(user: User, i18n: I18n) -> str:
    if user.locale in i18n.available_locales:
        return user.locale
    language = (user.language_code or "").split("-")[0].lower()
    if language in i18n.available_locales:
        return language
    return i18n.default_locale
