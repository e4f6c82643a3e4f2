"""/mypages: each page with its figure, history, co-administrator invites, hand-over,
leaving."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ListCb, ListKind, MenuCb, MenuItem, PageAction, PageCb
from bot.handlers.common import edit_list, reply_target, send_cards, turn_cards
from bot.services.registry import RegistryService
from bot.texts.formats import date, number
from bot.texts.pages import page_card


def pages_shown(first: int, last: int, count: int) -> str:
    """The line under a screen of page cards: which of how many pages are shown."""
    return ngettext(
        "Shown {first}–{last} of {count} page.", "Shown {first}–{last} of {count} pages.", count
    ).format(first=first, last=last, count=count)


async def show_pages(
    target: Message | InaccessibleMessage,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    number: int = 0,
) -> None:
    """The user's pages as cards with their buttons, a screen (`number`) at a time."""
    pages = await registry.my_pages(actor.user_id)
    if not pages:
        await target.answer(_("You have no pages yet. Register one with /register."))
        return
    territories = await registry.territories()
    if number == 0:
        await target.answer(_("Your pages: {count}").format(count=len(pages)))
    cards = [
        (
            page_card(page, territories, settings.tz, i18n.current_locale, i18n),
            keyboards.page_actions(page),
        )
        for page in pages
    ]
    await send_cards(target, cards, number, ListKind.MY_PAGES, pages_shown)


async def my_pages(
    event: Message | CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    await show_pages(reply_target(event), actor, registry, settings, i18n)


async def turn_my_pages(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    target = await turn_cards(callback)
    await show_pages(target, actor, registry, settings, i18n, max(callback_data.page, 0))


async def history_page(
    actor: Actor, registry: RegistryService, settings: Settings, locale: str, page_id: int, at: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `at` of a page's reports, newest first, and its arrows; raises what
    `RegistryService.history` raises for a page the actor may not see."""
    page, reports = await registry.history(actor, page_id, limit=None)
    if not reports:
        text = _("<b>{title}</b>: no figures reported yet.").format(title=escape(page.title))
        return text, None
    lines = [
        f"{date(report.reported_at, settings.tz, locale)}: {number(report.figure, locale)}"
        for report in reports
    ]
    header = _("<b>{title}</b>: the last reports").format(title=escape(page.title))
    shown = list_page(lines, at, header=header)
    return shown.text, keyboards.list_nav(shown, ListKind.HISTORY, page_id)


async def show_history(
    callback: CallbackQuery,
    callback_data: PageCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    text, markup = await history_page(
        actor, registry, settings, i18n.current_locale, callback_data.page_id, 0
    )
    await reply_target(callback).answer(text, reply_markup=markup)


async def turn_history(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    text, markup = await history_page(
        actor, registry, settings, i18n.current_locale, callback_data.subject, callback_data.page
    )
    await edit_list(callback, text, markup)


async def send_invite(
    callback: CallbackQuery,
    callback_data: PageCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    bot: Bot,
) -> None:
    """👥 Invite co-admin and 🤝 Hand over: a single-use link; a hand-over's recipient
    takes the page and its giver leaves it."""
    hand_over = callback_data.action is PageAction.HAND_OVER
    code = await registry.create_invite(actor, callback_data.page_id, hand_over=hand_over)
    if hand_over:
        text = _(
            "Send this link to the person who takes the page over. When they open it, they "
            "become its administrator and you leave the page; I will tell you. "
            "It works once and expires in {days} days:\n{link}"
        )
    else:
        text = _(
            "Send this link to the person who should administer the page with you. "
            "It works once and expires in {days} days:\n{link}"
        )
    link = await create_start_link(bot, code)
    await reply_target(callback).answer(
        text.format(days=settings.invite_ttl_days, link=escape(link))
    )


async def ask_leave(
    callback: CallbackQuery, callback_data: PageCb, actor: Actor, registry: RegistryService
) -> None:
    page = await registry.administered(actor, callback_data.page_id)
    await reply_target(callback).answer(
        _("Stop administering <b>{title}</b>?").format(title=escape(page.title)),
        reply_markup=keyboards.leave_confirm(page.id),
    )


async def leave_page(
    callback: CallbackQuery, callback_data: PageCb, actor: Actor, registry: RegistryService
) -> None:
    page, orphaned = await registry.leave(actor, callback_data.page_id)
    target = reply_target(callback)
    if isinstance(target, Message):
        await target.edit_reply_markup(reply_markup=None)
    text = _("You no longer administer <b>{title}</b>.").format(title=escape(page.title))
    if orphaned:
        text += "\n" + _(
            "The page has no administrator now; coordinators will see it and find a new one."
        )
    await target.answer(text)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(my_pages, Command("mypages"))
    router.callback_query.register(my_pages, MenuCb.filter(F.item == MenuItem.MY_PAGES))
    router.callback_query.register(show_history, PageCb.filter(F.action == PageAction.HISTORY))
    router.callback_query.register(turn_my_pages, ListCb.filter(F.kind == ListKind.MY_PAGES))
    router.callback_query.register(turn_history, ListCb.filter(F.kind == ListKind.HISTORY))
    router.callback_query.register(
        send_invite, PageCb.filter(F.action.in_({PageAction.INVITE, PageAction.HAND_OVER}))
    )
    router.callback_query.register(ask_leave, PageCb.filter(F.action == PageAction.LEAVE))
    router.callback_query.register(leave_page, PageCb.filter(F.action == PageAction.LEAVE_CONFIRM))
    return router
