"""/broadcast: the wizard in which a coordinator composes a message to a segment of
administrators, narrows the segment, previews and sends it. The progress of a sent one and
/broadcasts are in `broadcast_progress`."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.albums import AlbumProblem, album_problem
from bot.domain.roles import Actor
from bot.domain.segments import SILENCE_CHOICES, Dimension
from bot.handlers.broadcast_draft import BroadcastDraft, SegmentForm
from bot.handlers.broadcast_keyboards import (
    cancel_keyboard,
    choices_keyboard,
    confirm_keyboard,
    stop_keyboard,
    summary_keyboard,
)
from bot.handlers.callbacks import (
    BroadcastCb,
    BroadcastStep,
    SegmentChoice,
    SegmentOpenCb,
    SegmentToggleCb,
    SilenceCb,
)
from bot.handlers.common import edit_markup, leave_wizard, reply_target
from bot.handlers.states import Broadcasting
from bot.services.broadcasts import BroadcastService
from bot.services.registry import RegistryService
from bot.storage.records import Territory
from bot.texts.broadcasts import (
    Reach,
    album_refusal,
    preview_text,
    progress_text,
    summary_text,
)

#: A form whose segment the screens of choices narrow.
Form = TypeVar("Form", bound=SegmentForm)

#: Albums refused in one draft whose late items are still ignored.
REFUSED_REMEMBERED = 10


def _content_kind(message: Message) -> str:
    """What the message carries, as `bot.domain.albums` names kinds ("photo", "video", ...)."""
    kind = message.content_type
    return kind.value if isinstance(kind, ContentType) else str(kind)


async def ask_message(message: Message, state: FSMContext) -> None:
    """/broadcast: ask for the message to broadcast."""
    await state.set_state(Broadcasting.message)
    await BroadcastDraft().save(state)
    await message.answer(
        _(
            "Send the message to broadcast: text, a photo, a document or a video, with "
            "formatting. It will be copied to every recipient as it is."
        ),
        reply_markup=cancel_keyboard(),
    )


@dataclass(frozen=True, slots=True)
class Desk:
    """What the wizard's steps use besides the update, gathered once by its handler."""

    state: FSMContext
    actor: Actor
    broadcasts: BroadcastService
    registry: RegistryService
    i18n: I18n
    bot: Bot
    settings: Settings

    async def summary(self, draft: BroadcastDraft) -> str:
        """The draft's summary: who receives it, how many, the album's size."""
        return summary_text(await self.reach(draft), self.i18n.current_locale, self.i18n)

    async def reach(self, draft: BroadcastDraft) -> Reach:
        """Whom the draft reaches: its segment as the author may reach it, how many."""
        return Reach(
            draft.segment.within(self.actor.scope),
            await self.broadcasts.count(self.actor, draft.segment),
            await self.registry.territories(),
            len(draft.album),
            draft.seminar_title,
        )


async def compose(
    event: Message | CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
    bot: Bot,
    settings: Settings,
    callback_data: BroadcastCb | None = None,
) -> None:
    """What the wizard is told: the message to broadcast (or an album's items, one by one)
    and the taps on the summary and the preview (back, preview, send)."""
    desk = Desk(state, actor, broadcasts, registry, i18n, bot, settings)
    if isinstance(event, CallbackQuery):
        if callback_data is not None:
            await STEPS[callback_data.step](event, desk)
    elif await state.get_state() == Broadcasting.segment.state:
        await take_album_item(event, desk)
    else:
        await take_message(event, desk)


async def take_message(message: Message, desk: Desk) -> None:
    """The message to broadcast, or the first item of an album: on to the segment step.

    An album's items arrive as separate messages sharing a media_group_id; the first one
    starts the draft and the others join it in `take_album_item`. Late items of an album
    already refused are ignored.
    """
    before = await BroadcastDraft.load(desk.state)
    group = message.media_group_id
    draft = BroadcastDraft(
        source_chat_id=message.chat.id,
        source_message_id=message.message_id,
        refused_groups=before.refused_groups,
    )
    if group is not None:
        if group in before.refused_groups:
            return
        kind = _content_kind(message)
        if (problem := album_problem([kind])) is not None:
            await _refuse_album(message, desk, before, problem, 1)
            return
        draft = draft.model_copy(
            update={"album_group": group, "album": [message.message_id], "album_kinds": [kind]}
        )
    await desk.state.set_state(Broadcasting.segment)
    await draft.save(desk.state)
    summary = await message.answer(await desk.summary(draft), reply_markup=summary_keyboard())
    if group is not None:
        await draft.model_copy(update={"summary_message_id": summary.message_id}).save(desk.state)


