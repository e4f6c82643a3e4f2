"""/seminar_new, a coordinator's wizard: title → description → start → duration → place
→ seats → audience → preview with the number invited → announce."""

from __future__ import annotations

import datetime as dt
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from pydantic import BaseModel

from bot.config import Settings
from bot.domain.limits import SEMINAR_DESCRIPTION, SEMINAR_PLACE, SEMINAR_TITLE
from bot.domain.roles import Actor
from bot.domain.seminars import (
    SeminarInputError,
    SeminarInputInvalid,
    parse_capacity,
    parse_duration,
    parse_start,
)
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    SeminarAudienceCb,
    SeminarAudiencePageCb,
    SeminarDurationCb,
    SeminarStep,
    SeminarWizardCb,
)
from bot.handlers.common import reply_target
from bot.handlers.states import SeminarNew
from bot.services.clock import Clock
from bot.services.registry import RegistryService
from bot.services.seminars import (
    SeminarDraft,
    SeminarService,
)
from bot.texts.formats import moment, number
from bot.texts.seminars import seminar_card


class Draft(BaseModel):
    """What the wizard has gathered so far; kept in the FSM data between steps."""

    title: str | None = None
    description: str = ""
    starts_at: int | None = None
    duration_minutes: int | None = None
    place: str | None = None
    capacity: int | None = None
    territory_id: int | None = None

    def complete(self) -> SeminarDraft | None:
        if (
            self.title is None
            or self.starts_at is None
            or self.duration_minutes is None
            or self.place is None
        ):
            return None
        return SeminarDraft(
            title=self.title,
            description=self.description,
            starts_at=self.starts_at,
            duration_minutes=self.duration_minutes,
            place=self.place,
            capacity=self.capacity,
            territory_id=self.territory_id,
        )


async def load_draft(state: FSMContext) -> Draft:
    return Draft.model_validate((await state.get_data()).get("seminar", {}))


async def update_draft(state: FSMContext, **changes: object) -> Draft:
    """Record the answers of a step in the wizard's draft; returns the new draft."""
    draft = (await load_draft(state)).model_copy(update=changes)
    await state.update_data(seminar=draft.model_dump(mode="json"))
    return draft


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def input_error_text(error: SeminarInputInvalid, settings: Settings) -> str:
    """The answer to refused wizard input, in the current language."""
    change = error.change
    # Clock changes are told in the zone's wall time; 24-hour in both languages.
    clock_from = f"{change.clock_from:%H:%M}" if change else ""
    clock_to = f"{change.clock_to:%H:%M}" if change else ""
    texts = {
        SeminarInputError.BAD_START: _(
            "I did not understand the date. Send it as 25.12.2026 10:00 ({zone})."
        ).format(zone=settings.timezone),
        SeminarInputError.START_IN_PAST: _("This moment has passed. Send a future date and time."),
        SeminarInputError.START_TOO_FAR: _("Seminars are scheduled at most a year ahead."),
        SeminarInputError.NONEXISTENT_START: _(
            "There is no such time in {zone}: the clocks go forward from {clock_from} "
            "to {clock_to} that night. Send a time before {clock_from} or from {clock_to} on."
        ).format(zone=settings.timezone, clock_from=clock_from, clock_to=clock_to),
        SeminarInputError.AMBIGUOUS_START: _(
            "This time happens twice in {zone}: the clocks go back from {clock_from} "
            "to {clock_to} that night. Send a time before {clock_to} or from {clock_from} on."
        ).format(zone=settings.timezone, clock_from=clock_from, clock_to=clock_to),
        SeminarInputError.BAD_DURATION: _(
            "Send the duration in minutes (for example 90) or tap a button; at most 8 hours."
        ),
        SeminarInputError.BAD_CAPACITY: _(
            "Send the number of seats (1 to 10000), or tap «No limit»."
        ),
    }
    return texts[error.reason]


# ---------------------------------------------------------------------------- /seminars


async def start_wizard(message: Message, state: FSMContext) -> None:
    await state.set_state(SeminarNew.title)
    await state.set_data({"seminar": Draft().model_dump(mode="json")})
    await message.answer(
        _("A new seminar. Step 1 of 7.\n\nSend its title."), reply_markup=keyboards.cancel()
    )


async def take_title(message: Message, state: FSMContext) -> None:
    title = one_line(message.text)
    if not SEMINAR_TITLE.admits(title):
        await message.answer(
            _("The title must be 1 to {limit} characters long. Send it again.").format(
                limit=SEMINAR_TITLE.max_length
            ),
            reply_markup=keyboards.cancel(),
        )
        return
    await update_draft(state, title=title)
    await state.set_state(SeminarNew.description)
    await message.answer(
        _("Step 2 of 7. Describe the seminar in a few lines: what and for whom."),
        reply_markup=keyboards.seminar_step(
            (_("Skip"), SeminarWizardCb(step=SeminarStep.SKIP_DESCRIPTION))
        ),
    )


