"""A sent broadcast: the button that stops it, and /broadcasts, the past ones with their
delivery. (The progress message itself is kept up to date by the ProgressReporter.)"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import BroadcastStopCb, ListCb, ListKind
from bot.handlers.common import edit_list, reply_target
from bot.services.broadcasts import BroadcastService
from bot.services.registry import RegistryService
from bot.services.users import UserService
from bot.storage.records import User
from bot.texts.broadcasts import broadcasts_list, no_broadcasts, progress_text


async def stop(
    callback: CallbackQuery,
    callback_data: BroadcastStopCb,
    actor: Actor,
    broadcasts: BroadcastService,
    i18n: I18n,
    settings: Settings,
) -> None:
    """Stop a running broadcast: what is not sent yet stays unsent."""
    progress = await broadcasts.cancel(actor, callback_data.broadcast_id)
    target = reply_target(callback)
    if isinstance(target, Message):
        with contextlib.suppress(TelegramAPIError):
            await target.edit_text(
                progress_text(
                    progress, i18n.current_locale, settings.delivery_rate_per_second, i18n
                ),
                reply_markup=None,
            )
    await callback.answer(_("Stopped: the rest will not be sent."))


async def list_broadcasts(
    event: Message | CallbackQuery,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    i18n: I18n,
    callback_data: ListCb | None = None,
) -> None:
    """/broadcasts: the broadcasts within the actor's reach, newest first, a screen at a
    time; the arrows (`ListCb`) show another screen in the message they sit on. Raises
    NotAllowed for anyone but a coordinator."""
    items = await broadcasts.recent(actor)
    locale = i18n.current_locale
    authors: dict[int, User] = {}
    for author_id in {item.broadcast.author_id for item in items}:
        if (author := await users.get(author_id)) is not None:
            authors[author_id] = author
    at = callback_data.page if callback_data is not None else 0
    shown = broadcasts_list(items, authors, await registry.territories(), at, locale, i18n)
    if shown is None:
        text, markup = no_broadcasts(locale, i18n), None
    else:
        text, markup = shown.text, keyboards.list_nav(shown, ListKind.BROADCASTS)
    if isinstance(event, CallbackQuery):
        await edit_list(event, text, markup)
    else:
        await event.answer(text, reply_markup=markup)


def build_router() -> Router:
    """The stop button of a running broadcast, and /broadcasts."""
    router = Router(name=__name__)
    router.callback_query.register(stop, BroadcastStopCb.filter())
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(list_broadcasts, ListCb.filter(F.kind == ListKind.BROADCASTS))
    return router
