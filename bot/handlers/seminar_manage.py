"""A coordinator manages a seminar from its card: ✏️ Change (time, place or link, seats,
description: the new value is read as /seminar_new reads it) and ❌ Cancel the seminar
(after a confirmation). `SeminarChanges` checks every step again on the server, also for
forged buttons, and tells everyone registered or waiting."""

from __future__ import annotations

from html import escape
from typing import ClassVar

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Actor
from bot.domain.seminars import SeminarField
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    SeminarAction,
    SeminarCancelCb,
    SeminarCb,
    SeminarEditCb,
    SeminarStep,
    SeminarWizardCb,
)
from bot.handlers.common import reply_target, settle_card
from bot.handlers.forms import StoredForm
from bot.handlers.seminar_wizard import STEPS, Refused, Wizard
from bot.handlers.states import SeminarEdit
from bot.services.clock import Clock
from bot.services.registry import RegistryService
from bot.services.seminar_changes import SeminarChanges
from bot.services.seminars import SeminarService
from bot.storage.seminars import Seminar
from bot.texts.formats import moment, number
from bot.texts.seminar_changes import changed_text
from bot.texts.seminars import seminar_card

#: The wizard's step that reads each field's new value.
READER_OF = {
    field: next(step for step in STEPS if step.field == field.value) for field in SeminarField
}


#: The field each button under a question answers: no limit of seats, no description.
TAPPED = {
    SeminarStep.NO_LIMIT: SeminarField.CAPACITY,
    SeminarStep.SKIP_DESCRIPTION: SeminarField.DESCRIPTION,
}


class EditForm(StoredForm):
    """Which seminar's field the next answer changes; kept in the FSM data."""

    key: ClassVar[str | None] = "seminar_edit"

    seminar_id: int
    field: SeminarField


