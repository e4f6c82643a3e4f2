"""The weekly digest: for coordinators, the region (or their territory) over the week,
with its training block (`bot.services.training.training_week`); for page
administrators, their pages' figures, changes and ranks.

A run reads what is shared once, in a few queries whatever the number of users (every
page's ranks by window functions into flat arrays, the week's changes by one windowed
query, the coordinators' figures), then takes the recipients CHUNK at a time: two
queries per chunk (who, and all their pages), each digest rendered in its recipient's
language by the handler layer's `DigestRenderer` and cut into messages Telegram
accepts, then one transaction that records the chunk's `digest_deliveries` rows and
queues their messages. One digest per user and ISO week, however often, late or
concurrently the job runs; memory stays bounded by the chunk, not by the region.

Coordinators' digests are followed by a growth chart (`DigestChart`): drawn once per
scope and language in a run, stored once in `outbox_files`, queued after the texts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.config import Settings
from bot.domain.digests import (
    FORECAST_DAYS,
    SEMINAR_DAYS,
    SILENT_DAYS,
    SILENT_LISTED,
    AdminPageRow,
    Overview,
    PageChangeRow,
    PageFigures,
    PageRanks,
    WeekFigures,
    overview,
    page_figures,
)
from bot.domain.localtime import DAY, WEEK
from bot.domain.messages import MESSAGE_LIMIT, split_message
from bot.domain.milestones import Ladders
from bot.domain.roles import Actor
from bot.domain.training import TrainingWeek
from bot.services.access import actor_of, ensure_registered
from bot.services.clock import Clock
from bot.services.delivery import Priority
from bot.services.errors import NotRegistered
from bot.services.seminars import SeminarView, coordinator_sees
from bot.services.training import training_week
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, photo_payload, text_payload
from bot.storage.records import Territory, User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar
from bot.storage.silence import silence_cutoff

log = logging.getLogger(__name__)

#: Recipients composed from one query of their pages and queued in one transaction:
#: memory stays bounded and the writer is never held long.
CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class Digest:
    user: User
    period: str  # e.g. 2026-W48
    since: int  # the week covered: [since, until)
    until: int
    overview: Overview | None  # coordinators only
    pages: list[PageFigures]
    territories: Mapping[int, Territory]
    # Seminars of the next SEMINAR_DAYS the user is invited to or registered for.
    seminars: list[SeminarView] = field(default_factory=list)
    # Coordinators only: the week's held seminars and the coverage's change.
    training: TrainingWeek | None = None


# Renders a digest as HTML in its recipient's language. Every line must stand on its own
# (each tag closed on the line it opens): long digests are cut between lines.
DigestRenderer = Callable[[Digest], str]


@dataclass(frozen=True, slots=True)
class DigestPhoto:
    """The chart after a coordinator's digest: a PNG, its HTML caption, its buttons."""

    png: bytes
    caption: str
    reply_markup: Mapping[str, Any] | None = None


class DigestChart(Protocol):
    """Draws the chart attached to coordinators' digests (the handler layer's `DigestCharts`)."""

    def locale(self, user: User) -> str:
        """The language the user's chart is drawn in: one drawing per scope and language."""

    async def draw(self, territory: Territory | None, locale: str) -> DigestPhoto:
        """The region's chart (`territory` None) or a territory's, in `locale`."""


@dataclass(slots=True)
class _Week:
    """What one run reads once and shares between its digests."""

    period: str
    since: int
    until: int
    territories: dict[int, Territory]
    ranks: PageRanks
    before: dict[int, int]  # page → figure before the week, for pages that reported in it
    changes: list[PageChangeRow]
    # Seminars of the next SEMINAR_DAYS, who each invites, how many and who registered.
    seminars: list[Seminar] = field(default_factory=list)
    invited: dict[int, frozenset[int]] = field(default_factory=dict)
    registered: dict[int, int] = field(default_factory=dict)
    registrations: set[tuple[int, int]] = field(default_factory=set)
    # What coordinators' digests need, read with the first coordinator met, and their
    # overviews per scope.
    figures: WeekFigures | None = None
    overviews: dict[int | None, Overview] = field(default_factory=dict)
    # The training block per coordinators' scope, read with the chunk that first needs it.
    training: dict[int | None, TrainingWeek] = field(default_factory=dict)
    # Charts drawn by this run, per (scope, locale) (None: drawing failed), and their
    # outbox_files ids once stored.
    photos: dict[tuple[int | None, str], DigestPhoto | None] = field(default_factory=dict)
    photo_files: dict[tuple[int | None, str], int] = field(default_factory=dict)


