"""/mypages: each page with its figure, history, co-administrator invites, hand-over,
leaving."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ListCb, ListKind, MenuCb, MenuItem, PageAction, PageCb
from bot.handlers.certificates import show_training_record
from bot.handlers.common import cards_screen, edit_list, on_command, reply_target, send_cards
from bot.services.certificates import CertificateService
from bot.services.registry import RegistryService
from bot.storage.records import Page, Report
from bot.texts.formats import date, number
from bot.texts.pages import page_card


def pages_shown(first: int, last: int, count: int) -> str:
    """The line under a screen of page cards: which of how many pages are shown."""
    return ngettext(
        "Shown {first}–{last} of {count} page.", "Shown {first}–{last} of {count} pages.", count
    ).format(first=first, last=last, count=count)


async def my_pages(
    event: Message | CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    certificates: CertificateService,
    settings: Settings,
    i18n: I18n,
    callback_data: MenuCb | ListCb | None = None,
) -> None:
    """/mypages, its menu button and the arrows under its cards: the user's training
    record (if any), then the user's pages as cards with their buttons, a screen at a
    time; the first screen starts with their count."""
    target, screen = await cards_screen(event, callback_data)
    if screen == 0:
        await show_training_record(target, actor, certificates, settings, i18n)
    pages = await registry.my_pages(actor.user_id)
    if not pages:
        await target.answer(_("You have no pages yet. Register one with /register."))
        return
    territories = await registry.territories()
    if screen == 0:
        await target.answer(_("Your pages: {count}").format(count=len(pages)))
    cards = [
        (
            page_card(page, territories, settings.tz, i18n.current_locale, i18n),
            keyboards.page_actions(page),
        )
        for page in pages
    ]
    await send_cards(target, cards, screen, ListKind.MY_PAGES, pages_shown)


def history_screen(
    page: Page, reports: list[Report], at: int, tz: ZoneInfo, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Screen `at` (zero-based) of `page`'s reports, newest first as given, and its arrows."""
    if not reports:
        text = _("<b>{title}</b>: no figures reported yet.").format(title=escape(page.title))
        return text, None
    lines = [
        f"{date(report.reported_at, tz, locale)}: {number(report.figure, locale)}"
        for report in reports
    ]
    header = _("<b>{title}</b>: the last reports").format(title=escape(page.title))
    shown = list_page(lines, at, header=header)
    return shown.text, keyboards.list_nav(shown, ListKind.HISTORY, page.id)


async def show_history(
    callback: CallbackQuery,
    callback_data: PageCb | ListCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A page's reports: from its card's button in a new message, from their arrows
    (`ListCb`, the page in `subject`) in the message they sit on. Refuses what
    `RegistryService.history` refuses."""
    if isinstance(callback_data, ListCb):
        page_id, at = callback_data.subject, callback_data.page
    else:
        page_id, at = callback_data.page_id, 0
    page, reports = await registry.history(actor, page_id, limit=None)
    text, markup = history_screen(page, reports, at, settings.tz, i18n.current_locale)
    if isinstance(callback_data, ListCb):
        await edit_list(callback, text, markup)
    else:
        await reply_target(callback).answer(text, reply_markup=markup)


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
    on_command(router, my_pages, "mypages", MenuItem.MY_PAGES)
    router.callback_query.register(my_pages, ListCb.filter(F.kind == ListKind.MY_PAGES))
    router.callback_query.register(show_history, PageCb.filter(F.action == PageAction.HISTORY))
    router.callback_query.register(show_history, ListCb.filter(F.kind == ListKind.HISTORY))
    router.callback_query.register(
        send_invite, PageCb.filter(F.action.in_({PageAction.INVITE, PageAction.HAND_OVER}))
    )
    router.callback_query.register(ask_leave, PageCb.filter(F.action == PageAction.LEAVE))
    router.callback_query.register(leave_page, PageCb.filter(F.action == PageAction.LEAVE_CONFIRM))
    return router
