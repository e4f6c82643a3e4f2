"""/seminar_new, a coordinator's wizard: title → description → start → duration → place
→ seats → audience → preview with the number invited → announce.

The steps are one table, `STEPS`: what each asks, how its answer is read (typed, or
tapped on one of its buttons) and which field of the draft it fills; each answer moves
the wizard on to the next row, and after the last one to the preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import ClassVar

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
from bot.handlers.forms import StoredForm
from bot.handlers.states import SeminarNew
from bot.services.clock import Clock
from bot.services.registry import RegistryService
from bot.services.seminars import SeminarDraft, SeminarService
from bot.texts.formats import moment, number
from bot.texts.seminars import input_error_text, seminar_card


class Draft(StoredForm):
    """What the wizard has gathered so far; kept in the FSM data between steps."""

    key: ClassVar[str | None] = "seminar"

    title: str | None = None
    description: str = ""
    starts_at: int | None = None
    duration_minutes: int | None = None
    place: str | None = None
    capacity: int | None = None
    territory_id: int | None = None

    def complete(self) -> SeminarDraft | None:
        """The seminar to announce, or None while a required step is unanswered."""
        return self.as_record(SeminarDraft, optional=frozenset({"capacity", "territory_id"}))


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
Tap = SeminarWizardCb | SeminarDurationCb | SeminarAudienceCb


@dataclass(frozen=True, slots=True)
class Step:
    """One question of the wizard: the state that waits for its answer, the draft's field
    the answer fills, the question, the buttons under it and under a refused answer (None:
    the territories to choose the audience from), and how a typed answer is read (None:
    only a button answers it)."""

    state: State
    field: str
    question: Callable[[Settings], str]
    keyboard: Callable[[], InlineKeyboardMarkup] | None
    read: Reader | None


def _text(limit: TextLimit, refusal: Callable[[], str], *, one_line: bool = True) -> Reader:
    """A text within `limit`, folded to one line or (`one_line` False) only trimmed;
    `refusal()` says why not, its `{limit}` filled."""

    def read(text: str, _wizard: Wizard) -> str:
        answer = " ".join(text.split()) if one_line else text.strip()
        if not limit.admits(answer):
            raise Refused(refusal().format(limit=limit.max_length))
        return answer

    return read


def _parsed(parse: Callable[[str], int]) -> Callable[[str, Wizard], int]:
    """A number read by the domain's `parse`; its refusal told in the current language."""

    def read(text: str, wizard: Wizard) -> int:
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


STEPS = (
    Step(
        SeminarNew.title,
        "title",
        lambda _settings: _("A new seminar. Step 1 of 7.\n\nSend its title."),
        keyboards.cancel,
        _text(
            SEMINAR_TITLE,
            lambda: _("The title must be 1 to {limit} characters long. Send it again."),
        ),
    ),
    Step(
        SeminarNew.description,
        "description",
        lambda _settings: _("Step 2 of 7. Describe the seminar in a few lines: what and for whom."),
        keyboards.seminar_skip,
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
            "Step 3 of 7. When does it start? Send the date and time in regional time "
            "({zone}), for example 25.12.2026 10:00."
        ).format(zone=settings.timezone),
        keyboards.cancel,
        _start,
    ),
    Step(
        SeminarNew.duration,
        "duration_minutes",
        lambda _settings: _("Step 4 of 7. How long is it? Tap or send the minutes."),
        keyboards.seminar_durations,
        _parsed(parse_duration),
    ),
    Step(
        SeminarNew.place,
        "place",
        lambda _settings: _("Step 5 of 7. Where? Send the link to the online room or the address."),
        keyboards.cancel,
        _text(
            SEMINAR_PLACE,
            lambda: _("The place must be 1 to {limit} characters long. Send it again."),
        ),
    ),
    Step(
        SeminarNew.capacity,
        "capacity",
        lambda _settings: _("Step 6 of 7. How many seats? Send a number, or tap «No limit»."),
        keyboards.seminar_no_limit,
        _parsed(parse_capacity),
    ),
    Step(
        SeminarNew.audience,
        "territory_id",
        lambda _settings: _(
            "Step 7 of 7. Whom to invite: administrators of the whole region or of one territory?"
        ),
        None,
        None,
    ),
)
#: The step waiting in each state.
STEP_AT = {step.state.state: step for step in STEPS}


async def _tapped(data: Tap, wizard: Wizard) -> object:
    """The answer a button gives: the minutes of a duration (checked as if typed), the
    audience (a territory that exists, or None for the whole region), or nothing (no
    description, no limit of seats)."""
    if isinstance(data, SeminarDurationCb):
        return _parsed(parse_duration)(str(data.minutes), wizard)
    if isinstance(data, SeminarAudienceCb):
        if data.territory_id is None:
            return None
        territory = await wizard.registry.territory(data.territory_id)
        if territory is None:
            raise Refused(_("Unknown territory. Choose one of the buttons."))
        return territory.id
    return "" if data.step is SeminarStep.SKIP_DESCRIPTION else None


async def buttons(step: Step, wizard: Wizard) -> InlineKeyboardMarkup:
    """The buttons under `step`'s question: its own, or the first screen of territories."""
    if step.keyboard is not None:
        return step.keyboard()
    territories = await wizard.registry.territories()
    return keyboards.seminar_audience(territories, wizard.i18n.current_locale, 0)


async def ask(target: Message | InaccessibleMessage, step: Step, wizard: Wizard) -> None:
    """Put `step`'s question, and wait for its answer."""
    await wizard.state.set_state(step.state)
    await target.answer(step.question(wizard.settings), reply_markup=await buttons(step, wizard))


async def advance(
    target: Message | InaccessibleMessage, step: Step, value: object, wizard: Wizard
) -> None:
    """Record the answer to `step` and ask the next question; after the last one, or for
    a scoped coordinator (who invites their territory) after the seats, the preview."""
    draft = await Draft.update(wizard.state, **{step.field: value})
    later = STEPS[STEPS.index(step) + 1 :]
    if later and later[0].state == SeminarNew.audience and wizard.actor.scope is not None:
        draft = await Draft.update(wizard.state, territory_id=wizard.actor.scope)
        later = ()
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
    refused one is told why (a typed one under the step's buttons again)."""
    step = STEP_AT[await state.get_state() or ""]
    wizard = Wizard(state, actor, settings, clock, seminars, registry, i18n)
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
    preview, count = await wizard.seminars.preview(wizard.actor, complete)
    if complete.territory_id is None:
        audience = _("the whole region")
    else:
        territory = await wizard.registry.territory(complete.territory_id)
        audience = territory.name(locale) if territory is not None else "?"
    await wizard.state.set_state(SeminarNew.confirm)
    await target.answer(
        seminar_card(preview, wizard.settings.tz, locale, i18n)
        + "\n\n"
        + ngettext(
            "Invited: administrators of {audience}, {count} person. Announce it?",
            "Invited: administrators of {audience}, {count} people. Announce it?",
            count,
        ).format(audience=escape(audience), count=number(count, locale)),
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
        (SeminarNew.capacity, SeminarWizardCb.filter(F.step == SeminarStep.NO_LIMIT)),
        (SeminarNew.audience, SeminarAudienceCb.filter()),
    ):
        router.callback_query.register(take_answer, state, button)
    router.callback_query.register(
        turn_audience_page, SeminarNew.audience, SeminarAudiencePageCb.filter()
    )
    router.callback_query.register(
        announce, SeminarNew.confirm, SeminarWizardCb.filter(F.step == SeminarStep.ANNOUNCE)
    )
    return router
