"""What no other handler took: stale buttons, unexpected input inside a wizard, chatter."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(
        _("This button is no longer active. Start again from /start."), show_alert=True
    )


async def unexpected_in_wizard(message: Message) -> None:
    await message.answer(
        _("I did not understand this answer. Answer the question above, or send /cancel to stop.")
    )


async def unknown(message: Message) -> None:
    await message.answer(_("I did not understand. Send /start for the menu or /help."))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(stale_button)
    router.message.register(unexpected_in_wizard, ~StateFilter(None))
    router.message.register(unknown)
    return router
