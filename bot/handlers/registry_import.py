"""/import: superadmins bulk-register the region's registry from a CSV or XLSX file.

/import offers the templates and waits for a document; the document gets a dry run (every
bad row listed, a page of them at a time) with a button that applies the good rows.
"""

from __future__ import annotations

import io
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.domain.messages import list_page, split_message
from bot.domain.roles import Actor
from bot.handlers.callbacks import (
    CancelCb,
    ImportAction,
    ImportCb,
    ListCb,
    ListKind,
)
from bot.handlers.common import edit_list, reply_target
from bot.handlers.keyboards import page_nav
from bot.handlers.states import Importing
from bot.services.registry import RegistryService
from bot.services.registry_files import template_csv, template_xlsx
from bot.services.registry_import import DryRun, RegistryImportService, invites_csv
from bot.texts.registry_import import (
    applied_summary,
    apply_button,
    dry_run_note,
    dry_run_summary,
    import_intro,
    import_notice,
    invites_note,
    problem_text,
    problems_heading,
    template_values,
)

TEMPLATE_NAME = "registry_template"


def templates_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for action, text in (
        (ImportAction.TEMPLATE_XLSX, _("⬇️ Template XLSX")),
        (ImportAction.TEMPLATE_CSV, _("⬇️ Template CSV")),
    ):
        builder.button(text=text, callback_data=ImportCb(action=action))
    builder.button(text=_("Cancel"), callback_data=CancelCb())
    builder.adjust(2, 1)
    return builder.as_markup()


def dry_run_page(
    dry_run: DryRun, number: int, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` (zero-based) of a dry run's message: the summary, what happens next,
    the problems a page at a time, ◀️ ▶️ and the apply button while it can be applied."""
    header = escape(dry_run_summary(dry_run, locale)) + "\n" + escape(dry_run_note(dry_run))
    items = [escape(problem_text(problem)) for problem in dry_run.problems]
    if items:
        header += "\n\n" + escape(problems_heading(dry_run, locale))
    shown = list_page(items, number, header=header)
    builder = InlineKeyboardBuilder()
    page_nav(
        builder,
        shown,
        lambda page: ListCb(kind=ListKind.IMPORT_PROBLEMS, page=page, subject=dry_run.import_id),
    )
    if dry_run.good and not dry_run.applied:
        builder.row(
            InlineKeyboardButton(
                text=apply_button(dry_run, locale),
                callback_data=ImportCb(
                    action=ImportAction.APPLY, import_id=dry_run.import_id
                ).pack(),
            )
        )
    markup = builder.as_markup()
    return shown.text, markup if markup.inline_keyboard else None


async def start_import(
    message: Message, state: FSMContext, actor: Actor, imports: RegistryImportService
) -> None:
    imports.ensure_allowed(actor)
    await state.set_state(Importing.file)
    await message.answer(escape(import_intro()), reply_markup=templates_keyboard())


async def send_template(
    callback: CallbackQuery,
    callback_data: ImportCb,
    actor: Actor,
    imports: RegistryImportService,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    imports.ensure_allowed(actor)
    if callback_data.action is ImportAction.TEMPLATE_XLSX:
        values = template_values(await registry.territories(), i18n.current_locale)
        data, name = template_xlsx(values), f"{TEMPLATE_NAME}.xlsx"
    else:
        data, name = template_csv(), f"{TEMPLATE_NAME}.csv"
    await reply_target(callback).answer_document(BufferedInputFile(data, name))


async def take_file(
    message: Message, actor: Actor, imports: RegistryImportService, bot: Bot, i18n: I18n
) -> None:
    document = message.document
    assert document is not None  # the filter
    imports.ensure_downloadable(document.file_size)
    content = io.BytesIO()
    await bot.download(document, destination=content)
    dry_run = await imports.dry_run(actor, document.file_name or "file", content.getvalue())
    text, markup = dry_run_page(dry_run, 0, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


async def ask_for_document(message: Message) -> None:
    """Anything but a document in the file step (text, a photo, a sticker): say what the
    step needs and keep waiting, so the step does not fall through to the refusals."""
    await message.answer(escape(_("Send the filled file as a document (XLSX or CSV), or /cancel.")))


async def turn_problems(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    imports: RegistryImportService,
    i18n: I18n,
) -> None:
    dry_run = await imports.dry_run_of(actor, callback_data.subject)
    text, markup = dry_run_page(dry_run, callback_data.page, i18n.current_locale)
    await edit_list(callback, text, markup)


async def apply_import(
    callback: CallbackQuery,
    callback_data: ImportCb,
    state: FSMContext,
    actor: Actor,
    imports: RegistryImportService,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    applied = await imports.apply(actor, callback_data.import_id, import_notice(i18n))
    if await state.get_state() == Importing.file.state:
        await state.clear()
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    summary = escape(applied_summary(applied, i18n.current_locale))
    for part in split_message(summary):
        await target.answer(part)
    if applied.invites:
        me = await bot.me()
        data = invites_csv(applied.invites, me.username or "", settings.tz)
        await target.answer_document(
            BufferedInputFile(data, f"invites_{applied.import_id}.csv"),
            caption=escape(invites_note(applied, settings.tz, i18n.current_locale)),
        )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_import, Command("import"))
    router.callback_query.register(send_template, ImportCb.filter(F.action != ImportAction.APPLY))
    router.message.register(take_file, Importing.file, F.document)
    router.message.register(ask_for_document, Importing.file)
    router.callback_query.register(turn_problems, ListCb.filter(F.kind == ListKind.IMPORT_PROBLEMS))
    router.callback_query.register(apply_import, ImportCb.filter(F.action == ImportAction.APPLY))
    return router
