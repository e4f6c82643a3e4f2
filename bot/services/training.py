"""Training figures for coordinators: /training, the digest's training block, and the
seminars a broadcast may narrow to.

Scope: a coordinator scoped to a territory counts only seminars whose audience lies
within it (an audience naming that territory and no other; region-wide seminars are the
region's) and only pages of that territory; an unscoped one counts everything. Every
check is made here, whatever the buttons said.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.localtime import DAY
from bot.domain.roles import Actor, oversees_audience, within_scope
from bot.domain.training import TrainingPeriod, TrainingReport, TrainingWeek, total_coverage
from bot.services.clock import Clock
from bot.services.errors import NotAllowed, SeminarNotFound
from bot.storage.database import Database
from bot.storage.repositories import Repositories
from bot.storage.training import SeminarRef

#: Seminars a broadcast can narrow to: those that started within this many days, or
#: start within as many, at most RECENT_SEMINARS of them, latest first.
RECENT_DAYS = 90
RECENT_SEMINARS = 10


async def training_week(
    repos: Repositories, scope: int | None, *, since: int, until: int
) -> TrainingWeek:
    """The digest's training block for `scope` over [since, until): the held seminars'
    figures and the coverage at `since` and at `until`. Coverage "then" counts today's
    still-approved pages approved by then and today's administrators added by then, with
    attendance marked by then (page_admins keeps no history of who left)."""
    held = await repos.training.ended_between(since, until)
    ids = [ref.id for ref in held if within_scope(scope, ref.segment)]
    return TrainingWeek(
        figures=await repos.training.figures(ids),
        before=total_coverage(await repos.training.coverage(scope, at=since)),
        now=total_coverage(await repos.training.coverage(scope, at=until)),
    )


class TrainingService:
    """/training's figures and the seminars a broadcast may narrow to, within the
    coordinator's scope. Its dependencies: the database, the clock and the region's time
    zone (where a period begins)."""

    def __init__(self, db: Database, clock: Clock, tz: dt.tzinfo) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz  # the region's: where a year and a quarter begin

    async def report(self, actor: Actor, period: TrainingPeriod) -> TrainingReport:
        """/training over `period` (bounds in the region's time zone) within the actor's
        scope. Raises NotAllowed for anyone but a coordinator."""
        if not actor.is_coordinator:
            raise NotAllowed
        since, until = period.bounds(self._clock.now(), self._tz)
        async with self._db.read() as repos:
            held = await repos.training.ended_between(since, until)
            ids = [ref.id for ref in held if within_scope(actor.scope, ref.segment)]
            figures = await repos.training.figures(ids)
            coverage = await repos.training.coverage(actor.scope, at=until)
        return TrainingReport(actor.scope, period, since, until, figures, coverage)

    async def recent_seminars(self, actor: Actor) -> list[SeminarRef]:
        """The seminars a coordinator may narrow a broadcast to: those they oversee
        (`bot.domain.roles.oversees_audience`) starting within RECENT_DAYS either side
        of now, latest first, at most RECENT_SEMINARS. Raises NotAllowed."""
        if not actor.is_coordinator:
            raise NotAllowed
        now = self._clock.now()
        async with self._db.read() as repos:
            found = await repos.training.started_between(
                now - RECENT_DAYS * DAY, now + RECENT_DAYS * DAY
            )
        return [ref for ref in found if oversees_audience(actor, ref.segment)][:RECENT_SEMINARS]

    async def seminar_for_segment(self, actor: Actor, seminar_id: int) -> SeminarRef:
        """The seminar a broadcast of `actor` may narrow to. Raises NotAllowed for anyone
        but a coordinator, SeminarNotFound for a seminar that does not exist or that the
        coordinator does not oversee (forged callback data meets the same answer)."""
        if not actor.is_coordinator:
            raise NotAllowed
        async with self._db.read() as repos:
            seminar = await repos.seminars.get(seminar_id)
        if seminar is None or not oversees_audience(actor, seminar.segment):
            raise SeminarNotFound
        return SeminarRef(seminar.id, seminar.title, seminar.starts_at, seminar.segment)
