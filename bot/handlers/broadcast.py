"""/broadcast: a coordinator's message to a segment of administrators; /broadcasts."""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.albums import AlbumProblem, album_problem
from bot.domain.roles import Actor
from bot.domain.segments import SILENCE_CHOICES, Dimension
from bot.handlers import keyboards
from bot.handlers.broadcast_draft import BroadcastDraft, load_draft, save_draft
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
    BroadcastStopCb,
    ListCb,
    ListKind,
    SegmentChoice,
    SegmentOpenCb,
    SegmentToggleCb,
    SilenceCb,
)
from bot.handlers.common import edit_list, reply_target
from bot.handlers.states import Broadcasting
from bot.services.broadcasts import BroadcastService
from bot.services.registry import RegistryService
from bot.services.users import UserService
from bot.storage.records import User
from bot.texts.broadcasts import (
    album_refusal,
    broadcasts_list,
    no_broadcasts,
    preview_text,
    progress_text,
    summary_text,
)

#: Albums refused in one draft whose late items are still ignored.
REFUSED_REMEMBERED = 10


async def _summary(
    draft: BroadcastDraft,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
) -> str:
    return summary_text(
        draft.segment.within(actor.scope),
        await broadcasts.count(actor, draft.segment),
        await registry.territories(),
        len(draft.album),
        i18n.current_locale,
        i18n,
    )


def _content_kind(message: Message) -> str:
    """What the message carries, as `bot.domain.albums` names kinds ("photo", "video", ...)."""
    kind = message.content_type
    return kind.value if isinstance(kind, ContentType) else str(kind)


async def ask_message(message: Message, state: FSMContext) -> None:
    """/broadcast: ask for the message to broadcast."""
    await state.set_state(Broadcasting.message)
    await save_draft(state, BroadcastDraft())
    await message.answer(
        _(
            "Send the message to broadcast: text, a photo, a document or a video, with "
            "formatting. It will be copied to every recipient as it is."
        ),
        reply_markup=cancel_keyboard(),
    )


