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


def _display(user: User) -> str:
    name = escape(user.full_name or "")
    handle = f" @{escape(user.username)}" if user.username else ""
    return f"{name}{handle} (id {user.id})".strip()


async def change_role(
    message: Message,
    command: CommandObject,
    actor: Actor,
    users: UserService,
    i18n: I18n,
    bot: Bot,
) -> None:
    """/grant <who> [territory]: make someone a coordinator, of one territory or of the
    whole region; /revoke <who>: take the role away. The user's command menu follows."""
    args = command.args or ""
    if command.command == "revoke":
        if not args.strip():
            await message.answer(
                _("Write whose role to revoke: /revoke 123456789 or /revoke @name")
            )
            return
        target = await users.revoke(actor, args.strip())
        done = _("{user} is no longer a coordinator.").format(user=_display(target))
    else:
        parts = args.split(maxsplit=1)
        if not parts:
            await message.answer(
                _(
                    "Write who and, if needed, which territory: "
                    "/grant 123456789 Пенза or /grant @name"
                )
            )
            return
        target, scope = await users.grant(actor, parts[0], parts[1] if len(parts) > 1 else None)
        if scope is None:
            done = _("{user} is now a coordinator for the whole region.").format(
                user=_display(target)
            )
        else:
            done = _("{user} is now a coordinator for {territory}.").format(
                user=_display(target), territory=escape(scope.name(i18n.current_locale))
            )
    with i18n.use_locale(locale_of(target, i18n)):
        await set_user_commands(bot, users.actor_of(target))
    await message.answer(done)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(change_role, Command("grant", "revoke"))
    return router
