"""What people read about claims, hand-overs and orphaned pages: the offer to claim a
page in /register, the claim's card in /pending and the claimant's notice of the
decision, the notice to the giver of a page, the lines of the orphaned pages' list."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.domain.claims import ClaimStatus
from bot.i18n import locale_of, speaking
from bot.services.claims import ClaimNotice, ClaimView, is_closed
from bot.services.registry import HandOverNotice
from bot.storage.claims import Claim
from bot.storage.orphans import Orphan
from bot.storage.records import Page, Territory, User
from bot.texts.formats import date, person, territory_name
from bot.texts.pages import pending_card


def claim_offer(page: Page, territories: list[Territory], locale: str) -> str:
    """/register's answer to the link of a page that may be claimed (HTML; escaped)."""
    return _(
        "This page is already in the registry: <b>{title}</b> ({territory}), and nobody "
        "administers it now. If it is yours, claim it: a coordinator will confirm that you "
        "are its administrator. Its figures and history stay as they are."
    ).format(
        title=escape(page.title),
        territory=escape(territory_name(territories, page.territory_id, locale)),
    )


def claim_card(
    view: ClaimView, territories: list[Territory], tz: ZoneInfo, locale: str, i18n: I18n
) -> str:
    """A claim as a coordinator reads it in /pending: who claims, on which day, and the
    page's card with its current figure (HTML; user texts escaped)."""
    with speaking(i18n, locale):
        head = _("🙋 <b>Claim #{id}</b>: {claimant} asks to administer this page ({day}):").format(
            id=view.claim.id,
            claimant=person(view.claimant),
            day=date(view.claim.created_at, tz, locale),
        )
    return head + "\n" + pending_card(view.page, territories, tz, locale, i18n)


def claim_decision_text(page: Page, claim: Claim, *, locale: str, i18n: I18n) -> str:
    """The claimant's notice of the decision on `claim` in `locale` (HTML; escaped)."""
    with speaking(i18n, locale):
        if claim.status is ClaimStatus.APPROVED:
            return _(
                "Your claim is approved: you now administer <b>{title}</b>. "
                "See it in /mypages and report its figure with /report."
            ).format(title=escape(page.title))
        if is_closed(claim):
            return _(
                "<b>{title}</b> has an administrator now, so your claim of it is closed. "
                "If the page is yours too, ask its administrator for an invite."
            ).format(title=escape(page.title))
        return _("Your claim of <b>{title}</b> was not approved. Reason: {reason}").format(
            title=escape(page.title), reason=escape(claim.reason or "")
        )


def claim_closed(page: Page) -> str:
    """What the coordinator reads on deciding a claim of a page that has found an
    administrator meanwhile: the claim is closed, nobody added (HTML; escaped)."""
    return _(
        "<b>{title}</b> has an administrator now; the claim is closed and nobody was added."
    ).format(title=escape(page.title))


def claim_notice(i18n: I18n) -> ClaimNotice:
    """The renderer `ClaimService` calls for the claimant of a decided claim: the
    notice in their own language."""

    def render(view: ClaimView) -> str:
        locale = locale_of(view.claimant, i18n)
        return claim_decision_text(view.page, view.claim, locale=locale, i18n=i18n)

    return render


def hand_over_notice(i18n: I18n) -> HandOverNotice:
    """The renderer `RegistryService` calls when a page is handed over: what its giver
    reads, in their own language."""

    def render(giver: User, page: Page, recipient: User) -> str:
        with speaking(i18n, locale_of(giver, i18n)):
            return _(
                "{recipient} has taken over <b>{title}</b>: you no longer administer it."
            ).format(recipient=person(recipient), title=escape(page.title))

    return render


def orphan_line(orphan: Orphan, tz: ZoneInfo, locale: str) -> str:
    """An orphaned page in /pending's list: the page, its last administrator and the day
    they left or became unreachable (HTML; escaped). Call within the reader's language."""
    page = orphan.page
    day = date(orphan.since, tz, locale)
    if orphan.left:
        last = _("last administrator: {admin}, left on {day}")
    else:
        last = _("last administrator: {admin}, unreachable since {day}")
    return f"#{page.id} {escape(page.title)} — {escape(page.url)}\n    " + last.format(
        admin=person(orphan.last_admin), day=day
    )
