"""Claims: someone asks to administer an approved page that nobody reachable administers
(an imported page nobody has claimed yet, or an orphaned one: see `bot.domain.claims`);
a coordinator of the page's territory approves or rejects the claim in /pending.

A claim changes who administers the page, nothing else: the page's figure, reports and
milestones stay as they were. One claim of a page waits at a time. Each decision is
recorded in the audit log and told to the claimant (delivery queue, their language) in
the unit of work that takes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.catalog import PageStatus
from bot.domain.claims import ClaimStatus, claimable
from bot.domain.limits import REJECT_REASON
from bot.domain.links import LinkError, parse_link
from bot.domain.roles import Actor, can_moderate
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.services.errors import (
    ClaimDecided,
    ClaimNotFound,
    ClaimPending,
    NotAllowed,
    NotClaimable,
    PageNotFound,
    require_text,
)
from bot.storage.claims import Claim
from bot.storage.database import Database
from bot.storage.records import Page, User
from bot.storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim with the page it is for and the person who made it."""

    claim: Claim
    page: Page
    claimant: User


# Renders the decision on a claim (its status and reason) for the claimant, in their language.
ClaimNotice = Callable[[ClaimView], str]


class ClaimService:
    def __init__(
        self, db: Database, clock: Clock, *, notice: ClaimNotice, wake: Callable[[], None]
    ) -> None:
        self._db = db
        self._clock = clock
        self._notice = notice
        # Tells the delivery worker that notices were queued.
        self._wake = wake

    async def offer(self, actor: Actor, text: str) -> Page | None:
        """The page registered under the link in `text` when it may be claimed (approved,
        nobody reachable administers it); None for anything else: an invalid link, a
        free one, a page with an administrator or waiting for approval (/register
        refuses those itself). Raises ClaimPending (`mine` when it is the actor's own)
        when a claim of the page waits already: nobody else is invited to claim it."""
        try:
            link = parse_link(text)
        except LinkError:
            return None
        async with self._db.read() as repos:
            page = await repos.pages.by_link_key(link.key)
            if page is None or not claimable(page.status, await repos.orphans.keepers(page.id)):
                return None
            waiting = await repos.claims.pending_of_page(page.id)
        if waiting is not None:
            raise ClaimPending(mine=waiting.user_id == actor.user_id)
        return page

    async def claim(self, actor: Actor, page_id: int) -> Page:
        """The actor claims the page; the claim waits for a coordinator. Raises
        PageNotFound (no such page), NotClaimable (someone reachable administers it, or
        it is not approved), ClaimPending (a claim of it waits already: `mine` when it
        is the actor's own)."""
        async with self._db.write() as repos:
            page = await repos.pages.get(page_id)
            if page is None or page.status is PageStatus.REJECTED:
                raise PageNotFound
            if not claimable(page.status, await repos.orphans.keepers(page.id)):
                raise NotClaimable
            waiting = await repos.claims.pending_of_page(page.id)
            if waiting is not None:
                raise ClaimPending(mine=waiting.user_id == actor.user_id)
            created = await repos.claims.create(
                page_id=page.id, user_id=actor.user_id, now=self._clock.now()
            )
            if created is None:  # the unique index saw a claim this unit of work did not
                raise ClaimPending(mine=False)
        return page

    async def pending(self, actor: Actor, *, limit: int | None = None) -> list[ClaimView]:
        """Claims waiting for a decision within the actor's reach, oldest first, at most
        `limit` (None: all). Raises NotAllowed for anyone but a coordinator."""
        if not actor.is_coordinator:
            raise NotAllowed
        async with self._db.read() as repos:
            claims = await repos.claims.pending(territory_id=actor.scope, limit=limit)
            return [await self._view(repos, claim) for claim in claims]

    async def ensure_can_decide(self, actor: Actor, claim_id: int) -> ClaimView:
        """The pending claim the actor may decide. Raises NotAllowed (not a coordinator of
        the page's territory), ClaimNotFound, ClaimDecided."""
        async with self._db.read() as repos:
            return await self._decidable(repos, actor, claim_id)

    async def approve(self, actor: Actor, claim_id: int) -> ClaimView:
        """The claimant becomes an administrator of the page; raises what
        `ensure_can_decide` raises."""
        return await self._decide(actor, claim_id, ClaimStatus.APPROVED, None)

    async def reject(self, actor: Actor, claim_id: int, reason: str) -> ClaimView:
        """The claimant is told `reason`; raises TextRefused (empty or too long a reason)
        and what `ensure_can_decide` raises."""
        require_text(REJECT_REASON, reason)
        return await self._decide(actor, claim_id, ClaimStatus.REJECTED, reason)

    async def _decide(
        self, actor: Actor, claim_id: int, status: ClaimStatus, reason: str | None
    ) -> ClaimView:
        async with self._db.write() as repos:
            view = await self._decidable(repos, actor, claim_id)
            now = self._clock.now()
            page, claimant = view.page, view.claimant
            # Someone may have become its administrator (an invite) since the claim: the
            # claim is closed, and nobody is added.
            if not claimable(page.status, await repos.orphans.keepers(page.id)):
                closed = await close_claim(repos, self._notice, page, actor, now)
                if closed is None:
                    raise ClaimDecided
                view = replace(view, claim=closed)
            else:
                decided = await repos.claims.decide(
                    claim_id, status=status, reason=reason, decided_by=actor.user_id, now=now
                )
                if not decided:
                    raise ClaimDecided
                if status is ClaimStatus.APPROVED:
                    await repos.pages.add_admin(page.id, claimant.id, now=now)
                details: dict[AuditDetail, object] = {AuditDetail.CLAIMANT: claimant.id}
                if reason is not None:
                    details[AuditDetail.REASON] = reason
                approved = status is ClaimStatus.APPROVED
                action = AuditAction.CLAIM_APPROVED if approved else AuditAction.CLAIM_REJECTED
                subject = Subject(SubjectKind.PAGE, page.id, page.territory_id)
                await record(repos, actor, action, subject, now=now, details=details)
                view = replace(view, claim=replace(view.claim, status=status, reason=reason))
                text = self._notice(view)
                await enqueue_text(repos, claimant.id, text, priority=Priority.ALERT, now=now)
        self._wake()
        return view

    async def _decidable(self, repos: Repositories, actor: Actor, claim_id: int) -> ClaimView:
        if not actor.is_coordinator:
            raise NotAllowed
        claim = await repos.claims.get(claim_id)
        if claim is None:
            raise ClaimNotFound
        view = await self._view(repos, claim)
        if not can_moderate(actor, view.page.territory_id):
            raise NotAllowed
        if claim.status is not ClaimStatus.PENDING:
            raise ClaimDecided
        return view

    @staticmethod
    async def _view(repos: Repositories, claim: Claim) -> ClaimView:
        page = await repos.pages.get(claim.page_id)
        claimant = await repos.users.get(claim.user_id)
        # Foreign keys: a claim's page and user exist (a deleted page takes its claims).
        assert page is not None
        assert claimant is not None
        return ClaimView(claim, page, claimant)


