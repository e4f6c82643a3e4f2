"""The regional total and its breakdowns, from the maintained aggregates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.crosscheck import VERIFIED_WINDOW
from bot.domain.digests import FORECAST_DAYS
from bot.domain.localtime import DAY
from bot.domain.milestones import Forecast, Ladder, forecast
from bot.domain.roles import Actor
from bot.domain.segments import Dimension
from bot.services.access import ensure_registered
from bot.services.clock import Clock
from bot.storage.database import Database
from bot.storage.records import Breakdown


@dataclass(frozen=True, slots=True)
class RegionTotals:
    subscribers: int
    pages: int
    change_7d: int
    change_30d: int
    next_milestone: int
    by_territory: list[Breakdown]
    by_level: list[Breakdown]
    by_theme: list[Breakdown]
    by_platform: list[Breakdown]
    # For a coordinator scoped to a territory: that territory's own figures.
    own_territory: Breakdown | None = None
    own_change_7d: int = 0
    own_change_30d: int = 0
    # When `next_milestone` comes at the pace of the last FORECAST_DAYS (`change_30d`).
    forecast: Forecast | None = None
    # For coordinators: the orphaned pages within their reach (bot.domain.claims).
    orphaned: int | None = None
    # For coordinators: the unclaimed pages (imported, never administered) within reach.
    unclaimed: int | None = None
    # Subscriptions backed by an observation of the last VERIFIED_WINDOW: the region's,
    # and per territory (its id as text, as in `by_territory`).
    verified: int = 0
    verified_by_territory: dict[str, int] = field(default_factory=dict)
    # For coordinators: pages within reach the cross-check flagged in that window.
    flagged: int | None = None


class TotalsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        ladder: Ladder,
        tz: dt.tzinfo = dt.UTC,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ladder = ladder  # the region's milestones
        self._tz = tz  # the region's: "today" of the forecast

    async def region(self, actor: Actor) -> RegionTotals:
        """The totals for anyone registered: a page administrator or a coordinator (who
        also reads how many pages within their reach are orphaned, unclaimed, and
        flagged by the cross-check), with the share verified on the platforms."""
        now = self._clock.now()
        async with self._db.read() as repos:
            await ensure_registered(repos, actor)
            rows = await repos.totals.breakdowns()
            changes = await repos.totals.changes(
                week_since=now - 7 * DAY, month_since=now - FORECAST_DAYS * DAY
            )
            verified = await repos.observations.verified(since=now - VERIFIED_WINDOW)
            orphaned = unclaimed = flagged = None
            if actor.is_coordinator:
                orphaned = await repos.orphans.count(territory_id=actor.scope)
                unclaimed = await repos.orphans.unclaimed(territory_id=actor.scope)
                flagged = await repos.observations.count_flagged(
                    territory_id=actor.scope, since=now - VERIFIED_WINDOW
                )
        shares: dict[str, list[Breakdown]] = {dimension: [] for dimension in Dimension}
        for row in rows:
            shares[row.dimension].append(row)
        for items in shares.values():
            items.sort(key=lambda share: (-share.subscribers, -share.pages, share.key))
        subscribers = sum(share.subscribers for share in shares["territory"])
        scope = actor.scope if actor.is_coordinator else None
        own = None
        if scope is not None:
            own = next(
                (share for share in shares["territory"] if share.key == str(scope)),
                Breakdown("territory", str(scope), 0, 0),
            )
        change_30d = sum(month for _, month in changes.values())
        milestone = self._ladder.next_beyond(subscribers)
        today = dt.datetime.fromtimestamp(now, self._tz).date()
        return RegionTotals(
            subscribers=subscribers,
            pages=sum(share.pages for share in shares["territory"]),
            change_7d=sum(week for week, _ in changes.values()),
            change_30d=change_30d,
            next_milestone=milestone,
            by_territory=shares["territory"],
            by_level=shares["level"],
            by_theme=shares["theme"],
            by_platform=shares["platform"],
            own_territory=own,
            own_change_7d=changes.get(scope, (0, 0))[0] if scope is not None else 0,
            own_change_30d=changes.get(scope, (0, 0))[1] if scope is not None else 0,
            forecast=forecast(
                today, left=milestone - subscribers, change=change_30d, period_days=FORECAST_DAYS
            ),
            orphaned=orphaned,
            unclaimed=unclaimed,
            verified=sum(verified.values()),
            verified_by_territory={str(key): value for key, value in verified.items()},
            flagged=flagged,
        )
