"""/report: pick a page by button or write `/report <page id> <number>` at once."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.figures import FigureError, parse_figure
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    ListCb,
    ListKind,
    MenuCb,
    MenuItem,
    PageAction,
    PageCb,
    ReportConfirmCb,
)
from bot.handlers.common import edit_markup, reply_target
from bot.handlers.forms import StoredForm
from bot.handlers.states import Reporting
from bot.services.reports import ReportService
from bot.texts.formats import number
from bot.texts.reports import figure_error_text, outcome_text


class ReportDraft(StoredForm):
    """/report's answers so far; the FSM data's keys. `figure` and the message that said it
    (`chat_id`, `message_id`) are kept while a big change waits for confirmation."""

    page_id: int
    figure: int | None = None
    chat_id: int | None = None
    message_id: int | None = None


async def ask_figure(
    target: Message | InaccessibleMessage, state: FSMContext, page_id: int, title: str
) -> None:
    await state.set_state(Reporting.figure)
    await ReportDraft(page_id=page_id).save(state)
    await target.answer(
        _("How many subscribers does <b>{title}</b> have now?").format(title=escape(title)),
        reply_markup=keyboards.cancel(),
    )


async def offer_pages(
    target: Message | InaccessibleMessage, state: FSMContext, actor: Actor, reports: ReportService
) -> None:
    pages = await reports.reportable(actor)
    if not pages:
        await target.answer(
            _("You have no approved pages to report for. Register one with /register.")
        )
    elif len(pages) == 1:
        await ask_figure(target, state, pages[0].id, pages[0].title)
    else:
        await target.answer(_("Which page?"), reply_markup=keyboards.pick_page(pages))


async def turn_offered_pages(
    callback: CallbackQuery, callback_data: ListCb, actor: Actor, reports: ReportService
) -> None:
    """Another screen of the pages offered by /report."""
    pages = await reports.reportable(actor)
    if pages:
        await edit_markup(callback, keyboards.pick_page(pages, callback_data.page))


async def ask_page(
    event: Message | CallbackQuery, state: FSMContext, actor: Actor, reports: ReportService
) -> None:
    """A bare /report, or the menu's button: which page?"""
    await offer_pages(reply_target(event), state, actor, reports)


async def pick_page(
    callback: CallbackQuery,
    callback_data: PageCb,
    state: FSMContext,
    actor: Actor,
    reports: ReportService,
) -> None:
    # Checked with a figure of zero: only the access matters at this step.
    check = await reports.check(actor, callback_data.page_id, 0)
    await ask_figure(reply_target(callback), state, check.page.id, check.page.title)


async def take_figure(
    message: Message,
    state: FSMContext,
    actor: Actor,
    reports: ReportService,
    event_update: Update,
    i18n: I18n,
    command: CommandObject | None = None,
) -> None:
    """The figure typed at /report's question, or given at once with its page as
    `/report 12 15400` (a bare /report goes to `ask_page`). A big change waits for
    confirmation; any other figure is stored."""
    locale = i18n.current_locale
    page_id, typed = None, message.text or ""
    if command is not None:
        args = (command.args or "").split(maxsplit=1)
        if len(args) < 2 or not args[0].lstrip("#").isdigit():
            await message.answer(
                _(
                    "Write the page number and the figure: /report 12 15400. "
                    "The page numbers are in /mypages. Or send /report alone to pick the page."
                )
            )
            return
        page_id, typed = int(args[0].lstrip("#")), args[1]
    try:
        figure = parse_figure(typed)
    except FigureError as exc:
        markup = keyboards.cancel() if command is None else None
        await message.answer(figure_error_text(exc, locale, i18n), reply_markup=markup)
        return
    if page_id is None:
        page_id = (await ReportDraft.load(state)).page_id
    check = await reports.check(actor, page_id, figure)
    if check.needs_confirmation and check.previous is not None:
        await state.set_state(Reporting.confirm)
        # The figure's message is kept: the report stored on confirmation names it.
        said = ReportDraft(
            page_id=page_id, figure=figure, chat_id=message.chat.id, message_id=message.message_id
        )
        await said.save(state)
        await message.answer(
            _(
                "The last figure of <b>{title}</b> was {previous}, the new one is {figure}. "
                "That is a big change. Is it right?"
            ).format(
                title=escape(check.page.title),
                previous=number(check.previous, locale),
                figure=number(figure, locale),
            ),
            reply_markup=keyboards.report_confirm(),
        )
        return
    outcome = await reports.submit(
        actor,
        page_id,
        figure,
        update_id=event_update.update_id,
        chat_id=message.chat.id,
        message_id=message.message_id,
    )
    await state.clear()
    await message.answer(outcome_text(outcome, locale, i18n))


