"""/audit: coordinators read the latest privileged actions, a page at a time."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ListCb, ListKind
from bot.handlers.common import edit_list
from bot.services.audit import AuditService
from bot.services.registry import RegistryService
from bot.texts.audit import audit_list


async def show_audit(
    event: Message | CallbackQuery,
    actor: Actor,
    audit: AuditService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    callback_data: ListCb | None = None,
) -> None:
    """/audit answers with the newest entries; its arrows (`callback_data`) turn to
    another page in the message they sit on. The page number is clamped by the service,
    which also refuses anyone but a coordinator (NotAllowed), whatever the router let in."""
    shown = await audit.page(actor, callback_data.page if callback_data else 0)
    territories = await registry.territories()
    page = audit_list(shown, territories, settings.tz, i18n.current_locale, i18n)
    markup = keyboards.list_nav(page, ListKind.AUDIT)
    if isinstance(event, CallbackQuery):
        await edit_list(event, page.text, markup)
    else:
        await event.answer(page.text, reply_markup=markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_audit, Command("audit"))
    router.callback_query.register(show_audit, ListCb.filter(F.kind == ListKind.AUDIT))
    return router
