"""/pending: coordinators approve or reject pages and see pages left without admins."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.limits import REJECT_REASON
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    ListCb,
    ListKind,
    MenuItem,
    ModerationAction,
    ModerationCb,
)
from bot.handlers.common import cards_screen, edit_list, on_command, reply_target, send_cards
from bot.handlers.forms import StoredForm, fits, typed_line
from bot.handlers.states import Moderation
from bot.services.registry import RegistryService
from bot.storage.records import Page, Territory
from bot.texts.moderation import decision_notice
from bot.texts.pages import page_card, pending_details


class Rejection(StoredForm):
    """The page whose rejection reason the coordinator is asked for; the FSM data's keys."""

    page_id: int


def pending_shown(first: int, last: int, count: int) -> str:
    """The line under a screen of pending pages' cards."""
    return ngettext(
        "Shown {first}–{last} of {count} page waiting for approval.",
        "Shown {first}–{last} of {count} pages waiting for approval.",
        count,
    ).format(first=first, last=last, count=count)


def pending_cards(
    pages: list[Page], territories: list[Territory], settings: Settings, i18n: I18n
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """Each pending page's card with its details and the approve and reject buttons."""
    locale = i18n.current_locale
    return [
        (
            page_card(page, territories, settings.tz, locale, i18n)
            + "\n"
            + pending_details(page, locale, i18n),
            keyboards.moderation(page.id),
        )
        for page in pages
    ]


def orphaned_page(pages: list[Page], at: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `at` (zero-based) of the list of pages without an administrator, and its arrows."""
    header = _("<b>Pages without an administrator</b> (send them an invite via the page's team):")
    lines = [f"#{page.id} {escape(page.title)} — {escape(page.url)}" for page in pages]
    shown = list_page(lines, at, header=header)
    return shown.text, keyboards.list_nav(shown, ListKind.ORPHANED)


async def pending(
    event: Message | CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """/pending and its menu button: how many pages wait for approval, the first screen of
    their cards, then the pages without an administrator."""
    target = reply_target(event)
    queue = await registry.moderation_queue(actor)
    if not queue.pending and not queue.orphaned:
        await target.answer(_("Nothing waits for approval."))
        return
    if queue.pending:
        await target.answer(
            _("Pages waiting for approval: {count}").format(count=queue.pending_count)
        )
        cards = pending_cards(queue.pending, await registry.territories(), settings, i18n)
        await send_cards(target, cards, 0, ListKind.PENDING, pending_shown)
    if queue.orphaned:
        text, markup = orphaned_page(queue.orphaned, 0)
        await target.answer(text, reply_markup=markup)


async def turn_pending(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The arrows under the pending pages' cards: another screen of them."""
    target, screen = await cards_screen(callback, callback_data)
    queue = await registry.moderation_queue(actor)
    if not queue.pending:
        await target.answer(_("Nothing waits for approval."))
        return
    cards = pending_cards(queue.pending, await registry.territories(), settings, i18n)
    await send_cards(target, cards, screen, ListKind.PENDING, pending_shown)


async def turn_orphaned(
    callback: CallbackQuery, callback_data: ListCb, actor: Actor, registry: RegistryService
) -> None:
    queue = await registry.moderation_queue(actor)
    if queue.orphaned:
        text, markup = orphaned_page(queue.orphaned, callback_data.page)
    else:
        text, markup = _("Every page has an administrator now."), None
    await edit_list(callback, text, markup)


async def approve_page(
    callback: CallbackQuery,
    callback_data: ModerationCb,
    actor: Actor,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    decision = await registry.approve(
        actor, callback_data.page_id, decision_notice(i18n, approved=True)
    )
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    await target.answer(_("Approved: <b>{title}</b>.").format(title=escape(decision.page.title)))


async def ask_reject_reason(
    callback: CallbackQuery,
    callback_data: ModerationCb,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
) -> None:
    page = await registry.ensure_can_moderate(actor, callback_data.page_id)
    await state.set_state(Moderation.reason)
    await Rejection(page_id=page.id).save(state)
    await reply_target(callback).answer(
        _("Why is <b>{title}</b> rejected? The administrator will read your answer.").format(
            title=escape(page.title)
        ),
        reply_markup=keyboards.cancel(),
    )


async def reject_page(
    message: Message,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    reason = typed_line(message)
    refusal = _("The reason must be 1 to {limit} characters long.")
    if not await fits(message, reason, REJECT_REASON, refusal, keyboards.cancel()):
        return
    rejection = await Rejection.load(state)
    decision = await registry.reject(
        actor, rejection.page_id, reason, decision_notice(i18n, approved=False)
    )
    await state.clear()
    await message.answer(_("Rejected: <b>{title}</b>.").format(title=escape(decision.page.title)))


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, pending, "pending", MenuItem.PENDING)
    router.callback_query.register(turn_pending, ListCb.filter(F.kind == ListKind.PENDING))
    router.callback_query.register(turn_orphaned, ListCb.filter(F.kind == ListKind.ORPHANED))
    router.callback_query.register(
        approve_page, ModerationCb.filter(F.action == ModerationAction.APPROVE)
    )
    router.callback_query.register(
        ask_reject_reason, ModerationCb.filter(F.action == ModerationAction.REJECT)
    )
    router.message.register(reject_page, Moderation.reason, F.text, ~F.text.startswith("/"))
    return router
