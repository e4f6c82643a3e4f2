"""The page registry: registration, moderation, co-administrators."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.claims import Custody, custody
from bot.domain.deeplinks import is_start_payload, looks_like_invite, new_invite_code
from bot.domain.limits import PAGE_TITLE, REJECT_REASON
from bot.domain.links import PageLink, Platform, parse_link
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, can_moderate
from bot.services.audit import record
from bot.services.claims import ClaimNotice, close_claim
from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.services.errors import (
    AlreadyDecided,
    DuplicateLink,
    InviteExpired,
    InviteInvalid,
    InviteRefused,
    InviteUsed,
    NotAllowed,
    PageNotFound,
    SameCommunity,
    require_text,
)
from bot.services.milestones import MilestoneService
from bot.storage.database import Database
from bot.storage.orphans import Orphan
from bot.storage.records import Invite, Page, Report, Territory, User
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

# The community's id on its platform from a link (VK: utils.resolveScreenName), None
# when the platform does not know it or does not answer within the resolver's own
# timeout (VK: collectors.vk.RESOLVE_TIMEOUT): the link step waits no longer.
Resolver = Callable[[str], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class CheckedLink(PageLink):
    """A link the link step accepted, with its community's id on the platform when a
    resolver named it then (None: unknown; a collection learns it later)."""

    platform_id: str | None = None


async def refuse_same_community(
    repos: Repositories, platform: Platform, platform_id: str | None
) -> None:
    """Raises SameCommunity when a page (not rejected) of the community with this id on
    the platform is registered; nothing for an unknown id (None)."""
    if platform_id is None:
        return
    same = await repos.observations.same_community(platform.value, platform_id)
    if same is not None:
        raise SameCommunity(same.title)


# Renders the notice a page's administrator gets about a decision, in their language.
Notice = Callable[[User, Page], str]
# Renders what the giver of a page reads when the recipient took it over: (giver, page,
# recipient), in the giver's language.
HandOverNotice = Callable[[User, Page, User], str]


@dataclass(frozen=True, slots=True)
class PageDraft:
    """A page to register, as the wizard gathered it; `platform_id` is the community's
    id the link step resolved (CheckedLink), carried so it is not asked again."""

    url: str
    link_key: str
    platform: Platform
    title: str
    territory_id: int
    level: Level
    theme: Theme
    platform_id: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    page: Page
    admin_ids: list[int]


@dataclass(frozen=True, slots=True)
class ModerationQueue:
    pending: list[Page]
    pending_count: int
    orphaned: list[Orphan]


@dataclass(frozen=True, slots=True)
class StartLink:
    """What opening a /start link did: joined a page (`page`), failed as an invitation
    (`problem`: InviteInvalid, InviteExpired or InviteUsed), or neither (a campaign
    link, or a payload the bot ignores); `source` is set when it became the user's source."""

    page: Page | None = None
    problem: InviteRefused | None = None
    source: str | None = None


