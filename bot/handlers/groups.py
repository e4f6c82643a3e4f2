"""Group chats: the bot is a private-chat bot and stays quiet in groups.

A command meant for this bot gets one short pointer with a button that opens the private
chat (no page card, invite link or wizard step is ever posted to a group); everything
else (other bots' commands, unknown commands, chatter, members joining or leaving, the
group becoming a supergroup) is taken here and left unanswered, so no handler meant for
private chats sees it.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import gettext as _

from bot.handlers.menu import ALL_COMMANDS
from bot.services.flood import RateBudget

GROUP_CHATS = {ChatType.GROUP, ChatType.SUPERGROUP}
#: The deep-link payload of the pointer's button: newcomers from groups are counted.
GROUP_SOURCE = "group"


async def point_to_private_chat(message: Message, bot: Bot, budget: RateBudget) -> None:
    # A group allows 20 messages a minute: when its budget is spent, silence is better
    # than a queue of pointers arriving late.
    if budget.chat_wait(message.chat.id) > 0:
        return
    link = await create_start_link(bot, GROUP_SOURCE)
    button = InlineKeyboardButton(text=_("Open the private chat"), url=link)
    await message.reply(
        _("I work in a private chat: open it with the button below."),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )


async def stay_silent(message: Message) -> None:
    """Taken so that no private-chat handler answers it."""


async def stale_group_button(callback: CallbackQuery) -> None:
    """Answered (empty) by the callback middleware; nothing is done in a group."""


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type.in_(GROUP_CHATS))
    router.edited_message.filter(F.chat.type.in_(GROUP_CHATS))
    router.callback_query.filter(F.message.chat.type.in_(GROUP_CHATS))
    # Command() ignores "/start@other_bot": only commands addressed to this bot match.
    router.message.register(point_to_private_chat, Command(*ALL_COMMANDS))
    router.message.register(stay_silent)
    router.edited_message.register(stay_silent)
    router.callback_query.register(stale_group_button)
    return router