def _question(
    field: SeminarField, seminar: Seminar, registered: int, settings: Settings, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """What the coordinator is asked for the new value of `field`, and the buttons."""
    if field is SeminarField.STARTS_AT:
        text = _(
            "Send the new date and time in regional time ({zone}), for example "
            "25.12.2026 10:00. Now: {start}."
        ).format(zone=settings.timezone, start=moment(seminar.starts_at, settings.tz, locale))
        return text, keyboards.cancel()
    if field is SeminarField.PLACE:
        return _("Send the new link to the online room or the address."), keyboards.cancel()
    if field is SeminarField.CAPACITY:
        text = ngettext(
            "Send the new number of seats ({count} person is registered), or tap «No limit».",
            "Send the new number of seats ({count} people are registered), or tap «No limit».",
            registered,
        ).format(count=number(registered, locale))
        return text, keyboards.seminar_no_limit()
    remove = (_("Remove the description"), SeminarWizardCb(step=SeminarStep.SKIP_DESCRIPTION))
    return _("Send the new description."), keyboards.seminar_step(remove)


async def on_card(
    callback: CallbackQuery,
    callback_data: SeminarCb,
    actor: Actor,
    seminar_changes: SeminarChanges,
    settings: Settings,
    i18n: I18n,
) -> None:
    """✏️ Change on a card: what to change (a button per field); ❌ Cancel the seminar:
    are you sure, and who will be told."""
    seminar, concerned = await seminar_changes.managed(actor, callback_data.seminar_id)
    locale = i18n.current_locale
    if callback_data.action is SeminarAction.EDIT:
        text = _("What to change in «{title}»?").format(title=escape(seminar.title))
        markup = keyboards.seminar_edit(seminar.id)
    else:
        text = ngettext(
            "Cancel the seminar «{title}» on {start}? {count} person registered or waiting "
            "will be told. This cannot be undone.",
            "Cancel the seminar «{title}» on {start}? {count} people registered or waiting "
            "will be told. This cannot be undone.",
            concerned,
        ).format(
            title=escape(seminar.title),
            start=moment(seminar.starts_at, settings.tz, locale),
            count=number(concerned, locale),
        )
        markup = keyboards.seminar_cancel_confirm(seminar.id)
    await reply_target(callback).answer(text, reply_markup=markup)
    await callback.answer()


async def ask_value(
    callback: CallbackQuery,
    callback_data: SeminarEditCb,
    state: FSMContext,
    actor: Actor,
    seminar_changes: SeminarChanges,
    seminars: SeminarService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A field chosen: its question; the next answer (typed, or the field's button) is
    its new value."""
    seminar, _concerned = await seminar_changes.managed(actor, callback_data.seminar_id)
    registered = (await seminars.view(actor, seminar.id)).registered
    await state.set_state(SeminarEdit.value)
    await EditForm(seminar_id=seminar.id, field=callback_data.field).save(state)
    text, markup = _question(
        callback_data.field, seminar, registered, settings, i18n.current_locale
    )
    await reply_target(callback).answer(text, reply_markup=markup)
    await callback.answer()


async def take_value(
    event: Message | CallbackQuery,
    state: FSMContext,
    actor: Actor,
    seminar_changes: SeminarChanges,
    seminars: SeminarService,
    registry: RegistryService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
    callback_data: SeminarWizardCb | None = None,
) -> None:
    """The new value: typed (read as the wizard reads it; refused with the reason, the
    question's buttons again), or tapped (no limit of seats, no description). Saved, the
    coordinator is told how many will hear of it and gets the card as it is now."""
    form = await EditForm.load(state)
    wizard = Wizard(state, actor, settings, clock, seminars, registry, i18n)
    value: object = None
    if isinstance(event, Message):
        step = READER_OF[form.field]
        assert step.read is not None
        try:
            value = step.read(event.text or "", wizard)
        except Refused as refusal:
            seminar, _concerned = await seminar_changes.managed(actor, form.seminar_id)
            registered = (await seminars.view(actor, seminar.id)).registered
            _text, markup = _question(
                form.field, seminar, registered, settings, i18n.current_locale
            )
            await event.answer(refusal.text, reply_markup=markup)
            return
    elif callback_data is not None:
        if TAPPED.get(callback_data.step) is not form.field:
            await event.answer(_("Unknown choice."), show_alert=True)
            return
        value = "" if form.field is SeminarField.DESCRIPTION else None
        await event.answer()
    if not (value is None or isinstance(value, int | str)):
        raise TypeError(f"an unexpected value {value!r}")
    outcome = await seminar_changes.change(actor, form.seminar_id, form.field, value)
    await state.clear()
    target = reply_target(event)
    await target.answer(changed_text(outcome.told, form.field))
    view = await seminars.view(actor, form.seminar_id)
    card = seminar_card(view, settings.tz, i18n.current_locale, i18n)
    await target.answer(card, reply_markup=keyboards.seminar_actions(view))


async def cancel_seminar(
    callback: CallbackQuery,
    callback_data: SeminarCancelCb,
    actor: Actor,
    seminar_changes: SeminarChanges,
) -> None:
    """The cancellation confirmed: the seminar is cancelled, those concerned told."""
    outcome = await seminar_changes.cancel(actor, callback_data.seminar_id)
    await settle_card(callback, changed_text(outcome.told, None))


def build_router() -> Router:
    """The routes of a seminar's management; under the coordinators' role filter."""
    router = Router(name=__name__)
    router.callback_query.register(
        on_card, SeminarCb.filter(F.action.in_({SeminarAction.EDIT, SeminarAction.CANCEL}))
    )
    router.callback_query.register(ask_value, SeminarEditCb.filter())
    router.message.register(take_value, SeminarEdit.value, F.text, ~F.text.startswith("/"))
    router.callback_query.register(
        take_value,
        SeminarEdit.value,
        SeminarWizardCb.filter(F.step.in_({SeminarStep.NO_LIMIT, SeminarStep.SKIP_DESCRIPTION})),
    )
    router.callback_query.register(cancel_seminar, SeminarCancelCb.filter())
    return router