def is_closed(claim: Claim) -> bool:
    """Whether the claim was closed because its page found an administrator before a
    decision (stored as a rejection with no reason: a coordinator always gives one)."""
    return claim.status is ClaimStatus.REJECTED and claim.reason is None


async def close_claim(
    repos: Repositories, notice: ClaimNotice, page: Page, decided_by: Actor | None, now: int
) -> Claim | None:
    """Close the page's pending claim, if any, because the page has an administrator now
    (an invite, another claim, a coordinator's late tap: `decided_by`, None when nobody
    decided), and record it in the audit log as a claim rejected with no reason; its
    claimant is told through the delivery queue in their language (the
    caller wakes the worker once committed). Returns the closed claim, or None when
    none was pending."""
    waiting = await repos.claims.pending_of_page(page.id)
    if waiting is None:
        return None
    if not await repos.claims.decide(
        waiting.id,
        status=ClaimStatus.REJECTED,
        reason=None,
        decided_by=decided_by.user_id if decided_by else None,
        now=now,
    ):
        return None
    closed = replace(waiting, status=ClaimStatus.REJECTED, reason=None)
    # Recorded as a claim rejected with no reason (what a closed claim is), by the
    # coordinator whose late tap found it stale, or by nobody when an invite closed it.
    await record(
        repos,
        decided_by,
        AuditAction.CLAIM_REJECTED,
        Subject(SubjectKind.PAGE, page.id, page.territory_id),
        now=now,
        details={AuditDetail.CLAIMANT: closed.user_id},
    )
    claimant = await repos.users.get(closed.user_id)
    assert claimant is not None  # foreign key
    text = notice(ClaimView(closed, page, claimant))
    await enqueue_text(repos, claimant.id, text, priority=Priority.ALERT, now=now)
    return closed
