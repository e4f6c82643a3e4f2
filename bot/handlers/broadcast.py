"""/broadcast: a coordinator's message to a segment of administrators; /broadcasts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from enum import StrEnum
from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain.albums import MAX_ALBUM_ITEMS, AlbumProblem, album_problem
from bot.domain.catalog import Level, Theme
from bot.domain.links import Platform
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.domain.segments import SILENCE_CHOICES, Dimension, Segment
from bot.handlers import keyboards
from bot.handlers.callbacks import ListCb, ListKind
from bot.handlers.common import edit_list, reply_target
from bot.handlers.states import Broadcasting
from bot.i18n import locale_of, speaking
from bot.services.broadcasts import BroadcastService
from bot.services.flood import background
from bot.services.registry import RegistryService
from bot.services.users import UserService
from bot.storage.records import Territory
from bot.texts.broadcasts import progress_text
from bot.texts.formats import number
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label

log = logging.getLogger(__name__)

#: Territories offered a screen at a time when narrowing the segment.
TERRITORIES_PER_PAGE = keyboards.TERRITORIES_PER_PAGE
#: Albums refused in one draft whose late items are still ignored.
REFUSED_REMEMBERED = 10


class Step(StrEnum):
    OPEN = "o"  # show the choices of one dimension
    TOGGLE = "t"  # add or remove one value
    SILENCE = "s"  # "has not reported for N days"
    BACK = "b"  # back to the segment summary
    PREVIEW = "p"
    SEND = "go"
    CANCEL = "x"
    STOP = "stop"  # stop a broadcast that is being sent


class BroadcastCb(CallbackData, prefix="b"):
    step: Step
    dimension: str = ""
    value: str = ""


DIMENSIONS = ("territory", "level", "theme", "platform")


def _choices(dimension: str, territories: list[Territory], locale: str) -> list[tuple[str, str]]:
    if dimension == "territory":
        return [(str(t.id), t.name(locale)) for t in territories]
    labels, values = {
        "level": (LEVEL_LABELS, [str(value) for value in Level]),
        "theme": (THEME_LABELS, [str(value) for value in Theme]),
        "platform": (PLATFORM_LABELS, [str(value) for value in Platform]),
    }[dimension]
    return [(value, label(labels, value)) for value in values]


def _chosen(segment: Segment, dimension: str) -> set[str]:
    values = {
        "territory": segment.territories,
        "level": segment.levels,
        "theme": segment.themes,
        "platform": segment.platforms,
    }[dimension]
    return {str(value) for value in values}


def describe(segment: Segment, territories: list[Territory], locale: str) -> str:
    if segment.is_everyone:
        return _("all administrators")
    parts = []
    headings = {
        "territory": _("territory"),
        "level": _("level"),
        "theme": _("theme"),
        "platform": _("platform"),
    }
    for dimension in DIMENSIONS:
        chosen = _chosen(segment, dimension)
        if chosen:
            names = [
                name for value, name in _choices(dimension, territories, locale) if value in chosen
            ]
            parts.append(f"{headings[dimension]}: {', '.join(names) or '—'}")
    if segment.silent_days:
        parts.append(
            # TRANSLATORS: part of a segment's description: administrators whose pages
            # have had no report for that many days or more.
            ngettext(
                "no report for {days}+ day", "no report for {days}+ days", segment.silent_days
            ).format(days=segment.silent_days)
        )
    return "; ".join(parts)


def summary_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("🗺 Territory"), callback_data=BroadcastCb(step=Step.OPEN, dimension="territory")
    )
    builder.button(text=_("🏛 Level"), callback_data=BroadcastCb(step=Step.OPEN, dimension="level"))
    builder.button(text=_("🎭 Theme"), callback_data=BroadcastCb(step=Step.OPEN, dimension="theme"))
    builder.button(
        text=_("🌐 Platform"), callback_data=BroadcastCb(step=Step.OPEN, dimension="platform")
    )
    builder.button(
        text=_("⏰ Not reporting"), callback_data=BroadcastCb(step=Step.OPEN, dimension="silence")
    )
    builder.button(text=_("👁 Preview"), callback_data=BroadcastCb(step=Step.PREVIEW))
    builder.button(text=_("Cancel"), callback_data=BroadcastCb(step=Step.CANCEL))
    builder.adjust(2, 2, 1, 1, 1)
    return builder.as_markup()


def choices_keyboard(
    dimension: str, segment: Segment, territories: list[Territory], locale: str, page: int = 0
) -> InlineKeyboardMarkup:
    """The values of one dimension to switch on or off; territories come a screen
    (`page`, zero-based) at a time with arrows between the screens."""
    builder = InlineKeyboardBuilder()
    if dimension == "silence":
        for days in (0, *SILENCE_CHOICES):
            mark = "✅ " if (segment.silent_days or 0) == days else ""
            text = (
                # TRANSLATORS: a choice of "has not reported for": any time at all.
                _("Any")
                if days == 0
                else ngettext("{days}+ day", "{days}+ days", days).format(days=days)
            )
            builder.button(
                text=mark + text, callback_data=BroadcastCb(step=Step.SILENCE, value=str(days))
            )
        builder.adjust(2)
    else:
        chosen = _chosen(segment, dimension)
        choices = _choices(dimension, territories, locale)
        per_page = TERRITORIES_PER_PAGE if dimension == "territory" else None
        shown = list_page([name for _value, name in choices], page, per_page=per_page)
        for value, name in choices[shown.start : shown.stop]:
            mark = "✅ " if value in chosen else ""
            builder.button(
                text=mark + name,
                callback_data=BroadcastCb(step=Step.TOGGLE, dimension=dimension, value=value),
            )
        builder.adjust(2)
        keyboards.page_nav(
            builder,
            shown,
            lambda at: BroadcastCb(step=Step.OPEN, dimension=dimension, value=str(at)),
        )
    builder.row()
    builder.button(text=_("⬅️ Done"), callback_data=BroadcastCb(step=Step.BACK))
    return builder.as_markup()


def confirm_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📨 Send"), callback_data=BroadcastCb(step=Step.SEND))
    builder.button(text=_("✏️ Change the segment"), callback_data=BroadcastCb(step=Step.BACK))
    builder.button(text=_("Cancel"), callback_data=BroadcastCb(step=Step.CANCEL))
    builder.adjust(1)
    return builder.as_markup()


def stop_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⏹ Stop the broadcast"),
        callback_data=BroadcastCb(step=Step.STOP, value=str(broadcast_id)),
    )
    return builder.as_markup()


async def _segment_state(state: FSMContext) -> Segment:
    data = await state.get_data()
    return Segment.from_json(data.get("segment", Segment().to_json()))


def album_line(items: int, locale: str) -> str:
    """The line saying that the draft is an album of `items` items: "Album: 3 items"."""
    return ngettext("Album: {count} item", "Album: {count} items", items).format(
        count=number(items, locale)
    )


def album_refusal(problem: AlbumProblem, items: int, locale: str) -> str:
    """Why an album of `items` items cannot be broadcast, and what to do instead."""
    if problem is AlbumProblem.TOO_MANY:
        reason = ngettext(
            "it has {count} item, and an album holds at most {limit}.",
            "it has {count} items, and an album holds at most {limit}.",
            items,
        ).format(count=number(items, locale), limit=MAX_ALBUM_ITEMS)
    elif problem is AlbumProblem.MIXED:
        reason = _(
            "Telegram groups documents only with documents and audio files only with "
            "audio files; only photos and videos can be mixed in one album."
        )
    elif problem is AlbumProblem.UNSUPPORTED:
        reason = _("an album can hold only photos, videos, documents or audio files.")
    else:
        reason = _(
            "one broadcast carries one message or one album of at most {limit} items, and "
            "you sent more (Telegram sends more than {limit} items as several albums)."
        ).format(limit=MAX_ALBUM_ITEMS)
    return _(
        "This album cannot be broadcast: {reason}\n\nNothing was sent. Send the message "
        "to broadcast again, or tap Cancel."
    ).format(reason=reason)


async def _summary_text(
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    locale: str,
) -> str:
    data = await state.get_data()
    segment = await _segment_state(state)
    effective = segment.within(actor.scope)
    count = await broadcasts.count(actor, segment)
    text = _(
        "Who receives it: {segment}\nRecipients: {count}\n\nNarrow the segment or preview."
    ).format(
        segment=escape(describe(effective, await registry.territories(), locale)),
        count=number(count, locale),
    )
    album = data.get("album")
    return f"{album_line(len(album), locale)}\n{text}" if album else text


async def _show_summary(
    message: Message,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    locale: str,
    *,
    edit: bool,
) -> Message | None:
    """The draft's summary: edits `message` into it, or answers with it (and returns it)."""
    text = await _summary_text(state, actor, broadcasts, registry, locale)
    if edit:
        await message.edit_text(text, reply_markup=summary_keyboard())
        return None
    return await message.answer(text, reply_markup=summary_keyboard())


