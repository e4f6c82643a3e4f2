"""The weekly digest's figures, computed from what the storage read: pure functions,
no I/O. `bot.services.digests` reads the week once and calls these per recipient;
`bot.texts` (the renderers) turns the results into messages."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.catalog import PageStatus
from bot.domain.milestones import Forecast, Ladder, forecast

#: The pace a milestone forecast extrapolates: the change over this many days.
FORECAST_DAYS = 30
#: Entries of each "fastest-growing" list.
TOP_GROWTH = 5
#: Pages named under "registered" and "approved" this week; the rest are counted.
WEEK_PAGES_LISTED = 10
#: A page silent (bot.storage.silence) for this many days is listed to its coordinators
#: and flagged to its administrators.
SILENT_DAYS = 30
#: Silent pages named per territory; the rest are counted.
SILENT_LISTED = 10
#: Digests list the seminars starting within this many days.
SEMINAR_DAYS = 14


@dataclass(frozen=True, slots=True)
class AdminPageRow:
    user_id: int
    page_id: int
    title: str
    status: str
    theme: str
    territory_id: int
    figure: int | None
    last_report_at: int | None
    silent: bool  # by the one rule of bot.storage.silence


class PageRanks:
    """Every approved page's places in its theme and its territory, in flat arrays
    indexed by page id: a few bytes per page, whatever the number of pages."""

    def __init__(self, size: int) -> None:
        self._columns = [array("i", [0]) * size for _ in range(4)]

    def set(self, page_id: int, values: Sequence[int]) -> None:
        for column, value in zip(self._columns, values, strict=True):
            column[page_id] = value

    def of(self, page_id: int) -> tuple[int, int, int, int] | None:
        """(theme rank, pages in the theme, territory rank, pages in the territory), or
        None for a page that is not ranked (not approved, or no figure yet)."""
        if page_id >= len(self._columns[0]) or not self._columns[0][page_id]:
            return None
        theme_rank, theme_pages, territory_rank, territory_pages = (
            column[page_id] for column in self._columns
        )
        return theme_rank, theme_pages, territory_rank, territory_pages


@dataclass(frozen=True, slots=True)
class PageChangeRow:
    page_id: int
    territory_id: int
    title: str
    figure: int
    before: int  # the figure of the latest report before the week


@dataclass(frozen=True, slots=True)
class WeekPageRow:
    page_id: int
    title: str
    territory_id: int
    status: str
    created_at: int
    decided_at: int | None


@dataclass(frozen=True, slots=True)
class SilentPageRow:
    page_id: int
    title: str
    territory_id: int
    last_report_at: int | None
    territory_silent: int  # silent pages in the territory, listed or not


@dataclass(frozen=True, slots=True)
class PageFigures:
    """One of an administrator's pages."""

    page_id: int
    title: str
    approved: bool
    theme: str
    territory_id: int
    figure: int | None
    # Over the week: None when the page had no figure before the week.
    change: int | None
    last_report_at: int | None
    # No report for SILENT_DAYS or more (from approval if never reported): the one rule
    # of bot.storage.silence, as in the coordinators' list and the reminders.
    silent: bool
    theme_rank: int | None  # among approved pages with a figure; None without one
    theme_pages: int
    territory_rank: int | None
    territory_pages: int


@dataclass(frozen=True, slots=True)
class Growth:
    """A page (or a territory, with an empty title) and its change over the week."""

    territory_id: int
    title: str
    change: int
    figure: int


@dataclass(frozen=True, slots=True)
class PageMention:
    page_id: int
    title: str
    territory_id: int


@dataclass(frozen=True, slots=True)
class SilentGroup:
    territory_id: int
    count: int
    listed: list[PageMention]


@dataclass(frozen=True, slots=True)
class Overview:
    """A coordinator's part: the region, or their territory if they are scoped to one."""

    territory_id: int | None  # the coordinator's scope
    subscribers: int
    pages: int
    change: int  # of the counted total over the week
    region_subscribers: int
    next_milestone: int  # of the region
    forecast: Forecast | None
    top_pages: list[Growth]
    top_territories: list[Growth]  # empty for a scoped coordinator
    registered: int
    registered_listed: list[PageMention]
    approved: int
    approved_listed: list[PageMention]
    silent: int
    silent_groups: list[SilentGroup]
    # Pages orphaned now that became orphaned this week (bot.domain.claims).
    orphaned: int = 0
    # Pages the cross-check flagged this week and still flagged (bot.domain.crosscheck).
    flagged: int = 0
    # Users who first came this week, by source (a campaign label; None: directly), most
    # numerous first. For the whole region, whatever the coordinator's scope.
    newcomers: list[tuple[str | None, int]] = field(default_factory=list)

    @property
    def newcomer_count(self) -> int:
        return sum(count for _source, count in self.newcomers)


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """What coordinators' parts of one week's digests are computed from."""

    since: int  # the week covered: [since, until), Unix seconds
    until: int
    today: dt.date  # the region's date at `until`: the forecast's start
    shares: Mapping[int, tuple[int, int]]  # territory → pages, subscribers
    ledger: Mapping[int, tuple[int, int]]  # territory → change over the week, over 30 days
    changes: Sequence[PageChangeRow]
    week_pages: Sequence[WeekPageRow]
    silent: Sequence[SilentPageRow]
    newcomers: Sequence[tuple[str | None, int]]
    # territory → pages orphaned now that became orphaned in [since, until)
    orphaned: Mapping[int, int] = field(default_factory=dict)
    # territory → pages with a cross-check flag opened in [since, until) and not cleared
    flagged: Mapping[int, int] = field(default_factory=dict)


