"""/grant and /revoke: superadmins make and unmake coordinators."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.roles import Actor
from bot.handlers.menu import set_user_commands
from bot.i18n import locale_of
from bot.services.users import UserService
from bot.storage.records import User
from bot.texts.formats import person


async def _refresh_menu(bot: Bot, users: UserService, i18n: I18n, user: User) -> None:
    with i18n.use_locale(locale_of(user, i18n)):
        await set_user_commands(bot, users.actor_of(user))


async def grant(
    message: Message,
    command: CommandObject,
    actor: Actor,
    users: UserService,
    i18n: I18n,
    bot: Bot,
) -> None:
    parts = (command.args or "").split(maxsplit=1)
    if not parts:
        await message.answer(
            _("Write who and, if needed, which territory: /grant 123456789 Пенза or /grant @name")
        )
        return
    target, scope = await users.grant(actor, parts[0], parts[1] if len(parts) > 1 else None)
    await _refresh_menu(bot, users, i18n, target)
    if scope is None:
        text = _("{user} is now a coordinator for the whole region.")
        await message.answer(text.format(user=person(target)))
    else:
        text = _("{user} is now a coordinator for {territory}.")
        await message.answer(
            text.format(user=person(target), territory=escape(scope.name(i18n.current_locale)))
        )


async def revoke(
    message: Message,
    command: CommandObject,
    actor: Actor,
    users: UserService,
    i18n: I18n,
    bot: Bot,
) -> None:
    reference = (command.args or "").strip()
    if not reference:
        await message.answer(_("Write whose role to revoke: /revoke 123456789 or /revoke @name"))
        return
    target = await users.revoke(actor, reference)
    await _refresh_menu(bot, users, i18n, target)
    await message.answer(_("{user} is no longer a coordinator.").format(user=person(target)))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(grant, Command("grant"))
    router.message.register(revoke, Command("revoke"))
    return router