async def take_message(
    message: Message,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The message to broadcast, or the first item of an album: on to the segment step.

    An album's items arrive as separate messages sharing a media_group_id; the first one
    starts the draft and the others join it in `take_album_item`. Late items of an album
    already refused are ignored.
    """
    refused = (await load_draft(state)).refused_groups
    group = message.media_group_id
    draft = BroadcastDraft(
        source_chat_id=message.chat.id,
        source_message_id=message.message_id,
        refused_groups=refused,
    )
    if group is not None:
        if group in refused:
            return
        kind = _content_kind(message)
        if (problem := album_problem([kind])) is not None:
            await _refuse_album(message, state, bot, i18n, problem, 1, [*refused, group], None)
            return
        draft = draft.model_copy(
            update={"album_group": group, "album": [message.message_id], "album_kinds": [kind]}
        )
    await state.set_state(Broadcasting.segment)
    await save_draft(state, draft)
    summary = await message.answer(
        await _summary(draft, actor, broadcasts, registry, i18n), reply_markup=summary_keyboard()
    )
    if group is not None:
        await save_draft(state, draft.model_copy(update={"summary_message_id": summary.message_id}))


async def take_album_item(
    message: Message,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
    bot: Bot,
) -> None:
    """A later item of the draft's album joins it, and the summary's count follows; an
    item that makes the album one Telegram cannot copy as an album, or an item of another
    album, discards the draft with the reason."""
    draft = await load_draft(state)
    group = message.media_group_id
    refused = draft.refused_groups
    if group is None or group in refused:
        return
    summary_id = draft.summary_message_id
    own = draft.album_group
    if group != own:
        groups = [*refused, *([own] if own else []), group]
        items = len(draft.album) + 1
        await _refuse_album(
            message, state, bot, i18n, AlbumProblem.SEVERAL, items, groups, summary_id
        )
        return
    if message.message_id in draft.album:
        return  # the same update once more
    kinds = [*draft.album_kinds, _content_kind(message)]
    album = sorted([*draft.album, message.message_id])
    if (problem := album_problem(kinds)) is not None:
        groups = [*refused, group]
        await _refuse_album(message, state, bot, i18n, problem, len(album), groups, summary_id)
        return
    draft = draft.model_copy(
        update={"album": album, "album_kinds": kinds, "source_message_id": album[0]}
    )
    await save_draft(state, draft)
    if summary_id is not None:
        text = await _summary(draft, actor, broadcasts, registry, i18n)
        with contextlib.suppress(TelegramBadRequest):  # the summary was deleted
            await bot.edit_message_text(
                text,
                chat_id=message.chat.id,
                message_id=summary_id,
                reply_markup=summary_keyboard(),
            )


async def _refuse_album(
    message: Message,
    state: FSMContext,
    bot: Bot,
    i18n: I18n,
    problem: AlbumProblem,
    items: int,
    refused_groups: list[str],
    summary_id: int | None,
) -> None:
    """Back to the message step with the reason; the refused albums' late items (their
    groups are remembered) are ignored there."""
    await state.set_state(Broadcasting.message)
    await save_draft(state, BroadcastDraft(refused_groups=refused_groups[-REFUSED_REMEMBERED:]))
    if summary_id is not None:
        with contextlib.suppress(TelegramBadRequest):  # its buttons lead nowhere now
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=summary_id, reply_markup=None
            )
    await message.answer(
        album_refusal(problem, items, i18n.current_locale, i18n), reply_markup=cancel_keyboard()
    )


async def _redraw_choices(
    callback: CallbackQuery,
    choice: SegmentChoice,
    draft: BroadcastDraft,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    target = reply_target(callback)
    if isinstance(target, Message):
        territories = await registry.territories()
        markup = choices_keyboard(
            choice, draft.segment, territories, i18n.current_locale, i18n, draft.choices_page
        )
        if target.reply_markup != markup:
            await target.edit_reply_markup(reply_markup=markup)


async def open_choices(
    callback: CallbackQuery,
    callback_data: SegmentOpenCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """Show one screen of choices that narrow the segment."""
    draft = (await load_draft(state)).model_copy(update={"choices_page": callback_data.page})
    await save_draft(state, draft)
    await _redraw_choices(callback, callback_data.choice, draft, registry, i18n)


async def toggle_choice(
    callback: CallbackQuery,
    callback_data: SegmentToggleCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """Switch one value of the segment on or off; a value the segment cannot take (forged,
    or a territory that does not exist) is refused."""
    draft = await load_draft(state)
    dimension = callback_data.dimension
    try:
        segment = draft.segment.toggled(dimension, callback_data.value)
    except ValueError:
        segment = None
    if segment is not None and dimension is Dimension.TERRITORY:
        known = {str(territory.id) for territory in await registry.territories()}
        segment = segment if callback_data.value in known else None
    if segment is None:
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    draft = draft.model_copy(update={"segment": segment})
    await save_draft(state, draft)
    await _redraw_choices(callback, SegmentChoice(dimension.value), draft, registry, i18n)


async def choose_silence(
    callback: CallbackQuery,
    callback_data: SilenceCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """Keep only pages that have not reported for the chosen days (0: any page)."""
    if callback_data.days not in (0, *SILENCE_CHOICES):
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    draft = await load_draft(state)
    draft = draft.model_copy(update={"segment": draft.segment.with_silence(callback_data.days)})
    await save_draft(state, draft)
    await _redraw_choices(callback, SegmentChoice.SILENCE, draft, registry, i18n)


async def back_to_summary(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    """The draft's summary again, in the message of the tapped button."""
    target = reply_target(callback)
    if isinstance(target, Message):
        text = await _summary(await load_draft(state), actor, broadcasts, registry, i18n)
        await target.edit_text(text, reply_markup=summary_keyboard())


