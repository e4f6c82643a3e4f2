"""Before a seminar, its reminder's "I can't come" button; after it, the attendee's rating
(buttons), then an optional comment (one message, or Skip); and the coordinators'
FEEDBACK button on the seminar's card: the average and the comments."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.limits import FEEDBACK_COMMENT
from bot.domain.messages import split_message
from bot.domain.roles import Actor
from bot.handlers.callbacks import (
    FeedbackRateCb,
    FeedbackSkipCb,
    SeminarAction,
    SeminarCb,
)
from bot.handlers.common import reply_target
from bot.handlers.forms import StoredForm, fits
from bot.handlers.keyboards import keyboard
from bot.handlers.states import Feedback
from bot.services.feedback import RATINGS, FeedbackService
from bot.storage.seminars import Seminar
from bot.texts.seminar_followups import feedback_summary, rated


class Commenting(StoredForm):
    """The seminar whose rating the attendee may comment on; the FSM data's entry."""

    key = "feedback"

    seminar_id: int


def reminder_buttons(seminar: Seminar) -> InlineKeyboardMarkup:
    """Under a seminar's reminder: give the seat up."""
    leave = SeminarCb(action=SeminarAction.LEAVE, seminar_id=seminar.id)
    return keyboard([(_("🙅 I can't come"), leave)])


def rating_buttons(seminar: Seminar) -> InlineKeyboardMarkup:
    """Under the rating question: 1 to 5, in one row."""
    return keyboard(
        [(str(rating), FeedbackRateCb(seminar_id=seminar.id, rating=rating)) for rating in RATINGS]
    )


def skip_button(seminar_id: int) -> InlineKeyboardMarkup:
    """Under the offer to comment: no comment."""
    return keyboard([(_("Skip"), FeedbackSkipCb(seminar_id=seminar_id))])


async def rate_seminar(
    callback: CallbackQuery,
    callback_data: FeedbackRateCb,
    state: FSMContext,
    actor: Actor,
    feedback: FeedbackService,
) -> None:
    """A rating button: store the rating, then wait for a comment in `Feedback.comment`."""
    seminar = await feedback.rate(actor, callback_data.seminar_id, callback_data.rating)
    await state.set_state(Feedback.comment)
    await Commenting(seminar_id=seminar.id).save(state)
    target = reply_target(callback)
    text, markup = rated(seminar, callback_data.rating), skip_button(seminar.id)
    if isinstance(target, Message):
        await target.edit_text(text, reply_markup=markup)
    else:
        await target.answer(text, reply_markup=markup)


async def add_comment(
    message: Message, state: FSMContext, actor: Actor, feedback: FeedbackService
) -> None:
    """The comment, in one message, on the seminar just rated."""
    text = (message.text or "").strip()
    refusal = _("The comment must be 1 to {limit} characters long.")
    form = await Commenting.load(state)
    if not await fits(message, text, FEEDBACK_COMMENT, refusal, skip_button(form.seminar_id)):
        return
    await feedback.comment(actor, form.seminar_id, text)
    await state.clear()
    await message.answer(_("Thank you for your feedback!"))


async def skip_comment(callback: CallbackQuery, state: FSMContext) -> None:
    """Skip (after a rating): no comment; the step ends and its button goes."""
    await state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    await callback.answer(_("Thank you for your feedback!"))


async def show_feedback(
    callback: CallbackQuery,
    callback_data: SeminarCb,
    actor: Actor,
    feedback: FeedbackService,
    i18n: I18n,
) -> None:
    """A coordinator's FEEDBACK button: the seminar's ratings and comments, re-checked by
    the service (the coordinator must oversee the seminar)."""
    summary = await feedback.summary(actor, callback_data.seminar_id)
    target = reply_target(callback)
    for part in split_message(feedback_summary(summary, i18n.current_locale, i18n)):
        await target.answer(part)


def build_router() -> Router:
    """Everyone's: rating, comment, skip."""
    router = Router(name=__name__)
    router.callback_query.register(rate_seminar, FeedbackRateCb.filter())
    router.callback_query.register(
        skip_comment, FeedbackSkipCb.filter(), StateFilter(Feedback.comment)
    )
    router.message.register(add_comment, Feedback.comment, F.text, ~F.text.startswith("/"))
    return router


def build_coordinator_router() -> Router:
    """Coordinators': the FEEDBACK button of a seminar's card."""
    router = Router(name=f"{__name__}.coordinator")
    router.callback_query.register(
        show_feedback, SeminarCb.filter(F.action == SeminarAction.FEEDBACK)
    )
    return router
