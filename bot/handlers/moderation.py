"""/pending: coordinators approve or reject pages and claims of pages nobody
administers, and see the orphaned pages."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.limits import REJECT_REASON
from bot.domain.messages import list_page
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import (
    ClaimDecisionCb,
    ListCb,
    ListKind,
    MenuCb,
    MenuItem,
    ModerationAction,
    ModerationCb,
)
from bot.handlers.common import (
    cards_screen,
    edit_list,
    on_command,
    reply_target,
    send_cards,
    settle_card,
)
from bot.handlers.forms import StoredForm, fits, typed_line
from bot.handlers.states import Moderation
from bot.services.claims import ClaimService, ClaimView, is_closed
from bot.services.collect import CollectService
from bot.services.registry import RegistryService
from bot.storage.orphans import Orphan
from bot.storage.records import Page, Territory
from bot.texts.claims import claim_card, claim_closed, orphan_line
from bot.texts.formats import person
from bot.texts.moderation import decision_notice
from bot.texts.observations import review_text
from bot.texts.pages import pending_card


class Rejection(StoredForm):
    """What the coordinator is asked a rejection reason for: a page, or (`claim_id`) a
    claim of that page; the FSM data's keys."""

    page_id: int
    claim_id: int | None = None


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
        (pending_card(page, territories, settings.tz, locale, i18n), keyboards.moderation(page.id))
        for page in pages
    ]


def claims_shown(first: int, last: int, count: int) -> str:
    """The line under a screen of claims' cards."""
    text = ngettext(
        "Shown {first}–{last} of {count} claim.", "Shown {first}–{last} of {count} claims.", count
    )
    return text.format(first=first, last=last, count=count)