class DigestService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        render: DigestRenderer,
        wake: Callable[[], None],
        chart: DigestChart | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._region_ladder = Ladders.from_settings(settings).region
        self._tz = settings.tz
        self._render = render
        # Draws the chart each coordinator gets after the digest; None: no chart.
        self._chart = chart
        # Tells the delivery worker that digests were queued.
        self._wake = wake

    def period_of(self, now: int) -> str:
        """The ISO week of `now` in the region's time zone, e.g. "2026-W48"."""
        year, week, _ = dt.datetime.fromtimestamp(now, self._tz).isocalendar()
        return f"{year}-W{week:02d}"

    def _actor(self, user: User) -> Actor:
        return actor_of(user, self._settings.superadmin_ids)

    async def run_due(self) -> int:
        """Queue this week's digest for every subscriber who has not had it; returns how
        many digests were queued. Running again in the same week queues nothing.

        Recipients are taken CHUNK at a time: each chunk is two queries (who, and their
        pages) on top of the few a run makes once, and one short write transaction."""
        now = self._clock.now()
        period = self.period_of(now)
        week: _Week | None = None
        queued = after = 0
        while True:
            async with self._db.read() as repos:
                users = await repos.digests.recipients(
                    period=period,
                    superadmins=self._settings.superadmin_ids,
                    after=after,
                    limit=CHUNK,
                )
                if not users:
                    break
                if week is None:
                    week = await self._gather(repos, period, now)
                pages = await self._read_chunk(repos, week, users)
            after = users[-1].id
            # Rendered between the read and the write: neither connection waits for it.
            texts = self._render_chunk(week, users, pages)
            charts = await self._draw_charts(week, users)
            async with self._db.write() as repos:
                fresh = await repos.digests.claim(period, texts.keys(), now=now)
                await repos.outbox.add_many(
                    OutboxKind.TEXT,
                    (
                        (user_id, text_payload(part))
                        for user_id, parts in texts.items()
                        if user_id in fresh
                        for part in parts
                    ),
                    priority=Priority.DIGEST,
                    now=now,
                )
                # Queued after the chunk's texts: each chart follows its digest.
                photos = []
                for user_id, key in charts.items():
                    if user_id in fresh:
                        photos.append((user_id, await self._photo_payload(repos, week, key, now)))
                await repos.outbox.add_many(
                    OutboxKind.PHOTO, photos, priority=Priority.DIGEST, now=now
                )
            if fresh:
                queued += len(fresh)
                self._wake()
        if queued:
            log.info("Digests for %s: %d queued", period, queued)
        return queued

    async def compose(self, user_id: int) -> list[str]:
        """The user's digest for this week, now, as messages; nothing is recorded."""
        now = self._clock.now()
        async with self._db.read() as repos:
            user = await repos.users.get(user_id)
            if user is None:
                raise NotRegistered
            await ensure_registered(repos, self._actor(user))
            week = await self._gather(repos, self.period_of(now), now)
            pages = await self._read_chunk(repos, week, [user])
        return self._render_chunk(week, [user], pages)[user.id]

    async def compose_chart(self, user_id: int) -> DigestPhoto | None:
        """The chart that follows the user's digest: coordinators only, None for others."""
        if self._chart is None:
            return None
        async with self._db.read() as repos:
            user = await repos.users.get(user_id)
            if user is None:
                return None
            actor = self._actor(user)
            if not actor.is_coordinator:
                return None
            territory = None
            if actor.scope is not None:
                territory = await repos.territories.get(actor.scope)
        return await self._draw(territory, self._chart.locale(user))

    async def compose_many(self, users: Sequence[User]) -> AsyncIterator[tuple[User, list[str]]]:
        """The digests of many users as `run_due` composes them (the run's queries once,
        then two per chunk of users), without recording or queuing anything."""
        now = self._clock.now()
        async with self._db.read() as repos:
            week = await self._gather(repos, self.period_of(now), now)
        for start in range(0, len(users), CHUNK):
            chunk = users[start : start + CHUNK]
            async with self._db.read() as repos:
                pages = await self._read_chunk(repos, week, chunk)
            texts = self._render_chunk(week, chunk, pages)
            for user in chunk:
                yield user, texts[user.id]

    # ------------------------------------------------------------------ gathering

    async def _gather(self, repos: Repositories, period: str, now: int) -> _Week:
        since = now - WEEK
        changes = await repos.digests.week_changes(since=since)
        seminars = await repos.seminars.starting_between(now, now + SEMINAR_DAYS * DAY)
        ids = [seminar.id for seminar in seminars]
        return _Week(
            period=period,
            since=since,
            until=now,
            territories={t.id: t for t in await repos.territories.all()},
            ranks=await repos.digests.ranks(),
            before={change.page_id: change.before for change in changes},
            changes=changes,
            seminars=seminars,
            # A few seminars a fortnight: each one's audience is read once, as a set.
            invited={
                seminar.id: frozenset(await repos.audience.recipients(seminar.segment, now=now))
                for seminar in seminars
            },
            registered=await repos.seminars.registered_counts(ids),
            registrations=await repos.seminars.registrations(ids),
        )

    async def _gather_for_coordinators(self, repos: Repositories, week: _Week) -> WeekFigures:
        """What the coordinators' parts of the week's digests are computed from."""
        return WeekFigures(
            since=week.since,
            until=week.until,
            today=dt.datetime.fromtimestamp(week.until, self._tz).date(),
            shares={
                int(row.key): (row.pages, row.subscribers)
                for row in await repos.totals.breakdowns()
                if row.dimension == "territory"
            },
            ledger=await repos.totals.changes(
                week_since=week.since, month_since=week.until - FORECAST_DAYS * DAY
            ),
            changes=week.changes,
            week_pages=await repos.digests.week_pages(since=week.since),
            silent=await repos.digests.silent_pages(
                cutoff=silence_cutoff(week.until, SILENT_DAYS), per_territory=SILENT_LISTED
            ),
            newcomers=await repos.digests.newcomers(since=week.since, until=week.until),
            orphaned=await repos.orphans.became(since=week.since, until=week.until),
            flagged=await repos.observations.flagged_by_territory(
                since=week.since, until=week.until
            ),
        )

    async def _read_chunk(
        self, repos: Repositories, week: _Week, users: Sequence[User]
    ) -> dict[int, list[AdminPageRow]]:
        """The pages of a chunk of users (and the coordinators' figures, once per run)."""
        pages: dict[int, list[AdminPageRow]] = defaultdict(list)
        for row in await repos.digests.admin_pages(
            [user.id for user in users], cutoff=silence_cutoff(week.until, SILENT_DAYS)
        ):
            pages[row.user_id].append(row)
        if week.figures is None and any(self._actor(u).is_coordinator for u in users):
            week.figures = await self._gather_for_coordinators(repos, week)
        for user in users:
            actor = self._actor(user)
            if actor.is_coordinator and actor.scope not in week.training:
                week.training[actor.scope] = await training_week(
                    repos, actor.scope, since=week.since, until=week.until
                )
        return pages

    def _render_chunk(
        self, week: _Week, users: Sequence[User], pages: Mapping[int, list[AdminPageRow]]
    ) -> dict[int, list[str]]:
        """The digests of a chunk of users, rendered and cut into messages."""
        texts = {}
        for user in users:
            actor = self._actor(user)
            overview = training = None
            if actor.is_coordinator:
                training = week.training[actor.scope]
                if actor.scope not in week.overviews:
                    week.overviews[actor.scope] = self._overview(week, actor.scope)
                overview = week.overviews[actor.scope]
            digest = Digest(
                user=user,
                period=week.period,
                since=week.since,
                until=week.until,
                overview=overview,
                pages=[
                    page_figures(row, since=week.since, before=week.before, ranks=week.ranks)
                    for row in pages.get(user.id, ())
                ],
                territories=week.territories,
                seminars=self._seminars(week, actor),
                training=training,
            )
            texts[user.id] = split_message(self._render(digest), MESSAGE_LIMIT)
        return texts

    async def _draw_charts(
        self, week: _Week, users: Sequence[User]
    ) -> dict[int, tuple[int | None, str]]:
        """The chart each coordinator of a chunk gets, as (scope, locale) per user; each
        is drawn once per run, whatever the number of coordinators sharing it. A chart
        that cannot be drawn is left out: the digests go without it."""
        if self._chart is None:
            return {}
        keys: dict[int, tuple[int | None, str]] = {}
        for user in users:
            actor = self._actor(user)
            if actor.is_coordinator:
                key = (actor.scope, self._chart.locale(user))
                if key not in week.photos:
                    scope, locale = key
                    territory = None if scope is None else week.territories.get(scope)
                    week.photos[key] = await self._draw(territory, locale)
                if week.photos[key] is not None:
                    keys[user.id] = key
        return keys

    async def _draw(self, territory: Territory | None, locale: str) -> DigestPhoto | None:
        """The chart of the region or a territory; None if it cannot be drawn: the
        digests go without it."""
        assert self._chart is not None
        try:
            return await self._chart.draw(territory, locale)
        except Exception:
            scope = "the region" if territory is None else f"territory {territory.id}"
            log.exception("Digests: could not draw the chart of %s (%s)", scope, locale)
            return None

    @staticmethod
    async def _photo_payload(
        repos: Repositories, week: _Week, key: tuple[int | None, str], now: int
    ) -> dict[str, Any]:
        """The outbox payload of a drawn chart; its PNG is stored with the first use."""
        photo = week.photos[key]
        assert photo is not None
        if key not in week.photo_files:
            week.photo_files[key] = await repos.outbox.add_file(photo.png, "chart.png", now=now)
        return photo_payload(week.photo_files[key], photo.caption, photo.reply_markup)

    # ------------------------------------------------------------------ composing

    @staticmethod
    def _seminars(week: _Week, actor: Actor) -> list[SeminarView]:
        """The seminars a digest lists: those the user registered for or is invited to."""
        views = []
        for seminar in week.seminars:
            mine = (seminar.id, actor.user_id) in week.registrations
            if (
                mine
                or coordinator_sees(actor, seminar)
                or actor.user_id in week.invited[seminar.id]
            ):
                views.append(SeminarView(seminar, week.registered[seminar.id], mine))
        return views

    def _overview(self, week: _Week, scope: int | None) -> Overview:
        assert week.figures is not None  # read with the chunk of the first coordinator
        return overview(week.figures, scope, region_ladder=self._region_ladder)
