"""Loads the user behind each update, their role and their language."""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import locale_of
from bot.middlewares.base import Handler, event_context
from bot.services.users import UserService
from bot.storage.records import User


class UserMiddleware(BaseMiddleware):
    """Puts `user` (the stored row) and `actor` (the role) into the handler's data."""

    def __init__(self, users: UserService) -> None:
        self._users = users

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = event_context(data)
        sender, chat = context.user, context.chat
        # Only a private chat makes someone a user of the bot: writing in a group where
        # the bot is a member must neither register them nor mark them reachable.
        private = chat is None or chat.type == ChatType.PRIVATE
        if sender is not None and not sender.is_bot and private:
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

    # aiogram calls get_locale(event=..., data=...): the name stays though only data is read.
    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:  # noqa: ARG002
        user: User | None = data.get("user")
        if user is not None:
            return locale_of(user, self.i18n)
        sender = event_context(data).user
        language = ((sender.language_code if sender else None) or "").split("-")[0].lower()
        return language if language in self.i18n.available_locales else self.i18n.default_locale