async def send_claims(
    target: Message | InaccessibleMessage,
    views: list[ClaimView],
    number: int,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A screen (`number`, zero-based) of the waiting claims' cards, each with the
    approve and reject buttons (or that none waits, when they were all decided)."""
    if not views:
        await target.answer(_("No claim waits for a decision."))
        return
    territories, locale = await registry.territories(), i18n.current_locale
    cards: list[tuple[str, InlineKeyboardMarkup | None]] = [
        (
            claim_card(view, territories, settings.tz, locale, i18n),
            keyboards.claim_moderation(view.claim.id),
        )
        for view in views
    ]
    await send_cards(target, cards, number, ListKind.CLAIMS, claims_shown)


def orphaned_page(
    orphans: list[Orphan], at: int, settings: Settings, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `at` (zero-based) of the list of orphaned pages, and its arrows."""
    header = _(
        "<b>Pages without an administrator</b>: every administrator left or blocked the bot. "
        "A new one claims the page by sending its link to /register."
    )
    lines = [orphan_line(orphan, settings.tz, locale) for orphan in orphans]
    shown = list_page(lines, at, header=header)
    return shown.text, keyboards.list_nav(shown, ListKind.ORPHANED)


async def send_pending(
    target: Message | InaccessibleMessage,
    pages: list[Page],
    number: int,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """A screen (`number`, zero-based) of the pending pages' cards, each with the approve
    and reject buttons (or that none waits, when they were all decided)."""
    if not pages:
        await target.answer(_("Nothing waits for approval."))
        return
    cards = pending_cards(pages, await registry.territories(), settings, i18n)
    await send_cards(target, cards, number, ListKind.PENDING, pending_shown)


async def pending(
    event: Message | CallbackQuery,
    actor: Actor,
    registry: RegistryService,
    claims: ClaimService,
    collect: CollectService,
    settings: Settings,
    i18n: I18n,
    callback_data: MenuCb | ListCb | None = None,
) -> None:
    """/pending, its menu button and the arrows under its lists. The command and the
    button: how many pages wait for approval, the first screen of their cards, the claims
    waiting for a decision, then the orphaned pages, then the pages whose figures need a
    look (`bot.services.collect.Review`). An arrow (`callback_data.kind`):
    another screen of the pending pages' or the claims' cards, or another page of the
    orphaned pages (edited in place)."""
    if isinstance(event, CallbackQuery) and isinstance(callback_data, ListCb):
        if callback_data.kind == ListKind.ORPHANED:
            orphaned = (await registry.moderation_queue(actor)).orphaned
            if orphaned:
                text, markup = orphaned_page(
                    orphaned, callback_data.page, settings, i18n.current_locale
                )
            else:
                text, markup = _("Every page has an administrator now."), None
            await edit_list(event, text, markup)
            return
        target, screen = await cards_screen(event, callback_data)
        if callback_data.kind == ListKind.CLAIMS:
            await send_claims(target, await claims.pending(actor), screen, registry, settings, i18n)
        else:
            pages = (await registry.moderation_queue(actor)).pending
            await send_pending(target, pages, screen, registry, settings, i18n)
        return
    target = reply_target(event)
    queue = await registry.moderation_queue(actor)
    waiting = await claims.pending(actor)
    review = await collect.review(actor)
    if not queue.pending and not queue.orphaned and not waiting and review.empty:
        await target.answer(_("Nothing waits for approval."))
        return
    if queue.pending:
        await target.answer(
            _("Pages waiting for approval: {count}").format(count=queue.pending_count)
        )
        await send_pending(target, queue.pending, 0, registry, settings, i18n)
    if waiting:
        await target.answer(_("Claims waiting for a decision: {count}").format(count=len(waiting)))
        await send_claims(target, waiting, 0, registry, settings, i18n)
    if queue.orphaned:
        text, markup = orphaned_page(queue.orphaned, 0, settings, i18n.current_locale)
        await target.answer(text, reply_markup=markup)
    if not review.empty:
        await target.answer(review_text(review, i18n.current_locale))


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
    await settle_card(
        callback, _("Approved: <b>{title}</b>.").format(title=escape(decision.page.title))
    )


async def approve_claim(
    callback: CallbackQuery, callback_data: ClaimDecisionCb, actor: Actor, claims: ClaimService
) -> None:
    view = await claims.approve(actor, callback_data.claim_id)
    if is_closed(view.claim):
        await settle_card(callback, claim_closed(view.page))
        return
    await settle_card(
        callback,
        _("Claim approved: {claimant} now administers <b>{title}</b>.").format(
            claimant=person(view.claimant), title=escape(view.page.title)
        ),
    )


async def ask_reason(
    callback: CallbackQuery, state: FSMContext, rejection: Rejection, question: str
) -> None:
    """Asks the coordinator why (`question`, HTML) and waits for the reason of `rejection`
    in `Moderation.reason`; `reject_page` takes it."""
    await state.set_state(Moderation.reason)
    await rejection.save(state)
    await reply_target(callback).answer(question, reply_markup=keyboards.cancel())


async def ask_claim_reason(
    callback: CallbackQuery,
    callback_data: ClaimDecisionCb,
    state: FSMContext,
    actor: Actor,
    claims: ClaimService,
) -> None:
    view = await claims.ensure_can_decide(actor, callback_data.claim_id)
    question = _(
        "Why is the claim of <b>{title}</b> by {claimant} rejected? "
        "The claimant will read your answer."
    ).format(title=escape(view.page.title), claimant=person(view.claimant))
    await ask_reason(
        callback, state, Rejection(page_id=view.page.id, claim_id=view.claim.id), question
    )


async def ask_reject_reason(
    callback: CallbackQuery,
    callback_data: ModerationCb,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
) -> None:
    page = await registry.ensure_can_moderate(actor, callback_data.page_id)
    question = _("Why is <b>{title}</b> rejected? The administrator will read your answer.")
    await ask_reason(
        callback, state, Rejection(page_id=page.id), question.format(title=escape(page.title))
    )


async def reject_page(
    message: Message,
    state: FSMContext,
    actor: Actor,
    registry: RegistryService,
    claims: ClaimService,
    i18n: I18n,
) -> None:
    reason = typed_line(message)
    refusal = _("The reason must be 1 to {limit} characters long.")
    if not await fits(message, reason, REJECT_REASON, refusal, keyboards.cancel()):
        return
    rejection = await Rejection.load(state)
    if rejection.claim_id is not None:
        view = await claims.reject(actor, rejection.claim_id, reason)
        text = _("Claim rejected: <b>{title}</b>.").format(title=escape(view.page.title))
        if is_closed(view.claim):
            text = claim_closed(view.page)
    else:
        decision = await registry.reject(
            actor, rejection.page_id, reason, decision_notice(i18n, approved=False)
        )
        text = _("Rejected: <b>{title}</b>.").format(title=escape(decision.page.title))
    await state.clear()
    await message.answer(text)


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, pending, "pending", MenuItem.PENDING)
    router.callback_query.register(
        pending,
        ListCb.filter(F.kind.in_({ListKind.PENDING, ListKind.CLAIMS, ListKind.ORPHANED})),
    )
    router.callback_query.register(
        approve_page, ModerationCb.filter(F.action == ModerationAction.APPROVE)
    )
    router.callback_query.register(
        ask_reject_reason, ModerationCb.filter(F.action == ModerationAction.REJECT)
    )
    router.callback_query.register(
        approve_claim, ClaimDecisionCb.filter(F.action == ModerationAction.APPROVE)
    )
    router.callback_query.register(
        ask_claim_reason, ClaimDecisionCb.filter(F.action == ModerationAction.REJECT)
    )
    router.message.register(reject_page, Moderation.reason, F.text, ~F.text.startswith("/"))
    return router
