"""/seminar_new, a coordinator's wizard: title → description → start → duration →
academic hours → place → seats → audience (a segment narrowed on /broadcast's screens of
choices) → preview with the number invited → announce.

The steps are one table, `STEPS`: what each asks, how its answer is read (typed, or
tapped on one of its buttons) and which field of the draft it fills; each answer moves
the wizard on to the next row, and after the last one to the preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import ClassVar, TypeVar

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.limits import SEMINAR_DESCRIPTION, SEMINAR_PLACE, SEMINAR_TITLE, TextLimit
from bot.domain.roles import Actor
from bot.domain.seminars import (
    SeminarInputInvalid,
    default_academic_hours,
    parse_academic_hours,
    parse_capacity,
    parse_duration,
    parse_place,
    parse_start,
)
from bot.handlers import keyboards
from bot.handlers.broadcast import redraw_narrowed
from bot.handlers.broadcast_draft import SegmentForm
from bot.handlers.broadcast_keyboards import screen_buttons
from bot.handlers.callbacks import (
    BroadcastCb,
    BroadcastStep,
    SegmentChoice,
    SegmentOpenCb,
    SegmentToggleCb,
    SeminarDurationCb,
    SeminarHoursCb,
    SeminarStep,
    SeminarWizardCb,
)
from bot.handlers.common import reply_target
from bot.handlers.states import SeminarNew
from bot.services.clock import Clock
from bot.services.registry import RegistryService
from bot.services.seminars import SeminarDraft, SeminarService
from bot.texts.broadcasts import describe
from bot.texts.formats import moment, number
from bot.texts.seminars import input_error_text, seminar_card


class Draft(SegmentForm):
    """What the wizard has gathered so far; kept in the FSM data between steps."""

    key: ClassVar[str | None] = "seminar"

    title: str | None = None
    description: str = ""
    starts_at: int | None = None
    duration_minutes: int | None = None
    academic_hours: int | None = None
    place: str | None = None
    capacity: int | None = None

    def complete(self) -> SeminarDraft | None:
        """The seminar to announce, or None while a required step is unanswered."""
        return self.as_record(
            SeminarDraft, optional=frozenset({"capacity"}), exclude=frozenset({"choices_page"})
        )


@dataclass(frozen=True, slots=True)
class Wizard:
    """What the steps use besides the update, gathered once by each handler."""

    state: FSMContext
    actor: Actor
    settings: Settings
    clock: Clock
    seminars: SeminarService
    registry: RegistryService
    i18n: I18n


class Refused(Exception):
    """An answer the step does not take; `text` says why, in the current language."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


#: How a step reads a typed answer into its field's value; raises Refused.
Reader = Callable[[str, Wizard], object]
#: The buttons that answer a step without typing.
Tap = SeminarWizardCb | SeminarDurationCb | SeminarHoursCb | BroadcastCb


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the wizard: the state that waits for its answer, the draft's field
    the answer fills, the question, the buttons under it and under a refused answer (made
    from the draft so far; None: the screens that narrow the audience), and how a typed
    answer is read (None: only a button answers it)."""

    state: State
    field: str
    question: Callable[[Settings], str]
    keyboard: Callable[[Draft], InlineKeyboardMarkup] | None
    read: Reader | None


def fixed(make: Callable[[], InlineKeyboardMarkup]) -> Callable[[Draft], InlineKeyboardMarkup]:
    """A step's buttons that do not depend on the draft."""
    return lambda _draft: make()


def _default_hours(draft: Draft) -> InlineKeyboardMarkup:
    """Under the academic hours' question: the default for the duration chosen."""
    return keyboards.seminar_hours(default_academic_hours(draft.duration_minutes or 1))