def page_figures(
    row: AdminPageRow, *, since: int, before: Mapping[int, int], ranks: PageRanks
) -> PageFigures:
    """One administrator's page in their digest of the week starting at `since` (Unix
    seconds): its change over the week from `before` (page → its figure before the week,
    for pages that reported in it) and its places from `ranks`."""
    if row.figure is None:
        change = None
    elif row.page_id in before:
        change = row.figure - before[row.page_id]
    elif row.last_report_at is not None and row.last_report_at < since:
        change = 0  # no report this week: the figure stood still
    else:
        change = None  # first figure this week
    approved = row.status == PageStatus.APPROVED
    places = ranks.of(row.page_id) if approved and row.figure is not None else None
    theme_rank, theme_pages, territory_rank, territory_pages = places or (None, 0, None, 0)
    return PageFigures(
        page_id=row.page_id,
        title=row.title,
        approved=approved,
        theme=row.theme,
        territory_id=row.territory_id,
        figure=row.figure,
        change=change,
        last_report_at=row.last_report_at,
        silent=row.silent,
        theme_rank=theme_rank,
        theme_pages=theme_pages,
        territory_rank=territory_rank,
        territory_pages=territory_pages,
    )


def overview(week: WeekFigures, scope: int | None, *, region_ladder: Ladder) -> Overview:
    """A coordinator's part of the digest: the region (`scope` None) or one territory.
    The next milestone and its forecast are the region's, whatever the scope."""

    def inside(territory_id: int) -> bool:
        return scope is None or territory_id == scope

    region_subscribers = sum(subscribers for _, subscribers in week.shares.values())
    region_month = sum(month for _, month in week.ledger.values())
    milestone = region_ladder.next_beyond(region_subscribers)
    today = week.today
    outlook = forecast(
        today,
        left=milestone - region_subscribers,
        change=region_month,
        period_days=FORECAST_DAYS,
    )
    if scope is None:
        pages = sum(count for count, _ in week.shares.values())
        subscribers, change = region_subscribers, sum(w for w, _ in week.ledger.values())
    else:
        pages, subscribers = week.shares.get(scope, (0, 0))
        change = week.ledger.get(scope, (0, 0))[0]

    growth = [
        Growth(row.territory_id, row.title, row.figure - row.before, row.figure)
        for row in week.changes
        if inside(row.territory_id)
    ]
    top_pages = sorted(
        (item for item in growth if item.change > 0), key=lambda g: (-g.change, g.title)
    )[:TOP_GROWTH]
    top_territories: list[Growth] = []
    if scope is None:
        by_territory: dict[int, int] = defaultdict(int)
        for item in growth:
            by_territory[item.territory_id] += item.change
        top_territories = sorted(
            (
                Growth(territory, "", delta, week.shares.get(territory, (0, 0))[1])
                for territory, delta in by_territory.items()
                if delta > 0
            ),
            key=lambda g: (-g.change, g.territory_id),
        )[:TOP_GROWTH]

    registered = [
        row for row in week.week_pages if inside(row.territory_id) and row.created_at >= week.since
    ]
    approved = [
        row
        for row in week.week_pages
        if inside(row.territory_id)
        and row.status == PageStatus.APPROVED
        and row.decided_at is not None
        and row.decided_at >= week.since
    ]
    groups: list[SilentGroup] = []
    for row in week.silent:
        if not inside(row.territory_id):
            continue
        if not groups or groups[-1].territory_id != row.territory_id:
            groups.append(SilentGroup(row.territory_id, row.territory_silent, []))
        groups[-1].listed.append(PageMention(row.page_id, row.title, row.territory_id))
    groups.sort(key=lambda group: (-group.count, group.territory_id))
    return Overview(
        territory_id=scope,
        subscribers=subscribers,
        pages=pages,
        change=change,
        region_subscribers=region_subscribers,
        next_milestone=milestone,
        forecast=outlook,
        top_pages=top_pages,
        top_territories=top_territories,
        registered=len(registered),
        registered_listed=mentions(registered[:WEEK_PAGES_LISTED]),
        approved=len(approved),
        approved_listed=mentions(approved[:WEEK_PAGES_LISTED]),
        silent=sum(group.count for group in groups),
        silent_groups=groups,
        orphaned=sum(count for territory, count in week.orphaned.items() if inside(territory)),
        flagged=sum(count for territory, count in week.flagged.items() if inside(territory)),
        newcomers=list(week.newcomers),
    )


def mentions(rows: Iterable[WeekPageRow]) -> list[PageMention]:
    """The pages named in a list; the rest are only counted."""
    return [PageMention(row.page_id, row.title, row.territory_id) for row in rows]
