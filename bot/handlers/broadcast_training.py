"""The /broadcast wizard's training screen: narrow the segment to one seminar's people
(registered, attended, registered but did not come) or to pages with no trained
administrator. Only seminars the coordinator oversees are offered, and a chosen one is
checked again by the service (and once more when the broadcast is sent).

Its router comes before the wizard's own, which takes the other screens."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain.roles import Actor
from bot.domain.segments import SeminarGroup
from bot.handlers.broadcast_draft import BroadcastDraft
from bot.handlers.broadcast_keyboards import CHECKED
from bot.handlers.callbacks import (
    BroadcastCb,
    BroadcastStep,
    SegmentChoice,
    SegmentOpenCb,
    TrainingSegmentCb,
    UntrainedCb,
)
from bot.handlers.common import edit_markup
from bot.handlers.states import Broadcasting
from bot.services.training import TrainingService
from bot.storage.training import SeminarRef
from bot.texts.training import group_label, seminar_choice


def training_keyboard(
    draft: BroadcastDraft, seminars: list[SeminarRef], tz: ZoneInfo, locale: str
) -> InlineKeyboardMarkup:
    """The training screen: pages with no trained administrator (on or off), then the
    recent seminars (the chosen one checked) and "no seminar", then Done."""
    segment = draft.segment
    builder = InlineKeyboardBuilder()
    builder.button(
        text=(CHECKED if segment.untrained else "") + _("Pages with no trained administrator"),
        callback_data=UntrainedCb(on=not segment.untrained),
    )
    builder.button(
        text=(CHECKED if segment.seminar_id is None else "") + _("Not by seminar"),
        callback_data=TrainingSegmentCb(),
    )
    for seminar in seminars:
        mark = CHECKED if segment.seminar_id == seminar.id else ""
        builder.button(
            text=mark + seminar_choice(seminar, tz, locale),
            callback_data=TrainingSegmentCb(seminar_id=seminar.id),
        )
    builder.button(text=_("⬅️ Done"), callback_data=BroadcastCb(step=BroadcastStep.BACK))
    builder.adjust(1)
    return builder.as_markup()


def groups_keyboard(draft: BroadcastDraft, seminar_id: int) -> InlineKeyboardMarkup:
    """Whom of the seminar: registered, attended, registered but did not come."""
    segment = draft.segment
    builder = InlineKeyboardBuilder()
    for group in SeminarGroup:
        chosen = segment.seminar_id == seminar_id and segment.seminar_group is group
        builder.button(
            text=(CHECKED if chosen else "") + group_label(group).capitalize(),
            callback_data=TrainingSegmentCb(seminar_id=seminar_id, group=group),
        )
    builder.button(text=_("⬅️ Back"), callback_data=SegmentOpenCb(choice=SegmentChoice.TRAINING))
    builder.adjust(1)
    return builder.as_markup()


async def training_screen(
    callback: CallbackQuery,
    callback_data: SegmentOpenCb | TrainingSegmentCb | UntrainedCb,
    state: FSMContext,
    actor: Actor,
    training: TrainingService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A tap on the training screen: open it, keep (or not) pages with no trained
    administrator, choose no seminar, show a seminar's groups, or choose one. A seminar
    the coordinator does not oversee (or that does not exist) is refused by the service."""
    draft = await BroadcastDraft.load(state)
    if isinstance(callback_data, UntrainedCb):
        segment = draft.segment.with_untrained(callback_data.on)
        draft = draft.model_copy(update={"segment": segment})
    elif isinstance(callback_data, TrainingSegmentCb) and callback_data.seminar_id == 0:
        segment = draft.segment.with_seminar(None, None)
        draft = draft.model_copy(update={"segment": segment, "seminar_title": None})
    elif isinstance(callback_data, TrainingSegmentCb):
        seminar = await training.seminar_for_segment(actor, callback_data.seminar_id)
        if callback_data.group is None:
            await edit_markup(callback, groups_keyboard(draft, seminar.id))
            return
        segment = draft.segment.with_seminar(seminar.id, callback_data.group)
        draft = draft.model_copy(update={"segment": segment, "seminar_title": seminar.title})
    await draft.save(state)
    seminars = await training.recent_seminars(actor)
    markup = training_keyboard(draft, seminars, settings.tz, i18n.current_locale)
    await edit_markup(callback, markup)


def build_router() -> Router:
    """The training screen's routes (include before `broadcast`'s router)."""
    router = Router(name=__name__)
    router.callback_query.register(
        training_screen,
        Broadcasting.segment,
        SegmentOpenCb.filter(F.choice == SegmentChoice.TRAINING),
    )
    for data in (TrainingSegmentCb, UntrainedCb):
        router.callback_query.register(training_screen, Broadcasting.segment, data.filter())
    return router