def _text(
    limit: TextLimit, refusal: Callable[[], str], *, one_line: bool = True
) -> Callable[[str, Wizard], str]:
    """A text within `limit`, folded to one line or (`one_line` False) only trimmed;
    `refusal()` says why not, its `{limit}` filled."""

    def read(text: str, _wizard: Wizard) -> str:
        answer = " ".join(text.split()) if one_line else text.strip()
        if not limit.admits(answer):
            raise Refused(refusal().format(limit=limit.max_length))
        return answer

    return read


Parsed = TypeVar("Parsed")


def _parsed(parse: Callable[[str], Parsed]) -> Callable[[str, Wizard], Parsed]:
    """A value read by the domain's `parse`; its refusal told in the current language."""

    def read(text: str, wizard: Wizard) -> Parsed:
        try:
            return parse(text)
        except SeminarInputInvalid as exc:
            raise Refused(input_error_text(exc, wizard.settings.timezone)) from exc

    return read


def _start(text: str, wizard: Wizard) -> int:
    """The start typed in regional time, as a Unix time."""
    tz = wizard.settings.tz
    now = dt.datetime.fromtimestamp(wizard.clock.now(), tz)
    return _parsed(lambda typed: int(parse_start(typed, now, tz).timestamp()))(text, wizard)


_place_length = _text(
    SEMINAR_PLACE, lambda: _("The place must be 1 to {limit} characters long. Send it again.")
)


def _place(text: str, wizard: Wizard) -> str:
    """An address, or a link to the online room that must be a right one."""
    return _place_length(_parsed(parse_place)(text, wizard), wizard)


STEPS = (
    Step(
        SeminarNew.title,
        "title",
        lambda _settings: _("A new seminar. Step 1 of 8.\n\nSend its title."),
        fixed(keyboards.cancel),
        _text(
            SEMINAR_TITLE,
            lambda: _("The title must be 1 to {limit} characters long. Send it again."),
        ),
    ),
    Step(
        SeminarNew.description,
        "description",
        lambda _settings: _("Step 2 of 8. Describe the seminar in a few lines: what and for whom."),
        fixed(keyboards.seminar_skip),
        _text(
            SEMINAR_DESCRIPTION,
            lambda: _(
                "The description must be at most {limit} characters long. Send a shorter one."
            ),
            one_line=False,
        ),
    ),
    Step(
        SeminarNew.start,
        "starts_at",
        lambda settings: _(
            "Step 3 of 8. When does it start? Send the date and time in regional time "
            "({zone}), for example 25.12.2026 10:00."
        ).format(zone=settings.timezone),
        fixed(keyboards.cancel),
        _start,
    ),
    Step(
        SeminarNew.duration,
        "duration_minutes",
        lambda _settings: _("Step 4 of 8. How long is it? Tap or send the minutes."),
        fixed(keyboards.seminar_durations),
        _parsed(parse_duration),
    ),
    Step(
        SeminarNew.hours,
        "academic_hours",
        lambda _settings: _(
            "Step 5 of 8. How many academic hours (45 minutes each) does it count for in "
            "the continuing-education record? Tap the default or send a number from 1 to 24."
        ),
        _default_hours,
        _parsed(parse_academic_hours),
    ),
    Step(
        SeminarNew.place,
        "place",
        lambda _settings: _("Step 6 of 8. Where? Send the link to the online room or the address."),
        fixed(keyboards.cancel),
        _place,
    ),
    Step(
        SeminarNew.capacity,
        "capacity",
        lambda _settings: _("Step 7 of 8. How many seats? Send a number, or tap «No limit»."),
        fixed(keyboards.seminar_no_limit),
        _parsed(parse_capacity),
    ),
    Step(
        SeminarNew.audience,
        "segment",
        lambda _settings: _(
            "Step 8 of 8. Whom to invite? Narrow the audience by territory, level, theme or "
            "platform with the buttons (nothing chosen: everyone), then tap «Done»."
        ),
        None,
        None,
    ),
)
#: The step waiting in each state.
STEP_AT = {step.state.state: step for step in STEPS}


