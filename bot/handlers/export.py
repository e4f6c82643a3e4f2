"""/export for coordinators: kind → (report history: period) → format → the document(s).

The export runs in the background (`ExportRuns`), one at a time per coordinator: the
handler returns at once, so the coordinator can go on using the bot meanwhile. The choice
message becomes the export's status: "Preparing…", then (once the export
takes longer than EXPORT_PROGRESS_SECONDS) "Exported 40,000 of 200,000 rows…" edited at
most that often, then the count of rows. The role router lets only coordinators in; the
service checks again and applies a scoped coordinator's territory.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.exports import ExportFormat, ExportKind, ExportPeriod
from bot.domain.roles import Actor
from bot.handlers.callbacks import ExportCb
from bot.handlers.common import reply_target
from bot.handlers.errors import explain
from bot.handlers.keyboards import keyboard
from bot.i18n import speaking
from bot.services.errors import DomainError
from bot.services.export_runs import ExportRuns
from bot.services.exports import ExportRequest, ExportService
from bot.services.registry import RegistryService
from bot.texts import export as texts

log = logging.getLogger(__name__)


def kinds() -> InlineKeyboardMarkup:
    return keyboard(((texts.kind_button(kind), ExportCb(kind=kind)) for kind in ExportKind), 1)


def periods() -> InlineKeyboardMarkup:
    return keyboard(
        (
            (texts.period_button(period), ExportCb(kind=ExportKind.REPORTS, period=period))
            for period in ExportPeriod
        ),
        2,
    )


def formats(kind: ExportKind, period: ExportPeriod | None) -> InlineKeyboardMarkup:
    return keyboard(
        (texts.format_button(fmt), ExportCb(kind=kind, period=period, fmt=fmt))
        for fmt in ExportFormat
    )


class ExportProgress:
    """Edits `message` with the rows exported so far: first once `interval` seconds have
    passed since the start, then at most every `interval` seconds (the request
    middleware paces edits against Telegram's limits on top)."""

    def __init__(self, message: Message, interval: float, locale: str) -> None:
        self._message = message
        self._interval = interval
        self._locale = locale
        self._shown_at = time.monotonic()

    async def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._shown_at < self._interval:
            return
        self._shown_at = now
        await edit_status(self._message, texts.progress(done, total, self._locale))


async def edit_status(message: Message, text: str) -> None:
    """Show `text` in the export's status `message`, if Telegram lets it: the status may
    have been deleted by the coordinator or be refused an edit, and the export goes on
    (and its file still comes) all the same."""
    try:
        await message.edit_text(text)
    except TelegramAPIError as error:
        log.debug("Export status not updated: %s", error)


async def territory_name(actor: Actor, registry: RegistryService, locale: str) -> str | None:
    """The name of a scoped coordinator's territory; None for the whole region."""
    territory = await registry.territory(actor.scope) if actor.scope is not None else None
    return territory.name(locale) if territory is not None else None


async def start_export(
    message: Message, actor: Actor, registry: RegistryService, export_runs: ExportRuns, i18n: I18n
) -> None:
    if export_runs.running(actor.user_id):
        await message.answer(texts.already_running())
        return
    territory = await territory_name(actor, registry, i18n.current_locale)
    await message.answer(texts.choose_kind(territory), reply_markup=kinds())


async def choose_step(callback: CallbackQuery, callback_data: ExportCb) -> None:
    """The next question: the period of the report history, or the format."""
    kind, period = callback_data.kind, callback_data.period
    if kind is ExportKind.REPORTS and period is None:
        await _show(callback, texts.choose_period(), periods())
    else:
        text = texts.choose_format(kind, period or ExportPeriod.ALL)
        await _show(callback, text, formats(kind, period))


async def run_export(
    callback: CallbackQuery,
    callback_data: ExportCb,
    actor: Actor,
    exports: ExportService,
    export_runs: ExportRuns,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Start the export in the background and return at once: the coordinator's later
    updates need not wait for it. One at a time per coordinator: a second tap while
    theirs runs is refused (the tap's answer says so), so a double tap gives one file."""
    assert callback_data.fmt is not None  # the router's filter
    request = ExportRequest(
        callback_data.kind, callback_data.fmt, callback_data.period or ExportPeriod.ALL
    )
    locale = i18n.current_locale
    work = _export(callback, request, actor, exports, registry, settings, i18n, locale)
    if not export_runs.start(actor.user_id, work):
        await callback.answer(texts.already_running(), show_alert=True)
        return
    await callback.answer()  # the tap stops spinning: the export may take minutes


async def _export(
    callback: CallbackQuery,
    request: ExportRequest,
    actor: Actor,
    exports: ExportService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    locale: str,
) -> None:
    """Write the export, send it as documents, and say how many rows went out; in the
    coordinator's `locale`, set here: the task runs outside the handler."""
    with speaking(i18n, locale):
        status = await _show(callback, texts.preparing(request.kind, request.period, request.fmt))
        try:
            region = settings.region_name_in(locale)
            scope = await territory_name(actor, registry, locale) or region
            names = texts.export_names(await registry.territories(), locale, settings.tz, region)
            progress = ExportProgress(status, settings.export_progress_seconds, locale)
            async with exports.export(actor, request, names, progress) as files:
                for part, path in enumerate(files.paths, 1):
                    await status.answer_document(
                        FSInputFile(path),
                        caption=texts.caption(
                            request.kind,
                            request.period,
                            scope=scope,
                            at=files.at,
                            tz=settings.tz,
                            rows=files.rows,
                            part=part,
                            parts=len(files.paths),
                            locale=locale,
                        ),
                    )
        except DomainError as error:
            # The tap is answered already: the reason goes where the progress was.
            await status.edit_text(explain(error))
            return
        except asyncio.CancelledError:
            # The bot is stopping; the temporary files are gone already.
            with suppress(TelegramAPIError):
                await status.edit_text(texts.interrupted())
            raise
        except Exception:
            with suppress(TelegramAPIError):
                await status.edit_text(_("Something went wrong. Please try again."))
            raise  # logged by ExportRuns
        await edit_status(status, texts.finished(files.rows, len(files.paths), locale))


async def _show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Show `text` in the message under the tapped button (a new message if that one is
    out of reach); returns the message showing it."""
    target = reply_target(callback)
    if isinstance(target, Message):
        edited = await target.edit_text(text, reply_markup=markup)
        if isinstance(edited, Message):
            return edited
        return target
    return await target.answer(text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_export, Command("export"))
    router.callback_query.register(choose_step, ExportCb.filter(F.fmt.is_(None)))
    router.callback_query.register(run_export, ExportCb.filter(F.fmt.is_not(None)))
    return router