async def take_description(message: Message, state: FSMContext, settings: Settings) -> None:
    description = (message.text or "").strip()
    if not SEMINAR_DESCRIPTION.admits(description):
        await message.answer(
            _(
                "The description must be at most {limit} characters long. Send a shorter one."
            ).format(limit=SEMINAR_DESCRIPTION.max_length),
            reply_markup=keyboards.seminar_step(
                (_("Skip"), SeminarWizardCb(step=SeminarStep.SKIP_DESCRIPTION))
            ),
        )
        return
    await update_draft(state, description=description)
    await ask_start(message, state, settings)


async def skip_description(callback: CallbackQuery, state: FSMContext, settings: Settings) -> None:
    await ask_start(reply_target(callback), state, settings)


async def ask_start(
    target: Message | InaccessibleMessage, state: FSMContext, settings: Settings
) -> None:
    await state.set_state(SeminarNew.start)
    await target.answer(
        _(
            "Step 3 of 7. When does it start? Send the date and time in regional time "
            "({zone}), for example 25.12.2026 10:00."
        ).format(zone=settings.timezone),
        reply_markup=keyboards.cancel(),
    )


async def take_start(message: Message, state: FSMContext, settings: Settings, clock: Clock) -> None:
    now = dt.datetime.fromtimestamp(clock.now(), settings.tz)
    try:
        start = parse_start(message.text or "", now, settings.tz)
    except SeminarInputInvalid as exc:
        await message.answer(input_error_text(exc, settings), reply_markup=keyboards.cancel())
        return
    await update_draft(state, starts_at=int(start.timestamp()))
    await state.set_state(SeminarNew.duration)
    await message.answer(
        _("Step 4 of 7. How long is it? Tap or send the minutes."),
        reply_markup=keyboards.seminar_durations(),
    )


async def take_duration(message: Message, state: FSMContext, settings: Settings) -> None:
    try:
        minutes = parse_duration(message.text or "")
    except SeminarInputInvalid as exc:
        await message.answer(
            input_error_text(exc, settings), reply_markup=keyboards.seminar_durations()
        )
        return
    await set_duration(message, state, minutes)


async def pick_duration(
    callback: CallbackQuery, callback_data: SeminarDurationCb, state: FSMContext, settings: Settings
) -> None:
    try:
        minutes = parse_duration(str(callback_data.minutes))
    except SeminarInputInvalid as exc:
        await callback.answer(input_error_text(exc, settings), show_alert=True)
        return
    await set_duration(reply_target(callback), state, minutes)


async def set_duration(
    target: Message | InaccessibleMessage, state: FSMContext, minutes: int
) -> None:
    await update_draft(state, duration_minutes=minutes)
    await state.set_state(SeminarNew.place)
    await target.answer(
        _("Step 5 of 7. Where? Send the link to the online room or the address."),
        reply_markup=keyboards.cancel(),
    )


async def take_place(message: Message, state: FSMContext) -> None:
    place = one_line(message.text)
    if not SEMINAR_PLACE.admits(place):
        await message.answer(
            _("The place must be 1 to {limit} characters long. Send it again.").format(
                limit=SEMINAR_PLACE.max_length
            ),
            reply_markup=keyboards.cancel(),
        )
        return
    await update_draft(state, place=place)
    await state.set_state(SeminarNew.capacity)
    await message.answer(
        _("Step 6 of 7. How many seats? Send a number, or tap «No limit»."),
        reply_markup=keyboards.seminar_step(
            (_("No limit"), SeminarWizardCb(step=SeminarStep.NO_LIMIT))
        ),
    )


