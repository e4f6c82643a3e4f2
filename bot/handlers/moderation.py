"""/pending: coordinators approve or reject pages and see pages left without admins."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.catalog import REJECT_REASON_MAX_LENGTH
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import MenuCb, MenuItem, ModerationAction, ModerationCb
from bot.handlers.common import reply_target
from bot.handlers.states import Moderation
from bot.handlers.texts import LEVEL_LABELS, THEME_LABELS, label, page_card
from bot.middlewares.user import locale_of
from bot.services.registry import Notice, RegistryService
from bot.storage.records import Page, User

SHOWN = 10


async def show_queue(
    target: Message | InaccessibleMessage,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    locale: str,
) -> None:
    queue = await registry.moderation_queue(actor, limit=SHOWN)
    territories = await registry.territories()
    if not queue.pending and not queue.orphaned:
        await target.answer(_("Nothing waits for approval."))
        return
    if queue.pending:
        await target.answer(
            _("Pages waiting for approval: {count}").format(count=queue.pending_count)
        )
    for page in queue.pending:
        details = _("Level: {level}; theme: {theme}\n{url}").format(
            level=label(LEVEL_LABELS, page.level),
            theme=label(THEME_LABELS, page.theme),
            url=escape(page.url),
        )
        await target.answer(
            page_card(page, territories, settings.tz, locale) + "\n" + details,
            reply_markup=keyboards.moderation(page.id),
        )
    if queue.orphaned:
        lines = [
            _("<b>Pages without an administrator</b> (send them an invite via the page's team):")
        ]
        lines += [
            f"#{page.id} {escape(page.title)} — {escape(page.url)}" for page in queue.orphaned
        ]
        await target.answer("\n".join(lines))


async def pending(
    message: Message, actor: Actor, registry: RegistryService, settings: Settings, i18n: I18n
) -> None:
    await show_queue(message, actor, registry, settings, i18n.current_locale)


async def pending_from_menu(
    callback: CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    await show_queue(reply_target(callback), actor, registry, settings, i18n.current_locale)
    await callback.answer()


def decision_notice(i18n: I18n, *, approved: bool) -> Notice:
    """The notice a page's administrator gets, rendered in their own language."""

    def render(admin: User, page: Page) -> str:
        with i18n.use_locale(locale_of(admin, i18n)):
            if approved:
                return _(
                    "Your page <b>{title}</b> is approved. "
                    "Report its subscriber figure with /report."
                ).format(title=escape(page.title))
            return _("Your page <b>{title}</b> was not approved. Reason: {reason}").format(
                title=escape(page.title), reason=escape(page.reject_reason or "")
            )

    return render


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
    await callback.answer()


async def ask_reject_reason(
    callback: CallbackQuery,
    callback_data: ModerationCb,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
) -> None:
    page = await registry.ensure_can_moderate(actor, callback_data.page_id)
    await state.set_state(Moderation.reason)
    await state.set_data({"page_id": page.id})
    await reply_target(callback).answer(
        _("Why is <b>{title}</b> rejected? The administrator will read your answer.").format(
            title=escape(page.title)
        ),
        reply_markup=keyboards.cancel(),
    )
    await callback.answer()


async def reject_page(
    message: Message,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
    i18n: I18n,
) -> None:
    reason = " ".join((message.text or "").split())
    if not reason or len(reason) > REJECT_REASON_MAX_LENGTH:
        await message.answer(
            _("The reason must be 1 to {limit} characters long.").format(
                limit=REJECT_REASON_MAX_LENGTH
            ),
            reply_markup=keyboards.cancel(),
        )
        return
    page_id = int((await state.get_data())["page_id"])
    decision = await registry.reject(actor, page_id, reason, decision_notice(i18n, approved=False))
    await state.clear()
    await message.answer(_("Rejected: <b>{title}</b>.").format(title=escape(decision.page.title)))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(pending, Command("pending"))
    router.callback_query.register(pending_from_menu, MenuCb.filter(F.item == MenuItem.PENDING))
    router.callback_query.register(
        approve_page, ModerationCb.filter(F.action == ModerationAction.APPROVE)
    )
    router.callback_query.register(
        ask_reject_reason, ModerationCb.filter(F.action == ModerationAction.REJECT)
    )
    router.message.register(reject_page, Moderation.reason, F.text, ~F.text.startswith("/"))
    return router
