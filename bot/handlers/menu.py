"""The command menu (setMyCommands) per language and per role."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.roles import Actor, Role

log = logging.getLogger(__name__)

#: Every command of the bot, whatever the role: in groups each gets a pointer to the
#: private chat. `commands_for(Role.SUPERADMIN)` lists the same (a test compares them).
ALL_COMMANDS = (
    "start",
    "register",
    "mypages",
    "report",
    "total",
    "digest",
    "seminars",
    "attend",
    "settings",
    "help",
    "cancel",
    "pending",
    "broadcast",
    "broadcasts",
    "seminar_new",
    "export",
    "audit",
    "training",
    "collect",
    "grant",
    "revoke",
    "import",
)


def commands_for(role: Role) -> list[BotCommand]:
    """The menu of a role, in the current locale."""
    commands = [
        BotCommand(command="start", description=_("Main menu")),
        BotCommand(command="register", description=_("Register a page")),
        BotCommand(command="mypages", description=_("My pages")),
        BotCommand(command="report", description=_("Report a subscriber figure")),
        BotCommand(command="total", description=_("Regional total")),
        BotCommand(command="digest", description=_("Weekly digest")),
        BotCommand(command="seminars", description=_("Upcoming seminars")),
        BotCommand(command="attend", description=_("Check in at a seminar with its code")),
        BotCommand(command="settings", description=_("Language and subscriptions")),
        BotCommand(command="help", description=_("Help")),
        BotCommand(command="cancel", description=_("Leave the current wizard")),
    ]
    if role >= Role.COORDINATOR:
        commands.append(BotCommand(command="pending", description=_("Pages to approve")))
        commands.append(
            BotCommand(command="broadcast", description=_("Message a segment of administrators"))
        )
        commands.append(BotCommand(command="broadcasts", description=_("Past broadcasts")))
        commands.append(BotCommand(command="seminar_new", description=_("Announce a seminar")))
        commands.append(BotCommand(command="export", description=_("Export to XLSX or CSV")))
        commands.append(BotCommand(command="audit", description=_("Who did what: the audit log")))
        commands.append(BotCommand(command="training", description=_("Training figures")))
        commands.append(
            BotCommand(command="collect", description=_("Collect counts from the platforms"))
        )
    if role >= Role.SUPERADMIN:
        commands.append(BotCommand(command="grant", description=_("Make a coordinator")))
        commands.append(BotCommand(command="revoke", description=_("Revoke a coordinator")))
        commands.append(BotCommand(command="import", description=_("Import the registry")))
    return commands


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    """Everybody's menu: Russian by default, English for English-speaking clients."""
    for locale in i18n.available_locales:
        with i18n.use_locale(locale):
            await bot.set_my_commands(
                commands_for(Role.USER),
                scope=BotCommandScopeDefault(),
                language_code=None if locale == i18n.default_locale else locale,
            )


async def set_user_commands(bot: Bot, actor: Actor) -> None:
    """One user's own menu with their role's commands, in the current locale."""
    try:
        await bot.set_my_commands(
            commands_for(actor.role), scope=BotCommandScopeChat(chat_id=actor.user_id)
        )
    except TelegramAPIError as exc:
        # A user who never opened the bot has no chat yet: the menu waits for /start.
        log.info("Command menu not set for a user: %s", type(exc).__name__)