def _content_kind(message: Message) -> str:
    """What the message carries, as `bot.domain.albums` names kinds ("photo", "video", ...)."""
    kind = message.content_type
    return kind.value if isinstance(kind, ContentType) else str(kind)


def _cancel_keyboard() -> InlineKeyboardMarkup:
    return (
        InlineKeyboardBuilder()
        .button(text=_("Cancel"), callback_data=BroadcastCb(step=Step.CANCEL))
        .as_markup()
    )


async def ask_message(
    message: Message, state: FSMContext, actor: Actor, broadcasts: BroadcastService
) -> None:
    await state.set_state(Broadcasting.message)
    await state.set_data({})
    await message.answer(
        _(
            "Send the message to broadcast: text, a photo, a document or a video, with "
            "formatting. It will be copied to every recipient as it is."
        ),
        reply_markup=_cancel_keyboard(),
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
    data = await state.get_data()
    refused: list[str] = list(data.get("refused_groups", []))
    group = message.media_group_id
    draft: dict[str, object] = {
        "source_chat_id": message.chat.id,
        "source_message_id": message.message_id,
        "segment": Segment().to_json(),
    }
    if refused:
        draft["refused_groups"] = refused
    if group is not None:
        if group in refused:
            return
        kind = _content_kind(message)
        if (problem := album_problem([kind])) is not None:
            await _refuse_album(
                message, state, bot, i18n.current_locale, problem, 1, [*refused, group], None
            )
            return
        draft.update(album_group=group, album=[message.message_id], album_kinds=[kind])
    await state.set_state(Broadcasting.segment)
    await state.set_data(draft)
    summary = await _show_summary(
        message, state, actor, broadcasts, registry, i18n.current_locale, edit=False
    )
    if group is not None and summary is not None:
        await state.update_data(summary_message_id=summary.message_id)


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
    data = await state.get_data()
    group = message.media_group_id
    refused: list[str] = list(data.get("refused_groups", []))
    if group is None or group in refused:
        return
    locale = i18n.current_locale
    own = data.get("album_group")
    summary = data.get("summary_message_id")
    summary_id = int(summary) if summary is not None else None
    album: list[int] = [int(item) for item in data.get("album", [])]
    if group != own:
        groups = [*refused, *([own] if own else []), group]
        await _refuse_album(
            message, state, bot, locale, AlbumProblem.SEVERAL, len(album) + 1, groups, summary_id
        )
        return
    if message.message_id in album:
        return  # the same update once more
    kinds = [*data.get("album_kinds", []), _content_kind(message)]
    album = sorted([*album, message.message_id])
    if (problem := album_problem(kinds)) is not None:
        await _refuse_album(
            message, state, bot, locale, problem, len(album), [*refused, group], summary_id
        )
        return
    await state.update_data(album=album, album_kinds=kinds, source_message_id=album[0])
    if summary_id is not None:
        text = await _summary_text(state, actor, broadcasts, registry, locale)
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
    locale: str,
    problem: AlbumProblem,
    items: int,
    refused_groups: list[str],
    summary_id: int | None,
) -> None:
    """Back to the message step with the reason; the refused albums' late items (their
    groups are remembered) are ignored there."""
    await state.set_state(Broadcasting.message)
    await state.set_data({"refused_groups": refused_groups[-REFUSED_REMEMBERED:]})
    if summary_id is not None:
        with contextlib.suppress(TelegramBadRequest):  # its buttons lead nowhere now
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=summary_id, reply_markup=None
            )
    await message.answer(
        album_refusal(problem, items, locale),
        reply_markup=_cancel_keyboard(),
    )