async def take_capacity(
    message: Message,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    try:
        capacity = parse_capacity(message.text or "")
    except SeminarInputInvalid as exc:
        await message.answer(
            input_error_text(exc, settings),
            reply_markup=keyboards.seminar_step(
                (_("No limit"), SeminarWizardCb(step=SeminarStep.NO_LIMIT))
            ),
        )
        return
    await set_capacity(message, state, capacity, actor, settings, seminars, registry, i18n)


async def no_limit(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    await set_capacity(
        reply_target(callback), state, None, actor, settings, seminars, registry, i18n
    )


async def set_capacity(
    target: Message | InaccessibleMessage,
    state: FSMContext,
    capacity: int | None,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    if actor.scope is not None:  # a scoped coordinator invites their territory
        draft = await update_draft(state, capacity=capacity, territory_id=actor.scope)
        await ask_confirmation(target, state, draft, actor, settings, seminars, registry, i18n)
        return
    await update_draft(state, capacity=capacity)
    await state.set_state(SeminarNew.audience)
    await target.answer(
        _("Step 7 of 7. Whom to invite: administrators of the whole region or of one territory?"),
        reply_markup=keyboards.seminar_audience(
            await registry.territories(), i18n.current_locale, 0
        ),
    )


async def turn_audience_page(
    callback: CallbackQuery,
    callback_data: SeminarAudiencePageCb,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    markup = keyboards.seminar_audience(
        await registry.territories(), i18n.current_locale, callback_data.page
    )
    target = reply_target(callback)
    if isinstance(target, Message) and target.reply_markup != markup:
        await target.edit_reply_markup(reply_markup=markup)


async def pick_audience(
    callback: CallbackQuery,
    callback_data: SeminarAudienceCb,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    territory_id = None
    if callback_data.territory_id is not None:
        territory = await registry.territory(callback_data.territory_id)
        if territory is None:
            await callback.answer(
                _("Unknown territory. Choose one of the buttons."), show_alert=True
            )
            return
        territory_id = territory.id
    draft = await update_draft(state, territory_id=territory_id)
    await ask_confirmation(
        reply_target(callback), state, draft, actor, settings, seminars, registry, i18n
    )


async def ask_confirmation(
    target: Message | InaccessibleMessage,
    state: FSMContext,
    draft: Draft,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    complete = draft.complete()
    if complete is None:  # the FSM data was lost or tampered with: start again
        await state.clear()
        await target.answer(_("The wizard lost its data. Start again with /seminar_new."))
        return
    locale = i18n.current_locale
    preview, count = await seminars.preview(actor, complete)
    if complete.territory_id is None:
        audience = _("the whole region")
    else:
        territory = await registry.territory(complete.territory_id)
        audience = territory.name(locale) if territory is not None else "?"
    await state.set_state(SeminarNew.confirm)
    await target.answer(
        seminar_card(preview, settings.tz, locale, i18n)
        + "\n\n"
        + ngettext(
            "Invited: administrators of {audience}, {count} person. Announce it?",
            "Invited: administrators of {audience}, {count} people. Announce it?",
            count,
        ).format(audience=escape(audience), count=number(count, locale)),
        reply_markup=keyboards.seminar_step(
            (_("📣 Announce"), SeminarWizardCb(step=SeminarStep.ANNOUNCE))
        ),
    )


async def announce(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    i18n: I18n,
) -> None:
    complete = (await load_draft(state)).complete()
    await state.clear()
    target = reply_target(callback)
    if complete is None:
        await target.answer(_("The wizard lost its data. Start again with /seminar_new."))
        return
    seminar, invited = await seminars.create(actor, complete)
    await target.answer(
        ngettext(
            "📣 The seminar «{title}» on {start} is announced: {count} administrator invited.",
            "📣 The seminar «{title}» on {start} is announced: {count} administrators invited.",
            invited,
        ).format(
            title=escape(seminar.title),
            start=moment(seminar.starts_at, settings.tz, i18n.current_locale),
            count=number(invited, i18n.current_locale),
        )
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_wizard, Command("seminar_new"))
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(take_title, SeminarNew.title, *text)
    router.message.register(take_description, SeminarNew.description, *text)
    router.callback_query.register(
        skip_description,
        SeminarNew.description,
        SeminarWizardCb.filter(F.step == SeminarStep.SKIP_DESCRIPTION),
    )
    router.message.register(take_start, SeminarNew.start, *text)
    router.message.register(take_duration, SeminarNew.duration, *text)
    router.callback_query.register(pick_duration, SeminarNew.duration, SeminarDurationCb.filter())
    router.message.register(take_place, SeminarNew.place, *text)
    router.message.register(take_capacity, SeminarNew.capacity, *text)
    router.callback_query.register(
        no_limit, SeminarNew.capacity, SeminarWizardCb.filter(F.step == SeminarStep.NO_LIMIT)
    )
    router.callback_query.register(
        turn_audience_page,
        SeminarNew.audience,
        SeminarAudiencePageCb.filter(),
    )
    router.callback_query.register(pick_audience, SeminarNew.audience, SeminarAudienceCb.filter())
    router.callback_query.register(
        announce, SeminarNew.confirm, SeminarWizardCb.filter(F.step == SeminarStep.ANNOUNCE)
    )
    return router
