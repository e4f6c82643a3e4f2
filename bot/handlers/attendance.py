"""A seminar's attendance, for the coordinators who oversee it: the check-in code and its
QR code (the card's CHECKIN button), and the list of those registered, where a tap marks
who came (the card's ATTENDANCE button), with someone who came unregistered added by
@username or id. Under the coordinators' role router; the service checks again."""

from __future__ import annotations

import asyncio

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain.attendance import checkin_payload
from bot.domain.deeplinks import start_link
from bot.domain.messages import list_page
from bot.domain.qr import qr_png
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    AttendanceAddCb,
    AttendanceCb,
    AttendancePageCb,
    SeminarAction,
    SeminarCb,
)
from bot.handlers.common import edit_list, reply_target
from bot.handlers.forms import StoredForm, typed_line
from bot.handlers.states import MarkingAttendance
from bot.services.attendance import AttendanceService, Roster
from bot.texts.attendance import (
    ask_walk_in,
    checkin_caption,
    roster_label,
    roster_text,
    toggled,
    walk_in_marked,
)

#: Names on one screen of the attendance list, a button each.
ROSTER_PER_PAGE = 10


class WalkIn(StoredForm):
    """The seminar whose list a coordinator adds someone who came unregistered to."""

    seminar_id: int


def roster_keyboard(roster: Roster, page: int) -> InlineKeyboardMarkup:
    """A button per name of screen `page` (zero-based, clamped), the arrows to the other
    screens, and the button that adds someone who came unregistered."""
    seminar_id = roster.seminar.id
    labels = [roster_label(entry) for entry in roster.entries]
    shown = list_page(labels, page, per_page=ROSTER_PER_PAGE)
    builder = InlineKeyboardBuilder()
    for entry, label in zip(
        roster.entries[shown.start : shown.stop], labels[shown.start : shown.stop], strict=True
    ):
        toggle = AttendanceCb(seminar_id=seminar_id, user_id=entry.user_id, page=shown.number)
        builder.button(text=label, callback_data=toggle)
    builder.adjust(1)
    keyboards.page_nav(
        builder, shown, lambda number: AttendancePageCb(seminar_id=seminar_id, page=number)
    )
    builder.row()
    builder.button(
        text=_("➕ Add someone who came unregistered"),
        callback_data=AttendanceAddCb(seminar_id=seminar_id),
    )
    return builder.as_markup()


async def show_checkin(
    callback: CallbackQuery,
    callback_data: SeminarCb,
    actor: Actor,
    attendance: AttendanceService,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The card's check-in button: the seminar's code and a QR code of its /start link."""
    seminar, code = await attendance.checkin_code(actor, callback_data.seminar_id)
    me = await bot.me()
    link = start_link(me.username or "", checkin_payload(code))
    png = await asyncio.to_thread(qr_png, link)
    caption = checkin_caption(
        seminar, code, link, attendance.window(seminar), settings.tz, i18n.current_locale
    )
    await reply_target(callback).answer_photo(
        BufferedInputFile(png, f"checkin_{code}.png"), caption=caption
    )


async def show_roster(
    callback: CallbackQuery,
    callback_data: SeminarCb | AttendancePageCb | AttendanceCb,
    actor: Actor,
    attendance: AttendanceService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The attendance list: its first screen in a message of its own (the card's button),
    or the tapped list edited in place, on the screen asked for (the arrows) or the same
    one after a name was tapped (which switches that person between came and not)."""
    seminar_id = callback_data.seminar_id
    came = None
    if isinstance(callback_data, AttendanceCb):
        roster, came = await attendance.toggle(actor, seminar_id, callback_data.user_id)
    else:
        roster = await attendance.roster(actor, seminar_id)
    text = roster_text(roster, settings.tz, i18n.current_locale)
    if isinstance(callback_data, SeminarCb):
        await reply_target(callback).answer(text, reply_markup=roster_keyboard(roster, 0))
    else:
        await edit_list(callback, text, roster_keyboard(roster, callback_data.page))
    if came is not None:
        await callback.answer(toggled(came))


async def ask_for_walk_in(
    callback: CallbackQuery,
    callback_data: AttendanceAddCb,
    actor: Actor,
    attendance: AttendanceService,
    state: FSMContext,
) -> None:
    """➕ Add someone who came unregistered: ask for their @username or id, after checking
    the coordinator may mark this seminar (`AttendanceService.roster` refuses otherwise)."""
    await attendance.roster(actor, callback_data.seminar_id)  # refused here, not at the answer
    await WalkIn(seminar_id=callback_data.seminar_id).save(state)
    await state.set_state(MarkingAttendance.walk_in)
    await reply_target(callback).answer(ask_walk_in(), reply_markup=keyboards.cancel())


async def take_walk_in(
    message: Message,
    state: FSMContext,
    actor: Actor,
    attendance: AttendanceService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The @username or id of someone who came unregistered: marked, then the list again.
    An unknown one is refused and the step waits for another."""
    form = await WalkIn.load(state)
    user, newly = await attendance.add(actor, form.seminar_id, typed_line(message))
    await state.clear()
    await message.answer(walk_in_marked(user, newly))
    roster = await attendance.roster(actor, form.seminar_id)
    await message.answer(
        roster_text(roster, settings.tz, i18n.current_locale),
        reply_markup=roster_keyboard(roster, 0),
    )


def build_router() -> Router:
    """Coordinators': the check-in code and QR, the attendance list and its walk-ins (the
    service checks they manage the seminar)."""
    router = Router(name=__name__)
    router.callback_query.register(
        show_checkin, SeminarCb.filter(F.action == SeminarAction.CHECKIN)
    )
    router.callback_query.register(
        show_roster, SeminarCb.filter(F.action == SeminarAction.ATTENDANCE)
    )
    router.callback_query.register(show_roster, AttendancePageCb.filter())
    router.callback_query.register(show_roster, AttendanceCb.filter())
    router.callback_query.register(ask_for_walk_in, AttendanceAddCb.filter())
    router.message.register(take_walk_in, MarkingAttendance.walk_in, F.text)
    return router