async def preview(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
    bot: Bot,
) -> None:
    """The message as recipients will see it, and the question whether to send it."""
    draft = await load_draft(state)
    if draft.source_chat_id is None or draft.source_message_id is None:
        raise LookupError("a broadcast draft without its message")
    count = await broadcasts.count(actor, draft.segment)
    if draft.album:
        await bot.copy_messages(callback.from_user.id, draft.source_chat_id, draft.album)
    else:
        await bot.copy_message(callback.from_user.id, draft.source_chat_id, draft.source_message_id)
    text = preview_text(
        draft.segment.within(actor.scope),
        count,
        await registry.territories(),
        len(draft.album),
        i18n.current_locale,
        i18n,
    )
    await reply_target(callback).answer(text, reply_markup=confirm_keyboard())


async def send(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    i18n: I18n,
    bot: Bot,
    settings: Settings,
) -> None:
    """Queue the broadcast and show its progress, with the button that stops it."""
    draft = await load_draft(state)
    if draft.source_chat_id is None or draft.source_message_id is None:
        raise LookupError("a broadcast draft without its message")
    broadcast = await broadcasts.start(
        actor,
        draft.segment,
        source_chat_id=draft.source_chat_id,
        source_message_id=draft.source_message_id,
        album=draft.album,
    )
    await state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    progress = await broadcasts.progress(broadcast.id)
    message = await bot.send_message(
        callback.from_user.id,
        progress_text(progress, i18n.current_locale, settings.delivery_rate_per_second, i18n),
        reply_markup=None if progress.finished else stop_keyboard(broadcast.id),
    )
    await broadcasts.attach_progress(broadcast.id, message.chat.id, message.message_id)


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


async def cancel_draft(callback: CallbackQuery, state: FSMContext) -> None:
    """Leave the wizard; nothing is sent."""
    await state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    await target.answer(_("Broadcast cancelled; nothing was sent."))


async def _broadcasts_page(
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    i18n: I18n,
    at: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `at` (zero-based) of the broadcasts within the actor's reach, newest first, and
    its arrows. Raises NotAllowed for anyone but a coordinator."""
    items = await broadcasts.recent(actor)
    locale = i18n.current_locale
    authors: dict[int, User] = {}
    for author_id in {item.broadcast.author_id for item in items}:
        if (author := await users.get(author_id)) is not None:
            authors[author_id] = author
    shown = broadcasts_list(items, authors, await registry.territories(), at, locale, i18n)
    if shown is None:
        return no_broadcasts(locale, i18n), None
    return shown.text, keyboards.list_nav(shown, ListKind.BROADCASTS)


async def list_broadcasts(
    message: Message,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    i18n: I18n,
) -> None:
    """/broadcasts: the first page of the broadcasts within the actor's reach."""
    text, markup = await _broadcasts_page(actor, broadcasts, registry, users, i18n, 0)
    await message.answer(text, reply_markup=markup)


async def turn_broadcasts(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    i18n: I18n,
) -> None:
    """Another page of /broadcasts, in the message its arrows sit on."""
    text, markup = await _broadcasts_page(
        actor, broadcasts, registry, users, i18n, callback_data.page
    )
    await edit_list(callback, text, markup)


def build_router() -> Router:
    """The routes of /broadcast's wizard, the stop button and /broadcasts."""
    router = Router(name=__name__)
    router.message.register(ask_message, Command("broadcast"))
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(turn_broadcasts, ListCb.filter(F.kind == ListKind.BROADCASTS))
    router.message.register(take_message, Broadcasting.message, ~F.text.startswith("/"))
    router.message.register(take_album_item, Broadcasting.segment, F.media_group_id)
    router.callback_query.register(open_choices, Broadcasting.segment, SegmentOpenCb.filter())
    router.callback_query.register(toggle_choice, Broadcasting.segment, SegmentToggleCb.filter())
    router.callback_query.register(choose_silence, Broadcasting.segment, SilenceCb.filter())
    for step, handler in (
        (BroadcastStep.BACK, back_to_summary),
        (BroadcastStep.PREVIEW, preview),
        (BroadcastStep.SEND, send),
    ):
        router.callback_query.register(
            handler, Broadcasting.segment, BroadcastCb.filter(F.step == step)
        )
    router.callback_query.register(cancel_draft, BroadcastCb.filter(F.step == BroadcastStep.CANCEL))
    router.callback_query.register(stop, BroadcastStopCb.filter())
    return router