async def take_album_item(message: Message, desk: Desk) -> None:
    """A later item of the draft's album joins it, and the summary's count follows; an
    item that makes the album one Telegram cannot copy as an album, or an item of another
    album, discards the draft with the reason."""
    draft = await BroadcastDraft.load(desk.state)
    group = message.media_group_id
    if group is None or group in draft.refused_groups:
        return
    if group != draft.album_group:
        await _refuse_album(message, desk, draft, AlbumProblem.SEVERAL, len(draft.album) + 1)
        return
    if message.message_id in draft.album:
        return  # the same update once more
    kinds = [*draft.album_kinds, _content_kind(message)]
    album = sorted([*draft.album, message.message_id])
    if (problem := album_problem(kinds)) is not None:
        await _refuse_album(message, desk, draft, problem, len(album))
        return
    draft = draft.model_copy(
        update={"album": album, "album_kinds": kinds, "source_message_id": album[0]}
    )
    await draft.save(desk.state)
    if draft.summary_message_id is not None:
        text = await desk.summary(draft)
        with contextlib.suppress(TelegramBadRequest):  # the summary was deleted
            await desk.bot.edit_message_text(
                text,
                chat_id=message.chat.id,
                message_id=draft.summary_message_id,
                reply_markup=summary_keyboard(),
            )


async def _refuse_album(
    message: Message, desk: Desk, draft: BroadcastDraft, problem: AlbumProblem, items: int
) -> None:
    """Back to the message step with the reason why the album of `message` (`items` items
    so far) cannot be broadcast. Its group, and the draft's own album if another, are
    remembered as refused: their late items are ignored there."""
    group, own = message.media_group_id, draft.album_group
    late = [own] if own and own != group else []
    refused = [*draft.refused_groups, *late, *([group] if group else [])]
    await desk.state.set_state(Broadcasting.message)
    await BroadcastDraft(refused_groups=refused[-REFUSED_REMEMBERED:]).save(desk.state)
    if draft.summary_message_id is not None:
        with contextlib.suppress(TelegramBadRequest):  # its buttons lead nowhere now
            await desk.bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=draft.summary_message_id, reply_markup=None
            )
    locale = desk.i18n.current_locale
    await message.answer(
        album_refusal(problem, items, locale, desk.i18n), reply_markup=cancel_keyboard()
    )


