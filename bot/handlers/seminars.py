"""/seminars: the upcoming seminars a user is invited to; register or cancel with a tap."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    ListCb,
    ListKind,
    SeminarAction,
    SeminarCb,
)
from bot.handlers.common import cards_screen, reply_target, send_cards
from bot.services.clock import Clock
from bot.services.seminars import SeminarService
from bot.texts.formats import number
from bot.texts.seminar_changes import seminar_phase
from bot.texts.seminars import announcement_header, seminar_card
from bot.texts.waitlist import joined, left


def seminars_shown(first: int, last: int, count: int) -> str:
    """The line under a screen of seminar cards."""
    return ngettext(
        "Shown {first}–{last} of {count} seminar.",
        "Shown {first}–{last} of {count} seminars.",
        count,
    ).format(first=first, last=last, count=count)


async def list_seminars(
    event: Message | CallbackQuery,
    actor: Actor,
    seminars: SeminarService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
    callback_data: ListCb | None = None,
) -> None:
    """/seminars and the arrows under its cards: the upcoming seminars' cards, soonest
    first, a screen at a time; the first screen starts with their count. Coordinators'
    list starts with the seminars under way or ended lately, marked so."""
    target, screen = await cards_screen(event, callback_data)
    locale = i18n.current_locale
    views = await seminars.upcoming(actor)
    if not views:
        if actor.is_coordinator:
            await target.answer(
                _("No upcoming seminars for you yet. Create one with /seminar_new.")
            )
        else:
            await target.answer(_("No upcoming seminars for you yet."))
        return
    if screen == 0:
        await target.answer(
            _("Upcoming seminars: {count}").format(count=number(len(views), locale))
        )
    now = clock.now()
    cards = [
        (
            "\n".join(
                filter(
                    None,
                    (
                        seminar_phase(view.seminar, now),
                        seminar_card(view, settings.tz, locale, i18n),
                    ),
                )
            ),
            keyboards.seminar_actions(view),
        )
        for view in views
    ]
    await send_cards(target, cards, screen, ListKind.SEMINARS, seminars_shown)


async def join_or_leave(
    callback: CallbackQuery,
    callback_data: SeminarCb,
    actor: Actor,
    seminars: SeminarService,
    settings: Settings,
    i18n: I18n,
) -> None:
    if callback_data.action is SeminarAction.JOIN:
        view = await seminars.register(actor, callback_data.seminar_id)
        done = joined(view)
    else:
        was, view = await seminars.unregister(actor, callback_data.seminar_id)
        done = left(was)
    target = reply_target(callback)
    locale = i18n.current_locale
    card = seminar_card(view, settings.tz, locale, i18n)
    markup = keyboards.seminar_actions(view)
    if isinstance(target, Message):
        if target.html_text.startswith(header := announcement_header(locale, i18n)):
            card = f"{header}\n\n{card}"  # an announcement stays one
        # A second tap on an old button finds the card as it should be: FloodControl
        # takes "message is not modified" for success.
        await target.edit_text(card, reply_markup=markup)
    # Put in line instead of registered: an alert, so that it is not missed.
    await callback.answer(done, show_alert=view.waiting is not None)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(list_seminars, Command("seminars"))
    router.callback_query.register(list_seminars, ListCb.filter(F.kind == ListKind.SEMINARS))
    router.callback_query.register(
        join_or_leave, SeminarCb.filter(F.action.in_({SeminarAction.JOIN, SeminarAction.LEAVE}))
    )
    return router