class RegistryService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        invite_ttl_days: int,
        hand_over_notice: HandOverNotice,
        claim_notice: ClaimNotice,
        wake: Callable[[], None] = lambda: None,
        milestones: MilestoneService | None = None,
        resolvers: Mapping[Platform, Resolver] | None = None,
    ) -> None:
        self._db = db
        # The platforms' own ids of communities, for one community under two links.
        self._resolvers = dict(resolvers or {})
        self._clock = clock
        self._hand_over_notice = hand_over_notice
        # Tells a claimant their claim closed: the page got an administrator by invite.
        self._claim_notice = claim_notice
        # An approved page's figure enters the totals: their milestones are checked.
        self._milestones = milestones
        # Tells the delivery worker that notices were queued.
        self._wake = wake
        self._invite_ttl = invite_ttl_days * DAY
        self._territories: list[Territory] = []

    async def territories(self) -> list[Territory]:
        # Reference data: read once, it changes only with a restart.
        if not self._territories:
            async with self._db.read() as repos:
                self._territories = await repos.territories.all()
        return self._territories

    async def territory(self, territory_id: int) -> Territory | None:
        return next((t for t in await self.territories() if t.id == territory_id), None)

    async def check_link(self, text: str) -> CheckedLink:
        """Parse a link and refuse one that is already registered: DuplicateLink for
        the same link in any of its forms, SameCommunity for another link the platform
        resolves to a registered community's id (vk.com/club1 and vk.com/name). The
        resolved id comes with the link, for the draft to carry to `register`."""
        link = parse_link(text)
        async with self._db.read() as repos:
            existing = await repos.pages.by_link_key(link.key)
            if existing is not None:
                raise DuplicateLink(existing.title)
        platform_id = None
        if link.platform is not None:
            platform_id = await self._resolve(link.platform, link.url)
            async with self._db.read() as repos:
                await refuse_same_community(repos, link.platform, platform_id)
        return CheckedLink(link.url, link.key, link.platform, platform_id)

    async def _resolve(self, platform: Platform, url: str) -> str | None:
        """The community's id on its platform, when a resolver can tell it in time (its
        own timeout); None otherwise (the collection learns it later, and /pending lists
        duplicates)."""
        resolve = self._resolvers.get(platform)
        if resolve is None:
            return None
        try:
            return await resolve(url)
        except Exception:
            # A platform's trouble (or slowness) never blocks a registration.
            log.warning("Could not resolve a %s link", platform.value, exc_info=True)
            return None

    async def register(self, actor: Actor, draft: PageDraft) -> Page:
        """Store a pending page, with its community's id on the platform when the link
        step resolved it (`draft.platform_id`; not asked again). Raises TextRefused
        (title), PageNotFound (no such territory), DuplicateLink (the link is
        registered, under any of its forms) or SameCommunity
        (the platform names a registered community: registered while this one's wizard
        ran)."""
        require_text(PAGE_TITLE, draft.title)
        if await self.territory(draft.territory_id) is None:
            raise PageNotFound
        platform_id = draft.platform_id
        async with self._db.write() as repos:
            existing = await repos.pages.by_link_key(draft.link_key)
            if existing is not None:
                raise DuplicateLink(existing.title)
            await refuse_same_community(repos, draft.platform, platform_id)
            page_id = await repos.pages.create(
                link_key=draft.link_key,
                url=draft.url,
                platform=draft.platform.value,
                title=draft.title,
                territory_id=draft.territory_id,
                level=draft.level.value,
                theme=draft.theme.value,
                created_by=actor.user_id,
                now=self._clock.now(),
            )
            if platform_id is not None:
                await repos.observations.learn_id(page_id, platform_id)
            page = await repos.pages.get(page_id)
        assert page is not None
        return page

    async def moderation_queue(self, actor: Actor, *, limit: int | None = None) -> ModerationQueue:
        """Pending pages (oldest first) and orphaned pages (the most recently orphaned
        first, see `bot.domain.claims`) within the actor's reach, at most `limit` of each
        (None: all). Raises NotAllowed for anyone but a coordinator."""
        if not actor.is_coordinator:
            raise NotAllowed
        async with self._db.read() as repos:
            return ModerationQueue(
                pending=await repos.pages.pending(territory_id=actor.scope, limit=limit),
                pending_count=await repos.pages.count_pending(territory_id=actor.scope),
                orphaned=await repos.orphans.listed(territory_id=actor.scope, limit=limit),
            )

    async def approve(self, actor: Actor, page_id: int, notice: Notice) -> Decision:
        """Approve a pending page; its administrators' notices are queued and the audit
        entry recorded with the decision, in one transaction. Raises PageNotFound,
        NotAllowed (not a coordinator of the page's territory) or AlreadyDecided."""
        return await self._decide(actor, page_id, PageStatus.APPROVED, None, notice)

    async def reject(self, actor: Actor, page_id: int, reason: str, notice: Notice) -> Decision:
        """Reject a pending page with a reason its administrators are told and the audit
        entry keeps (TextRefused when the reason is empty or too long); otherwise as
        `approve`."""
        require_text(REJECT_REASON, reason)
        return await self._decide(actor, page_id, PageStatus.REJECTED, reason, notice)

    async def ensure_can_moderate(self, actor: Actor, page_id: int) -> Page:
        async with self._db.read() as repos:
            return await self._moderated_page(repos, actor, page_id)

    async def _decide(
        self, actor: Actor, page_id: int, status: PageStatus, reason: str | None, notice: Notice
    ) -> Decision:
        async with self._db.write() as repos:
            page = await self._moderated_page(repos, actor, page_id)
            milestones = self._milestones if status is PageStatus.APPROVED else None
            before = await milestones.figures(repos, page.territory_id) if milestones else None
            decided = await repos.pages.decide(
                page.id,
                status=status,
                reason=reason,
                decided_by=actor.user_id,
                now=self._clock.now(),
            )
            if not decided:
                raise AlreadyDecided
            now = self._clock.now()
            approved = status is PageStatus.APPROVED
            action = AuditAction.PAGE_APPROVED if approved else AuditAction.PAGE_REJECTED
            subject = Subject(SubjectKind.PAGE, page.id, page.territory_id)
            details = {AuditDetail.REASON: reason} if reason is not None else None
            await record(repos, actor, action, subject, now=now, details=details)
            updated = await repos.pages.get(page_id)
            admins = await repos.pages.admin_ids(page_id)
            assert updated is not None
            for admin in await repos.users.many(admins):
                text = notice(admin, updated)
                await enqueue_text(repos, admin.id, text, priority=Priority.ALERT, now=now)
            if milestones is not None and before is not None:
                after = await milestones.figures(repos, page.territory_id)
                await milestones.totals_changed(repos, page.territory_id, before, after, now=now)
        self._wake()
        return Decision(updated, admins)

    @staticmethod
    async def _moderated_page(repos: Repositories, actor: Actor, page_id: int) -> Page:
        page = await repos.pages.get(page_id)
        if page is None:
            raise PageNotFound
        if not can_moderate(actor, page.territory_id):
            raise NotAllowed
        return page

    async def my_pages(self, user_id: int) -> list[Page]:
        async with self._db.read() as repos:
            return await repos.pages.of_admin(user_id)

    async def administered(self, actor: Actor, page_id: int) -> Page:
        """A page the actor administers (or oversees as its coordinator)."""
        async with self._db.read() as repos:
            page = await repos.pages.get(page_id)
            is_admin = page is not None and await repos.pages.is_admin(page_id, actor.user_id)
        if page is None or (page.status is PageStatus.REJECTED and not is_admin):
            raise PageNotFound
        if not is_admin and not can_moderate(actor, page.territory_id):
            raise NotAllowed
        return page

    async def history(
        self, actor: Actor, page_id: int, *, limit: int | None
    ) -> tuple[Page, list[Report]]:
        """A page the actor may see and its latest `limit` reports (None: all), newest
        first. Raises PageNotFound or NotAllowed as `administered` does."""
        page = await self.administered(actor, page_id)
        async with self._db.read() as repos:
            return page, await repos.reports.history(page_id, limit=limit)

    async def create_invite(self, actor: Actor, page_id: int, *, hand_over: bool = False) -> str:
        """A single-use code that makes whoever opens it a co-administrator of the page;
        with `hand_over`, the actor leaves the page when it is accepted. Raises
        PageNotFound (no such page, or rejected) and NotAllowed (not its administrator)."""
        async with self._db.write() as repos:
            page = await repos.pages.get(page_id)
            if page is None or page.status is PageStatus.REJECTED:
                raise PageNotFound
            if not await repos.pages.is_admin(page_id, actor.user_id):
                raise NotAllowed
            code = new_invite_code()
            now = self._clock.now()
            await repos.invites.create(
                code=code,
                page_id=page_id,
                created_by=actor.user_id,
                now=now,
                expires_at=now + self._invite_ttl,
                hand_over=hand_over,
            )
        return code

    async def open_start_link(self, actor: Actor, payload: str) -> StartLink:
        """Act on the payload of `/start <payload>`. A known invite code, or anything
        shaped like one, is an invitation (see `accept_invite`); its failure comes back as
        `problem`, not raised. Any other valid payload (1-64 characters of A-Za-z0-9_-)
        is a campaign label, recorded as the user's source if they have none yet. An
        invalid payload changes nothing."""
        if not is_start_payload(payload):
            return StartLink()
        async with self._db.read() as repos:
            known = await repos.invites.get(payload) is not None
        if known or looks_like_invite(payload):
            try:
                return StartLink(page=await self.accept_invite(actor, payload))
            except InviteRefused as exc:
                return StartLink(problem=exc)
        async with self._db.write() as repos:
            recorded = await repos.users.set_source(actor.user_id, payload)
        return StartLink(source=payload if recorded else None)

    async def accept_invite(self, actor: Actor, code: str) -> Page:
        """Make the actor a co-administrator of the invite's page; a hand-over invite
        also makes its giver leave the page (if they have not already) and queues them a
        notice. A claim of the page waiting for a decision is closed, its claimant told.
        Raises InviteInvalid (unknown code, page gone), InviteUsed or InviteExpired."""
        async with self._db.write() as repos:
            invite = await repos.invites.get(code)
            if invite is None:
                raise InviteInvalid
            page = await repos.pages.get(invite.page_id)
            if page is None or page.status is PageStatus.REJECTED:
                raise InviteInvalid
            joined = await repos.pages.is_admin(page.id, actor.user_id)
            # Opening the link again is harmless and should not burn someone else's code;
            # a co-administrator given a hand-over does take the page over.
            taking_over = invite.hand_over and actor.user_id != invite.created_by
            if joined and not (taking_over and invite.used_by is None):
                return page
            now = self._clock.now()
            if invite.used_by is not None:
                raise InviteUsed
            if now >= invite.expires_at:
                raise InviteExpired
            if not await repos.invites.mark_used(code, user_id=actor.user_id, now=now):
                raise InviteUsed
            await repos.pages.add_admin(page.id, actor.user_id, now=now)
            told = taking_over and await self._hand_over(repos, invite, page, actor, now)
            closed = await close_claim(repos, self._claim_notice, page, None, now)
            told = told or closed is not None
        if told:
            self._wake()  # once committed: the giver's notice is in the queue
        return page

    async def _hand_over(
        self, repos: Repositories, invite: Invite, page: Page, recipient: Actor, now: int
    ) -> bool:
        """The giver of a hand-over invite leaves the page and is told who took it;
        False when they had left it already (nothing to tell)."""
        if not await repos.pages.remove_admin(page.id, invite.created_by, now=now):
            return False
        giver = await repos.users.get(invite.created_by)
        taker = await repos.users.get(recipient.user_id)
        assert giver is not None
        assert taker is not None
        text = self._hand_over_notice(giver, page, taker)
        await enqueue_text(repos, giver.id, text, priority=Priority.ALERT, now=now)
        return True

    async def leave(self, actor: Actor, page_id: int) -> tuple[Page, bool]:
        """Stop administering a page (the departure is recorded); the flag says the
        page is orphaned now: approved, and nobody reachable administers it."""
        async with self._db.write() as repos:
            page = await repos.pages.get(page_id)
            now = self._clock.now()
            if page is None or not await repos.pages.remove_admin(page_id, actor.user_id, now=now):
                raise PageNotFound
            left = custody(await repos.orphans.keepers(page_id))
        return page, page.status is PageStatus.APPROVED and left is Custody.ORPHANED
