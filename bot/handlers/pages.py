"""/mypages: each page with its figure, history, co-administrator invites, leaving."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.deep_linking import create_start_link
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import MenuCb, MenuItem, PageAction, PageCb
from bot.handlers.common import reply_target
from bot.handlers.texts import date, number, page_card
from bot.services.registry import RegistryService

HISTORY_LENGTH = 15
# Telegram allows 100 buttons a message; a page per message keeps each card's buttons.
MAX_CARDS = 20


async def show_pages(
    target: Message | InaccessibleMessage,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    locale: str,
) -> None:
    pages = await registry.my_pages(actor.user_id)
    if not pages:
        await target.answer(_("You have no pages yet. Register one with /register."))
        return
    territories = await registry.territories()
    await target.answer(_("Your pages: {count}").format(count=len(pages)))
    for page in pages[:MAX_CARDS]:
        await target.answer(
            page_card(page, territories, settings.tz, locale),
            reply_markup=keyboards.page_actions(page),
        )
    if len(pages) > MAX_CARDS:
        await target.answer(
            _("Shown {shown} of {count} pages.").format(shown=MAX_CARDS, count=len(pages))
        )


async def my_pages(
    message: Message, actor: Actor, registry: RegistryService, settings: Settings, i18n: I18n
) -> None:
    await show_pages(message, actor, registry, settings, i18n.current_locale)


async def my_pages_from_menu(
    callback: CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    await show_pages(reply_target(callback), actor, registry, settings, i18n.current_locale)
    await callback.answer()


async def show_history(
    callback: CallbackQuery,
    callback_data: PageCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    page, reports = await registry.history(actor, callback_data.page_id, limit=HISTORY_LENGTH)
    locale = i18n.current_locale
    if not reports:
        text = _("<b>{title}</b>: no figures reported yet.").format(title=escape(page.title))
    else:
        lines = [
            f"{date(report.reported_at, settings.tz, locale)}: {number(report.figure, locale)}"
            for report in reports
        ]
        text = _("<b>{title}</b>: the last reports").format(title=escape(page.title))
        text += "\n" + "\n".join(lines)
    await reply_target(callback).answer(text)
    await callback.answer()


async def invite_co_admin(
    callback: CallbackQuery,
    callback_data: PageCb,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    bot: Bot,
) -> None:
    code = await registry.create_invite(actor, callback_data.page_id)
    link = await create_start_link(bot, code)
    await reply_target(callback).answer(
        _(
            "Send this link to the person who should administer the page with you. "
            "It works once and expires in {days} days:\n{link}"
        ).format(days=settings.invite_ttl_days, link=escape(link)),
    )
    await callback.answer()


async def ask_leave(
    callback: CallbackQuery, callback_data: PageCb, actor: Actor, registry: RegistryService
) -> None:
    page = await registry.administered(actor, callback_data.page_id)
    await reply_target(callback).answer(
        _("Stop administering <b>{title}</b>?").format(title=escape(page.title)),
        reply_markup=keyboards.leave_confirm(page.id),
    )
    await callback.answer()


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
    await callback.answer()


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(my_pages, Command("mypages"))
    router.callback_query.register(my_pages_from_menu, MenuCb.filter(F.item == MenuItem.MY_PAGES))
    router.callback_query.register(show_history, PageCb.filter(F.action == PageAction.HISTORY))
    router.callback_query.register(invite_co_admin, PageCb.filter(F.action == PageAction.INVITE))
    router.callback_query.register(ask_leave, PageCb.filter(F.action == PageAction.LEAVE))
    router.callback_query.register(leave_page, PageCb.filter(F.action == PageAction.LEAVE_CONFIRM))
    return router