async def _tapped(data: Tap, wizard: Wizard) -> object:
    """The answer a button gives: the minutes of a duration or the academic hours (checked
    as if typed), the audience chosen on the screens of choices, or nothing (no
    description, no limit of seats)."""
    if isinstance(data, SeminarWizardCb) and data.step is SeminarStep.AUDIENCE_DONE:
        return (await Draft.load(wizard.state)).segment
    if isinstance(data, SeminarDurationCb):
        return _parsed(parse_duration)(str(data.minutes), wizard)
    if isinstance(data, SeminarHoursCb):
        return _parsed(parse_academic_hours)(str(data.hours), wizard)
    return (
        ""
        if isinstance(data, SeminarWizardCb) and data.step is SeminarStep.SKIP_DESCRIPTION
        else None
    )


async def buttons(step: Step, wizard: Wizard) -> InlineKeyboardMarkup:
    """The buttons under `step`'s question: its own, or the screens that narrow the
    audience."""
    if step.keyboard is not None:
        return step.keyboard(await Draft.load(wizard.state))
    return audience_keyboard(wizard.actor)


def audience_keyboard(actor: Actor) -> InlineKeyboardMarkup:
    """The screens that narrow a seminar's audience (no territory for a coordinator of
    one: theirs is invited), Done, Cancel."""
    choices = [SegmentChoice.LEVEL, SegmentChoice.THEME, SegmentChoice.PLATFORM]
    if actor.scope is None:
        choices.insert(0, SegmentChoice.TERRITORY)
    done = (_("✅ Done"), SeminarWizardCb(step=SeminarStep.AUDIENCE_DONE))
    return keyboards.keyboard([*screen_buttons(choices), done, keyboards.cancel_button()], 2, 2, 1)


async def audience(draft: Draft, wizard: Wizard) -> tuple[str, int]:
    """Who the draft invites as its author may invite (plain text, in the current
    language), and how many administrators that is."""
    segment = draft.segment.within(wizard.actor.scope)
    count = await wizard.seminars.audience_count(wizard.actor, draft.segment)
    territories = await wizard.registry.territories()
    i18n = wizard.i18n
    return describe(segment, territories, i18n.current_locale, i18n), count


async def question(step: Step, wizard: Wizard) -> str:
    """`step`'s question; the audience's with who is invited so far."""
    text = step.question(wizard.settings)
    if step.state != SeminarNew.audience:
        return text
    invited, count = await audience(await Draft.load(wizard.state), wizard)
    return (
        text
        + "\n\n"
        + ngettext(
            "Invited now: {audience}, {count} person.",
            "Invited now: {audience}, {count} people.",
            count,
        ).format(audience=escape(invited), count=number(count, wizard.i18n.current_locale))
    )


async def ask(target: Message | InaccessibleMessage, step: Step, wizard: Wizard) -> None:
    """Put `step`'s question, and wait for its answer."""
    await wizard.state.set_state(step.state)
    await target.answer(await question(step, wizard), reply_markup=await buttons(step, wizard))


async def advance(
    target: Message | InaccessibleMessage, step: Step, value: object, wizard: Wizard
) -> None:
    """Record the answer to `step` and ask the next question; after the last one, the
    preview."""
    draft = await Draft.update(wizard.state, **{step.field: value})
    later = STEPS[STEPS.index(step) + 1 :]
    if later:
        await ask(target, later[0], wizard)
    else:
        await ask_confirmation(target, draft, wizard)


async def start_wizard(message: Message, state: FSMContext, settings: Settings) -> None:
    """/seminar_new: a fresh draft, and the first question (its one button: Cancel)."""
    await state.set_state(SeminarNew.title)
    await Draft().save(state)
    await message.answer(STEPS[0].question(settings), reply_markup=keyboards.cancel())


