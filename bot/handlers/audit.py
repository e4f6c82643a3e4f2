"""/audit: coordinators read the latest privileged actions, a page at a time."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ListCb, ListKind
from bot.handlers.common import edit_list
from bot.services.audit import AuditService
from bot.services.registry import RegistryService
from bot.texts.audit import audit_list


async def _audit_page(
    actor: Actor,
    audit: AuditService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    number: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `number` (zero-based, clamped by the service) of the entries within the
    actor's reach, and its arrows. Raises NotAllowed for anyone but a coordinator."""
    shown = await audit.page(actor, number)
    territories = await registry.territories()
    page = audit_list(shown, territories, settings.tz, i18n.current_locale, i18n)
    return page.text, keyboards.list_nav(page, ListKind.AUDIT)


async def show_audit(
    message: Message,
    actor: Actor,
    audit: AuditService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """/audit: the newest entries."""
    text, markup = await _audit_page(actor, audit, registry, settings, i18n, 0)
    await message.answer(text, reply_markup=markup)


async def turn_audit(
    callback: CallbackQuery,
    callback_data: ListCb,
    actor: Actor,
    audit: AuditService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """Another page of /audit, in the message its arrows sit on."""
    text, markup = await _audit_page(actor, audit, registry, settings, i18n, callback_data.page)
    await edit_list(callback, text, markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(show_audit, Command("audit"))
    router.callback_query.register(turn_audit, ListCb.filter(F.kind == ListKind.AUDIT))
    return router