async def narrow_segment(
    callback: CallbackQuery,
    callback_data: SegmentOpenCb | SegmentToggleCb | SilenceCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """A tap on the screens that narrow the segment: open a screen (of territories, a
    screen `page` at a time), switch one value on or off, or keep only pages that have not
    reported for some days. A value the segment cannot take (forged, or a territory that
    does not exist) is refused. The screen is redrawn in the tapped message."""
    await redraw_narrowed(callback, callback_data, state, BroadcastDraft, registry, i18n)


async def redraw_narrowed(
    callback: CallbackQuery,
    data: SegmentOpenCb | SegmentToggleCb | SilenceCb,
    state: FSMContext,
    form: type[SegmentForm],
    registry: RegistryService,
    i18n: I18n,
    *,
    pages_only: bool = False,
) -> None:
    """Apply the tap `data` to the wizard's stored `form` (a broadcast's draft, a
    seminar's) and redraw the screen of choices in the tapped message. A value the
    segment cannot take (`narrowed` returns None) is refused with an alert, and so, with
    `pages_only`, is any screen that narrows by something else than a page's properties
    (the days of silence)."""
    draft = await form.load(state)
    territories = await registry.territories()
    tapped = narrowed(draft, data, territories)
    if tapped is None or (pages_only and tapped[1].dimension is None):
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    draft, choice = tapped
    await draft.save(state)
    await edit_markup(callback, choices_keyboard(choice, draft, territories, i18n))


def narrowed(
    draft: Form,
    data: SegmentOpenCb | SegmentToggleCb | SilenceCb,
    territories: list[Territory],
) -> tuple[Form, SegmentChoice] | None:
    """The form (a broadcast's draft, a seminar's) after the tap `data` on the screens of
    choices, and the screen to show; None for a value the segment cannot take (forged,
    or a territory that does not exist)."""
    if isinstance(data, SegmentOpenCb):
        return draft.model_copy(update={"choices_page": data.page}), data.choice
    if isinstance(data, SilenceCb):
        if data.days not in (0, *SILENCE_CHOICES):
            return None
        segment = draft.segment.with_silence(data.days)
        return draft.model_copy(update={"segment": segment}), SegmentChoice.SILENCE
    try:
        segment = draft.segment.toggled(data.dimension, data.value)
    except ValueError:
        return None
    known = {str(territory.id) for territory in territories}
    if data.dimension is Dimension.TERRITORY and data.value not in known:
        return None
    return draft.model_copy(update={"segment": segment}), SegmentChoice(data.dimension.value)


async def back_to_summary(callback: CallbackQuery, desk: Desk) -> None:
    """The draft's summary again, in the message of the tapped button."""
    target = reply_target(callback)
    if isinstance(target, Message):
        text = await desk.summary(await BroadcastDraft.load(desk.state))
        await target.edit_text(text, reply_markup=summary_keyboard())


async def preview(callback: CallbackQuery, desk: Desk) -> None:
    """The message as recipients will see it, and the question whether to send it."""
    draft = await BroadcastDraft.load(desk.state)
    source_chat_id, source_message_id = draft.source()
    reach = await desk.reach(draft)
    if draft.album:
        await desk.bot.copy_messages(callback.from_user.id, source_chat_id, draft.album)
    else:
        await desk.bot.copy_message(callback.from_user.id, source_chat_id, source_message_id)
    text = preview_text(reach, desk.i18n.current_locale, desk.i18n)
    await reply_target(callback).answer(text, reply_markup=confirm_keyboard())


async def send(callback: CallbackQuery, desk: Desk) -> None:
    """Queue the broadcast and show its progress, with the button that stops it."""
    draft = await BroadcastDraft.load(desk.state)
    source_chat_id, source_message_id = draft.source()
    broadcast = await desk.broadcasts.start(
        desk.actor,
        draft.segment,
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
        album=draft.album,
    )
    await desk.state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    progress = await desk.broadcasts.progress(broadcast.id)
    rate, locale = desk.settings.delivery_rate_per_second, desk.i18n.current_locale
    message = await desk.bot.send_message(
        callback.from_user.id,
        progress_text(progress, locale, rate, desk.i18n),
        reply_markup=None if progress.finished else stop_keyboard(broadcast.id),
    )
    await desk.broadcasts.attach_progress(broadcast.id, message.chat.id, message.message_id)


#: What each button under the summary and the preview does.
STEPS: dict[BroadcastStep, Callable[[CallbackQuery, Desk], Awaitable[None]]] = {
    BroadcastStep.BACK: back_to_summary,
    BroadcastStep.PREVIEW: preview,
    BroadcastStep.SEND: send,
}


async def cancel_draft(callback: CallbackQuery, state: FSMContext) -> None:
    """Leave the wizard; nothing is sent."""
    await leave_wizard(callback, state, _("Broadcast cancelled; nothing was sent."))


def build_router() -> Router:
    """The routes of /broadcast's wizard."""
    router = Router(name=__name__)
    router.message.register(ask_message, Command("broadcast"))
    router.message.register(compose, Broadcasting.message, ~F.text.startswith("/"))
    router.message.register(compose, Broadcasting.segment, F.media_group_id)
    router.callback_query.register(
        compose, Broadcasting.segment, BroadcastCb.filter(F.step.in_(set(STEPS)))
    )
    for data in (SegmentOpenCb, SegmentToggleCb, SilenceCb):
        router.callback_query.register(narrow_segment, Broadcasting.segment, data.filter())
    router.callback_query.register(cancel_draft, BroadcastCb.filter(F.step == BroadcastStep.CANCEL))
    return router