async def _redraw_choices(
    callback: CallbackQuery,
    state: FSMContext,
    dimension: str,
    segment: Segment,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    target = reply_target(callback)
    if isinstance(target, Message):
        territories = await registry.territories()
        page = int((await state.get_data()).get("choices_page", 0))
        markup = choices_keyboard(dimension, segment, territories, i18n.current_locale, page)
        if target.reply_markup != markup:
            await target.edit_reply_markup(reply_markup=markup)


async def open_choices(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    if callback_data.dimension in (*DIMENSIONS, "silence"):
        # The screen of choices shown: kept so that a tap redraws the same screen.
        page = int(callback_data.value) if callback_data.value.isdigit() else 0
        await state.update_data(choices_page=page)
        segment = await _segment_state(state)
        await _redraw_choices(callback, state, callback_data.dimension, segment, registry, i18n)


async def toggle_choice(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    segment = await _segment_state(state)
    valid = (
        {
            value
            for value, _name in _choices(
                callback_data.dimension, await registry.territories(), i18n.current_locale
            )
        }
        if callback_data.dimension in DIMENSIONS
        else set()
    )
    if callback_data.value not in valid:
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    segment = segment.toggled(Dimension(callback_data.dimension), callback_data.value)
    await state.update_data(segment=segment.to_json())
    await _redraw_choices(callback, state, callback_data.dimension, segment, registry, i18n)


async def choose_silence(
    callback: CallbackQuery,
    callback_data: BroadcastCb,
    state: FSMContext,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    days = int(callback_data.value) if callback_data.value.isdigit() else -1
    if days not in (0, *SILENCE_CHOICES):
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    segment = await _segment_state(state)
    segment = Segment(
        segment.territories, segment.levels, segment.themes, segment.platforms, days or None
    )
    await state.update_data(segment=segment.to_json())
    await _redraw_choices(callback, state, "silence", segment, registry, i18n)


async def back_to_summary(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    target = reply_target(callback)
    if isinstance(target, Message):
        await _show_summary(
            target, state, actor, broadcasts, registry, i18n.current_locale, edit=True
        )


async def preview(
    callback: CallbackQuery,
    state: FSMContext,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    i18n: I18n,
    bot: Bot,
) -> None:
    data = await state.get_data()
    segment = await _segment_state(state)
    count = await broadcasts.count(actor, segment)
    locale = i18n.current_locale
    album = [int(item) for item in data.get("album", [])]
    if album:
        await bot.copy_messages(callback.from_user.id, data["source_chat_id"], album)
    else:
        await bot.copy_message(
            callback.from_user.id, data["source_chat_id"], data["source_message_id"]
        )
    text = ngettext(
        "This is how it will look. It goes to {count} administrator ({segment}). Send?",
        "This is how it will look. It goes to {count} administrators ({segment}). Send?",
        count,
    ).format(
        count=number(count, locale),
        segment=escape(describe(segment.within(actor.scope), await registry.territories(), locale)),
    )
    if album:
        text = f"{album_line(len(album), locale)}\n{text}"
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
    data = await state.get_data()
    broadcast = await broadcasts.start(
        actor,
        await _segment_state(state),
        source_chat_id=int(data["source_chat_id"]),
        source_message_id=int(data["source_message_id"]),
        album=[int(item) for item in data.get("album", [])],
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
    callback_data: BroadcastCb,
    actor: Actor,
    broadcasts: BroadcastService,
    i18n: I18n,
    settings: Settings,
) -> None:
    if not callback_data.value.isdigit():
        await callback.answer(_("Unknown choice."), show_alert=True)
        return
    progress = await broadcasts.cancel(actor, int(callback_data.value))
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
    await state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    await target.answer(_("Broadcast cancelled; nothing was sent."))


async def broadcasts_page(
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    locale: str,
    at: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `at` (zero-based) of the broadcasts within the actor's reach, newest first, and its
    arrows. Raises NotAllowed for anyone but a coordinator."""
    items = await broadcasts.recent(actor)
    if not items:
        return _("No broadcasts yet. Start one with /broadcast."), None
    territories = await registry.territories()
    lines = []
    for item in items:
        author = await users.get(item.broadcast.author_id)
        lines.append(
            _(
                "#{id}, {author}: {segment}. Delivered {sent} of {total}, "
                "failed {failed}, blocked {blocked}."
            ).format(
                id=item.broadcast.id,
                author=escape(author.full_name if author else str(item.broadcast.author_id)),
                segment=escape(
                    describe(Segment.from_json(item.broadcast.segment), territories, locale)
                ),
                sent=number(item.sent, locale),
                total=number(item.broadcast.recipients, locale),
                failed=number(item.failed, locale),
                blocked=number(item.blocked, locale),
            )
        )
    header = ngettext(
        "<b>{count} broadcast</b>, newest first",
        "<b>{count} broadcasts</b>, newest first",
        len(items),
    ).format(count=len(items))
    shown = list_page(lines, at, header=header)
    return shown.text, keyboards.list_nav(shown, ListKind.BROADCASTS)


async def list_broadcasts(
    message: Message,
    actor: Actor,
    broadcasts: BroadcastService,
    registry: RegistryService,
    users: UserService,
    i18n: I18n,
) -> None:
    text, markup = await broadcasts_page(actor, broadcasts, registry, users, i18n.current_locale, 0)
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
    text, markup = await broadcasts_page(
        actor, broadcasts, registry, users, i18n.current_locale, callback_data.page
    )
    await edit_list(callback, text, markup)


class ProgressReporter:
    """Edits each running broadcast's progress message every few seconds, then the report."""

    def __init__(
        self,
        bot: Bot,
        broadcasts: BroadcastService,
        users: UserService,
        i18n: I18n,
        *,
        interval: float,
        rate: float,
    ) -> None:
        self._bot = bot
        self._broadcasts = broadcasts
        self._users = users
        self._i18n = i18n
        self._interval = interval
        self._rate = rate
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        with background():  # progress edits give way to answers
            self._task = asyncio.create_task(self._run(), name="broadcast-progress")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.report_once()
            except Exception:
                log.exception("Broadcast progress update failed")

    async def report_once(self) -> None:
        for broadcast in await self._broadcasts.sending():
            # Not before its progress message exists: computing the progress of a
            # finished broadcast marks it done, and its final report would never be shown.
            if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
                continue
            progress = await self._broadcasts.progress(broadcast.id)
            author = await self._users.get(broadcast.author_id)
            locale = locale_of(author, self._i18n) if author else self._i18n.default_locale
            text = progress_text(progress, locale, self._rate, self._i18n)
            with speaking(self._i18n, locale):
                stoppable = not progress.finished and not progress.cancelled
                markup = stop_keyboard(broadcast.id) if stoppable else None
            with contextlib.suppress(TelegramAPIError):
                await self._bot.edit_message_text(
                    text,
                    chat_id=broadcast.progress_chat_id,
                    message_id=broadcast.progress_message_id,
                    reply_markup=markup,
                )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_message, Command("broadcast"))
    router.message.register(list_broadcasts, Command("broadcasts"))
    router.callback_query.register(turn_broadcasts, ListCb.filter(F.kind == ListKind.BROADCASTS))
    router.message.register(take_message, Broadcasting.message, ~F.text.startswith("/"))
    router.message.register(take_album_item, Broadcasting.segment, F.media_group_id)
    router.callback_query.register(
        open_choices, Broadcasting.segment, BroadcastCb.filter(F.step == Step.OPEN)
    )
    router.callback_query.register(
        toggle_choice, Broadcasting.segment, BroadcastCb.filter(F.step == Step.TOGGLE)
    )
    router.callback_query.register(
        choose_silence, Broadcasting.segment, BroadcastCb.filter(F.step == Step.SILENCE)
    )
    router.callback_query.register(
        back_to_summary, Broadcasting.segment, BroadcastCb.filter(F.step == Step.BACK)
    )
    router.callback_query.register(
        preview, Broadcasting.segment, BroadcastCb.filter(F.step == Step.PREVIEW)
    )
    router.callback_query.register(
        send, Broadcasting.segment, BroadcastCb.filter(F.step == Step.SEND)
    )
    router.callback_query.register(cancel_draft, BroadcastCb.filter(F.step == Step.CANCEL))
    router.callback_query.register(stop, BroadcastCb.filter(F.step == Step.STOP))
    return router