async def confirm_figure(
    callback: CallbackQuery,
    callback_data: ReportConfirmCb,
    state: FSMContext,
    actor: Actor,
    reports: ReportService,
    event_update: Update,
    i18n: I18n,
) -> None:
    draft = await ReportDraft.load(state)
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    if not callback_data.confirmed:
        await state.set_state(Reporting.figure)
        await ReportDraft(page_id=draft.page_id).save(state)
        await target.answer(_("Send the right figure."), reply_markup=keyboards.cancel())
        return
    if draft.figure is None:
        raise LookupError("a figure to confirm without the figure")
    outcome = await reports.submit(
        actor,
        draft.page_id,
        draft.figure,
        update_id=event_update.update_id,
        chat_id=draft.chat_id,
        message_id=draft.message_id,
    )
    await state.clear()
    await target.answer(outcome_text(outcome, i18n.current_locale, i18n))


def edited_figure(text: str) -> int | None:
    """The figure an edited message says now: the whole text, or the number of
    `/report <page id> <number>`; None when it says none."""
    if text.startswith("/"):
        parts = text.split(maxsplit=2)
        if len(parts) < 3:
            return None
        text = parts[2]
    try:
        return parse_figure(text)
    except FigureError:
        return None


async def report_edited(message: Message, actor: Actor, reports: ReportService, i18n: I18n) -> None:
    """An edited message never reports anew. If it carried a stored report and now says
    another figure, the user learns that the report kept its figure and how to correct
    it; edits of any other message are none of the bot's business."""
    found = await reports.reported_in(actor, chat_id=message.chat.id, message_id=message.message_id)
    if found is None:
        return
    report, page = found
    figure = edited_figure(message.text or "")
    if figure == report.figure:
        return
    title = escape(page.title)
    kept = number(report.figure, i18n.current_locale)
    if figure is None:
        text = _(
            "Editing a message does not change a report: <b>{title}</b> keeps the figure "
            "{figure}. To correct it, send /report {id} and the right figure."
        ).format(title=title, figure=kept, id=page.id)
    else:
        # Digits only, so that the command can be copied as it is.
        text = _(
            "Editing a message does not change a report: <b>{title}</b> keeps the figure "
            "{figure}. To correct it, send /report {id} {corrected}."
        ).format(title=title, figure=kept, id=page.id, corrected=figure)
    await message.answer(text)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_page, Command("report", magic=F.args.is_(None)))
    router.callback_query.register(ask_page, MenuCb.filter(F.item == MenuItem.REPORT))
    router.message.register(take_figure, Command("report"))
    router.callback_query.register(pick_page, PageCb.filter(F.action == PageAction.REPORT))
    router.callback_query.register(
        turn_offered_pages, ListCb.filter(F.kind == ListKind.REPORT_PAGES)
    )
    router.message.register(take_figure, Reporting.figure, F.text, ~F.text.startswith("/"))
    router.callback_query.register(confirm_figure, Reporting.confirm, ReportConfirmCb.filter())
    # Registering it makes polling ask Telegram for edited messages too.
    router.edited_message.register(report_edited, F.text)
    return router
