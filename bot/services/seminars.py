"""Seminars: coordinators announce them to a segment, administrators register.

Who may see and register: a coordinator, for seminars inside their territory (all of them
if they are not scoped); an administrator, when the seminar's segment includes one of
their approved pages, or when they registered (or wait in line) already. Every check is
made here, on the server side, whatever the buttons said.

A full seminar has a waiting list: "I will attend" puts the person at the end of the line,
and each seat freed goes to the first in line, who is told through the delivery queue in
the same transaction. Seats are counted and taken inside one write transaction (`BEGIN
IMMEDIATE`, one writer at a time, across processes too), so two taps for the last seat
never both get it. Registrations (and the line) close at the start, and for a cancelled
seminar.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.limits import SEMINAR_DESCRIPTION, SEMINAR_PLACE, SEMINAR_TITLE
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, manages_audience, oversees_audience
from bot.domain.segments import Segment
from bot.domain.seminars import (
    LISTED_AFTER_END_DAYS,
    MAX_ACADEMIC_HOURS,
    MAX_DAYS_AHEAD,
    MAX_DURATION_MINUTES,
    SeminarInputError,
)
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.delivery import Priority
from bot.services.errors import (
    NotAllowed,
    SeminarCancelled,
    SeminarChangeRefused,
    SeminarNotFound,
    SeminarStarted,
    require_text,
)
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, text_payload
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar


@dataclass(frozen=True, slots=True)
class SeminarDraft:
    title: str
    description: str
    starts_at: int
    duration_minutes: int
    place: str
    capacity: int | None
    academic_hours: int
    #: Who is invited, as chosen: a scoped coordinator's is kept within their territory.
    segment: Segment


@dataclass(frozen=True, slots=True)
class SeminarView:
    """A seminar as one user sees it: how many registered, whether they did, their place
    in the waiting list (1: first in line; None: not waiting), whether they manage it
    (`coordinator_manages`), whether they attended, and whether it had started when
    the view was made (the service's clock): registrations, the line, changes and
    cancellation are closed then."""

    seminar: Seminar
    registered: int
    mine: bool
    waiting: int | None = None
    manages: bool = False
    attended: bool = False
    started: bool = False

    @property
    def seats_left(self) -> int | None:
        capacity = self.seminar.capacity
        return None if capacity is None else max(capacity - self.registered, 0)

    @property
    def full(self) -> bool:
        return self.seats_left == 0


# A message about a seminar to one user, in their language: HTML text and an inline
# keyboard as a dict (the card's buttons). The announcement to each administrator invited,
# and the notice to the first in line that a seat is now theirs.
AnnouncementRenderer = Callable[[User, SeminarView], tuple[str, Mapping[str, Any]]]


def coordinator_sees(actor: Actor, seminar: Seminar) -> bool:
    """A coordinator sees seminars inside their territory; an unscoped one sees all."""
    return oversees_audience(actor, seminar.segment)


def coordinator_manages(actor: Actor, seminar: Seminar) -> bool:
    """A coordinator manages a seminar that is theirs (`bot.domain.roles.manages_audience`:
    an unscoped coordinator every one, a scoped one those for their territory alone)."""
    return manages_audience(actor, seminar.segment)


async def managed_seminar(repos: Repositories, actor: Actor, seminar_id: int) -> Seminar:
    """The seminar, if the actor manages it (`coordinator_manages`), cancelled or not.
    Raises NotAllowed (not a coordinator, or a seminar they see but do not manage, such
    as a region-wide one for a coordinator scoped to a territory), SeminarNotFound (no
    such seminar, or outside their territory: forged buttons meet this)."""
    if not actor.is_coordinator:
        raise NotAllowed
    seminar = await repos.seminars.get(seminar_id)
    if seminar is None or not coordinator_sees(actor, seminar):
        raise SeminarNotFound
    if not coordinator_manages(actor, seminar):
        raise NotAllowed
    return seminar


async def overseen_seminar(repos: Repositories, actor: Actor, seminar_id: int) -> Seminar:
    """The seminar a coordinator manages (marks attendance, shows the check-in code,
    changes, cancels), if it was not cancelled. Raises what `managed_seminar` raises, and
    SeminarCancelled."""
    seminar = await managed_seminar(repos, actor, seminar_id)
    if seminar.cancelled_at is not None:
        raise SeminarCancelled
    return seminar


async def audited_territory(repos: Repositories, actor: Actor, seminar: Seminar) -> int | None:
    """The territory a seminar's audit entries belong to: the coordinator's scope, else
    the one territory invited (if it exists), else None (the whole region)."""
    if actor.scope is not None:
        return actor.scope
    if len(seminar.segment.territories) != 1:
        return None
    [territory_id] = seminar.segment.territories
    return territory_id if await repos.territories.get(territory_id) is not None else None


class SeminarService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        announce: AnnouncementRenderer,
        wake: Callable[[], None],
        *,
        promoted: AnnouncementRenderer,
    ) -> None:
        self._db = db
        self._clock = clock
        self._announce = announce
        self._promoted = promoted
        # Tells the delivery worker that announcements were queued.
        self._wake = wake

    @staticmethod
    def _seminar(actor: Actor, draft: SeminarDraft, *, now: int) -> Seminar:
        """The seminar the draft describes, as `actor` would create it now (id 0: not
        stored); its audience is the draft's segment within the actor's scope."""
        return Seminar(
            id=0,
            title=draft.title,
            description=draft.description,
            starts_at=draft.starts_at,
            duration_minutes=draft.duration_minutes,
            place=draft.place,
            capacity=draft.capacity,
            segment=draft.segment.with_silence(None).within(actor.scope),
            created_by=actor.user_id,
            created_at=now,
            academic_hours=draft.academic_hours,
        )

    async def preview(self, actor: Actor, draft: SeminarDraft) -> tuple[SeminarView, int]:
        """The seminar as it would be announced, and how many administrators the
        announcement would reach."""
        if not actor.is_coordinator:
            raise NotAllowed
        now = self._clock.now()
        seminar = self._seminar(actor, draft, now=now)
        async with self._db.read() as repos:
            count = await repos.audience.count(seminar.segment, now=now)
        return SeminarView(seminar, registered=0, mine=False), count

    async def audience_count(self, actor: Actor, segment: Segment) -> int:
        """How many administrators a seminar for `segment` would invite, as the actor may
        invite them (within their territory; the days of silence are not a seminar's).
        Raises NotAllowed for anyone but a coordinator."""
        if not actor.is_coordinator:
            raise NotAllowed
        now = self._clock.now()
        async with self._db.read() as repos:
            return await repos.audience.count(
                segment.with_silence(None).within(actor.scope), now=now
            )

    async def create(self, actor: Actor, draft: SeminarDraft) -> tuple[Seminar, int]:
        """Store the seminar, queue its announcement to every administrator of its
        segment and audit it, in one transaction; returns the seminar and how many were
        invited. Raises NotAllowed, TextRefused, SeminarStarted (`starts_at` not ahead)."""
        if not actor.is_coordinator:
            raise NotAllowed
        if not 0 < draft.academic_hours <= MAX_ACADEMIC_HOURS:
            raise SeminarChangeRefused(SeminarInputError.BAD_HOURS)
        require_text(SEMINAR_TITLE, draft.title)
        require_text(SEMINAR_DESCRIPTION, draft.description)
        require_text(SEMINAR_PLACE, draft.place)
        now = self._clock.now()
        if draft.starts_at <= now:
            raise SeminarStarted
        async with self._db.write() as repos:
            seminar_id = await repos.seminars.create(self._seminar(actor, draft, now=now))
            seminar = await repos.seminars.get(seminar_id)
            assert seminar is not None
            view = SeminarView(seminar, registered=0, mine=False)
            audience = await repos.audience.recipients(seminar.segment, now=now)
            sent = await _queue(repos, self._announce, audience, view, Priority.BROADCAST, now)
            territory = await audited_territory(repos, actor, seminar)
            subject = Subject(SubjectKind.SEMINAR, seminar_id, territory)
            invited = {AuditDetail.RECIPIENTS: sent}
            await record(
                repos, actor, AuditAction.SEMINAR_CREATED, subject, now=now, details=invited
            )
        if sent:
            self._wake()
        return seminar, sent

    async def upcoming(self, actor: Actor) -> list[SeminarView]:
        """Seminars not started yet that the actor may see, soonest first: all of them, as
        none may be scheduled more than MAX_DAYS_AHEAD ahead (bot.domain.seminars);
        cancelled ones too (their card says so). A coordinator also gets, first, those
        they oversee that are under way or ended less than LISTED_AFTER_END_DAYS ago, so
        that attendance can be marked."""
        now = self._clock.now()
        since = now
        if actor.is_coordinator:
            since = now - LISTED_AFTER_END_DAYS * DAY - MAX_DURATION_MINUTES * 60
        async with self._db.read() as repos:
            seminars = await repos.seminars.starting_between(since, now + MAX_DAYS_AHEAD * DAY)
            ids = [seminar.id for seminar in seminars]
            counts = await repos.seminars.registered_counts(ids)
            mine = {s for s, _ in await repos.seminars.registrations(ids, [actor.user_id])}
            waiting = await repos.waitlist.positions(ids, actor.user_id)
            attended = await repos.attendance.attended(ids, actor.user_id)
            views = []
            for seminar in seminars:
                if seminar.starts_at <= now and not (
                    coordinator_sees(actor, seminar)
                    and seminar.ends_at > now - LISTED_AFTER_END_DAYS * DAY
                ):
                    continue
                known = seminar.id in mine or seminar.id in waiting
                if known or await self._invited(repos, actor, seminar, now):
                    views.append(
                        SeminarView(
                            seminar,
                            counts[seminar.id],
                            seminar.id in mine,
                            waiting.get(seminar.id),
                            manages=coordinator_manages(actor, seminar),
                            attended=seminar.id in attended,
                            started=seminar.starts_at <= now,
                        )
                    )
        return views

    async def view(self, actor: Actor, seminar_id: int) -> SeminarView:
        async with self._db.read() as repos:
            return await self._view(repos, actor, seminar_id)

    async def register(self, actor: Actor, seminar_id: int) -> SeminarView:
        """Register the actor for a free seat; when every seat is taken, put them at the
        end of the waiting list instead (the view's `waiting` is their position). The line
        is never skipped: seats it should have had (capacity raised meanwhile) go to it
        first. Registering, or joining the line, twice changes nothing.

        Raises SeminarNotFound (not for them), SeminarCancelled, SeminarStarted (closed at
        the start). One write transaction counts the seats and takes one."""
        now = self._clock.now()
        async with self._db.write() as repos:
            view = await self._view(repos, actor, seminar_id)
            if view.mine or view.waiting is not None:
                return view
            seminar = view.seminar
            _require_open(seminar, now)
            promoted = await fill_seats(repos, seminar, self._promoted, now=now)
            registered = view.registered + len(promoted)
            if seminar.capacity is None or registered < seminar.capacity:
                await repos.seminars.register(seminar_id, actor.user_id, now=now)
                view = replace(view, registered=registered + 1, mine=True)
            else:
                await repos.waitlist.join(seminar_id, actor.user_id, now=now)
                line = await repos.waitlist.positions([seminar_id], actor.user_id)
                view = replace(view, registered=registered, waiting=line[seminar_id])
        if promoted:
            self._wake()
        return view

    async def unregister(self, actor: Actor, seminar_id: int) -> tuple[SeminarView, SeminarView]:
        """The actor cannot come: give up their seat, or their place in the waiting list. A
        seat given up goes to the first in line, who is told through the delivery queue
        in the same transaction. Nothing to give up changes nothing. Returns the seminar
        as the actor saw it before, and as they see it now.

        Raises SeminarNotFound (not for them), SeminarCancelled, SeminarStarted."""
        now = self._clock.now()
        promoted: list[int] = []
        async with self._db.write() as repos:
            view = await self._view(repos, actor, seminar_id)
            if not view.mine and view.waiting is None:
                return view, view
            _require_open(view.seminar, now)
            registered = view.registered
            if view.mine:
                await repos.seminars.unregister(seminar_id, actor.user_id)
                promoted = await fill_seats(repos, view.seminar, self._promoted, now=now)
                registered += len(promoted) - 1
            else:
                await repos.waitlist.leave(seminar_id, actor.user_id)
        if promoted:
            self._wake()
        return view, replace(view, registered=registered, mine=False, waiting=None)

    async def _view(self, repos: Repositories, actor: Actor, seminar_id: int) -> SeminarView:
        """The seminar as the actor sees it; SeminarNotFound if it is not for them."""
        now = self._clock.now()
        seminar = await repos.seminars.get(seminar_id)
        if seminar is None:
            raise SeminarNotFound
        mine = bool(await repos.seminars.registrations([seminar_id], [actor.user_id]))
        waiting = (await repos.waitlist.positions([seminar_id], actor.user_id)).get(seminar_id)
        known = mine or waiting is not None
        if not known and not await self._invited(repos, actor, seminar, now):
            raise SeminarNotFound
        counts = await repos.seminars.registered_counts([seminar_id])
        attended = await repos.attendance.attended([seminar_id], actor.user_id)
        return SeminarView(
            seminar,
            counts[seminar_id],
            mine,
            waiting,
            manages=coordinator_manages(actor, seminar),
            attended=seminar_id in attended,
            started=seminar.starts_at <= now,
        )

    @staticmethod
    async def _invited(repos: Repositories, actor: Actor, seminar: Seminar, now: int) -> bool:
        return coordinator_sees(actor, seminar) or await repos.audience.includes(
            seminar.segment, actor.user_id, now=now
        )


async def fill_seats(
    repos: Repositories, seminar: Seminar, notice: AnnouncementRenderer, *, now: int
) -> list[int]:
    """Give the seminar's free seats (every waiting person's, when it has no limit) to
    the first in line, in order, and queue each of them `notice` (the seat is theirs),
    inside the caller's write transaction; returns their user ids, in the line's order.
    The caller wakes the delivery worker after the commit. `seminar` must be as stored
    now (its capacity is the one counted)."""
    registered = (await repos.seminars.registered_counts([seminar.id]))[seminar.id]
    free = None if seminar.capacity is None else seminar.capacity - registered
    promoted = await repos.waitlist.pop(seminar.id, free)
    for user_id in promoted:
        await repos.seminars.register(seminar.id, user_id, now=now)
    view = SeminarView(seminar, registered + len(promoted), mine=True)
    await _queue(repos, notice, promoted, view, Priority.ALERT, now)
    return promoted


def _require_open(seminar: Seminar, now: int) -> None:
    """Registrations and the waiting list change only before the start (Unix seconds) of
    a seminar not cancelled. Raises SeminarCancelled, SeminarStarted."""
    if seminar.cancelled_at is not None:
        raise SeminarCancelled
    if seminar.starts_at <= now:
        raise SeminarStarted


async def _queue(
    repos: Repositories,
    render: AnnouncementRenderer,
    user_ids: Collection[int],
    view: SeminarView,
    priority: Priority,
    now: int,
) -> int:
    """Queue `render`'s message about `view` to each of these users (in their language,
    in the order given: the line's, for promotions) inside the caller's unit of work;
    returns how many were queued."""
    users = {user.id: user for user in await repos.users.many(user_ids)}
    messages = []
    for user in (users[user_id] for user_id in user_ids if user_id in users):
        text, markup = render(user, view)
        messages.append((user.id, text_payload(text, markup)))
    return await repos.outbox.add_many(OutboxKind.TEXT, messages, priority=priority, now=now)