async def take_answer(
    event: Message | CallbackQuery,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    seminars: SeminarService,
    registry: RegistryService,
    i18n: I18n,
    callback_data: Tap | None = None,
) -> None:
    """The answer to the step the wizard is at: typed, or tapped on one of its buttons. A
    refused one is told why (a typed one under the step's buttons again). "Done" on a
    screen of the audience's choices is no answer yet: the audience's question comes
    back, with who is invited now, in the tapped message."""
    step = STEP_AT[await state.get_state() or ""]
    wizard = Wizard(state, actor, settings, clock, seminars, registry, i18n)
    if isinstance(callback_data, BroadcastCb):
        target = reply_target(event)
        if isinstance(target, Message):
            markup = audience_keyboard(actor)
            await target.edit_text(await question(step, wizard), reply_markup=markup)
        return
    try:
        if isinstance(event, Message):
            value = step.read(event.text or "", wizard) if step.read else None
        else:
            value = await _tapped(callback_data, wizard) if callback_data else None
    except Refused as refusal:
        if isinstance(event, Message):
            await event.answer(refusal.text, reply_markup=await buttons(step, wizard))
        else:
            await event.answer(refusal.text, show_alert=True)
        return
    await advance(reply_target(event), step, value, wizard)


async def narrow_audience(
    callback: CallbackQuery,
    callback_data: SegmentOpenCb | SegmentToggleCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """A tap on the screens that narrow the audience, as /broadcast's (open a screen,
    switch a value); a value the segment cannot take, or the days of silence (not a
    seminar's), is refused. The screen is redrawn in the tapped message."""
    await redraw_narrowed(callback, callback_data, state, Draft, registry, i18n, pages_only=True)


async def ask_confirmation(
    target: Message | InaccessibleMessage, draft: Draft, wizard: Wizard
) -> None:
    """The seminar's card as it will be announced, the number invited, and the button that
    announces it."""
    complete = draft.complete()
    if complete is None:  # the FSM data was lost or tampered with: start again
        await wizard.state.clear()
        await target.answer(_("The wizard lost its data. Start again with /seminar_new."))
        return
    locale, i18n = wizard.i18n.current_locale, wizard.i18n
    preview, _count = await wizard.seminars.preview(wizard.actor, complete)
    invited, count = await audience(draft, wizard)
    await wizard.state.set_state(SeminarNew.confirm)
    await target.answer(
        seminar_card(preview, wizard.settings.tz, locale, i18n)
        + "\n\n"
        + ngettext(
            "Invited: {audience}, {count} person. Announce it?",
            "Invited: {audience}, {count} people. Announce it?",
            count,
        ).format(audience=escape(invited), count=number(count, locale)),
        reply_markup=keyboards.seminar_announce(),
    )


async def announce(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    settings: Settings,
    seminars: SeminarService,
    i18n: I18n,
) -> None:
    complete = (await Draft.load(state)).complete()
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
    typed = StateFilter(*(step.state for step in STEPS if step.read is not None))
    router.message.register(take_answer, typed, F.text, ~F.text.startswith("/"))
    for state, button in (
        (SeminarNew.description, SeminarWizardCb.filter(F.step == SeminarStep.SKIP_DESCRIPTION)),
        (SeminarNew.duration, SeminarDurationCb.filter()),
        (SeminarNew.hours, SeminarHoursCb.filter()),
        (SeminarNew.capacity, SeminarWizardCb.filter(F.step == SeminarStep.NO_LIMIT)),
    ):
        router.callback_query.register(take_answer, state, button)
    for data in (SegmentOpenCb, SegmentToggleCb):
        router.callback_query.register(narrow_audience, SeminarNew.audience, data.filter())
    for done in (
        BroadcastCb.filter(F.step == BroadcastStep.BACK),
        SeminarWizardCb.filter(F.step == SeminarStep.AUDIENCE_DONE),
    ):
        router.callback_query.register(take_answer, SeminarNew.audience, done)
    router.callback_query.register(
        announce, SeminarNew.confirm, SeminarWizardCb.filter(F.step == SeminarStep.ANNOUNCE)
    )
    return router
