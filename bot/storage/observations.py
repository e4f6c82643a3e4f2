"""Observations (figures read from the platforms), collection runs and their progress,
the cross-check's flags, and duplicates of one community.

An observation never replaces a report: both are kept, and the page row carries the
latest of each; its current figure is the most recent of the two (the triggers of
migration 0001 carry it into the totals).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.crosscheck import FlagKind
from bot.domain.observations import Count, Target
from bot.storage.base import (
    Repository,
    columns,
    from_row,
    given,
    in_list,
    insert_sql,
    list_param,
    no_limit,
    row_of,
)
from bot.storage.pages import PAGE_COLUMNS, page_record
from bot.storage.records import Page

#: The outcome counted for pages whose figure was read (the others count by reason).
COLLECTED = "collected"


@dataclass(frozen=True, slots=True)
class CollectRun:
    """A collection run; `territory_id` None: the whole region."""

    id: int
    territory_id: int | None
    started_by: int | None
    started_at: int
    holder: str
    heartbeat_at: int
    finished_at: int | None


@dataclass(frozen=True, slots=True)
class PlatformProgress:
    """How far a run has gone on one platform: pages up to `last_page_id` are done;
    `state` is 'running', 'done' or 'unavailable'."""

    platform: str
    last_page_id: int
    state: str


@dataclass(frozen=True, slots=True)
class Flag:
    """An open flag of the cross-check on a page: for a discrepancy `reported` and
    `observed` are the two figures of the day, for a jump the previous and the new
    observation."""

    page_id: int
    kind: FlagKind
    reported: int
    observed: int
    flagged_at: int


@dataclass(frozen=True, slots=True)
class FlaggedPage:
    """A page with one of its open flags, as /pending lists them (`flagged`): a page
    flagged both ways comes once per flag."""

    page: Page
    flag: Flag


_RUN_COLUMNS = columns(CollectRun)
_FLAG_COLUMNS = "f.page_id, f.kind, f.reported, f.observed, f.flagged_at"


def _in_scope(territory_id: int | None) -> str:
    """SQL: ` AND` page `p` is in the territory, or nothing for the region (None)."""
    return given(territory_id, "p.territory_id = :territory_id")


class ObservationRepository(Repository):
    # -- runs -------------------------------------------------------------------------

    async def open_run(self) -> CollectRun | None:
        """The run not finished yet, if any (there is at most one)."""
        row = await self._one(f"SELECT {_RUN_COLUMNS} FROM collect_runs WHERE finished_at IS NULL")
        return from_row(CollectRun, row) if row else None

    async def start_run(
        self, *, holder: str, territory_id: int | None, started_by: int | None, now: int
    ) -> CollectRun:
        """A new run held by `holder`. The caller has checked no run is open: the unique
        index `collect_runs_open` refuses a second one (IntegrityError)."""
        row = await self._one(
            "INSERT INTO collect_runs"
            " (territory_id, started_by, started_at, holder, heartbeat_at)"
            " VALUES (:territory_id, :started_by, :now, :holder, :now)"
            f" RETURNING {_RUN_COLUMNS}",
            {"territory_id": territory_id, "started_by": started_by, "holder": holder, "now": now},
        )
        assert row is not None
        return from_row(CollectRun, row)

    async def take_over(self, run_id: int, *, holder: str, now: int) -> CollectRun | None:
        """Make `holder` the holder of the open run `run_id`; None if it has finished."""
        row = await self._one(
            "UPDATE collect_runs SET holder = :holder, heartbeat_at = :now"
            f" WHERE id = :id AND finished_at IS NULL RETURNING {_RUN_COLUMNS}",
            {"id": run_id, "holder": holder, "now": now},
        )
        return from_row(CollectRun, row) if row else None

    async def heartbeat(self, run_id: int, *, holder: str, now: int) -> bool:
        """Renew the holder's claim on the run; False when another process has taken it
        over (or it has finished): the holder stops."""
        return await self._changed(
            "UPDATE collect_runs SET heartbeat_at = :now"
            " WHERE id = :id AND holder = :holder AND finished_at IS NULL",
            {"id": run_id, "holder": holder, "now": now},
        )

    async def finish_run(self, run_id: int, *, now: int) -> None:
        await self._run(
            "UPDATE collect_runs SET finished_at = :now WHERE id = :id", {"id": run_id, "now": now}
        )

    async def last_region_started(self) -> int | None:
        """When the newest region-wide run started (Unix seconds; a run scoped to a
        territory does not count); None before the first."""
        found = await self._scalar(
            "SELECT max(started_at) FROM collect_runs WHERE territory_id IS NULL"
        )
        return int(found) if found is not None else None

    async def progress(self, run_id: int) -> dict[str, PlatformProgress]:
        """The run's progress per platform it has begun."""
        rows = await self._all(
            "SELECT platform, last_page_id, state FROM collect_run_platforms"
            " WHERE run_id = :run_id",
            {"run_id": run_id},
        )
        return {row[0]: PlatformProgress(*row) for row in rows}

    async def advance(
        self, run_id: int, platform: str, *, last_page_id: int, state: str = "running"
    ) -> None:
        """Record the run's progress on a platform (in the transaction of its batch)."""
        await self._run(
            "INSERT INTO collect_run_platforms (run_id, platform, last_page_id, state)"
            " VALUES (:run_id, :platform, :last, :state)"
            " ON CONFLICT (run_id, platform) DO UPDATE"
            " SET last_page_id = excluded.last_page_id, state = excluded.state",
            {"run_id": run_id, "platform": platform, "last": last_page_id, "state": state},
        )

    async def add_outcomes(self, run_id: int, outcomes: Mapping[str, int]) -> None:
        """Add pages to the run's count of each outcome (COLLECTED or a reason)."""
        await self._run_many(
            "INSERT INTO collect_run_outcomes AS o (run_id, outcome, pages)"
            " VALUES (:run_id, :outcome, :pages)"
            " ON CONFLICT (run_id, outcome) DO UPDATE SET pages = o.pages + excluded.pages",
            [
                {"run_id": run_id, "outcome": outcome, "pages": pages}
                for outcome, pages in outcomes.items()
                if pages
            ],
        )

    async def outcomes(self, run_id: int) -> dict[str, int]:
        """Pages per outcome of the run so far."""
        rows = await self._all(
            "SELECT outcome, pages FROM collect_run_outcomes WHERE run_id = :run_id",
            {"run_id": run_id},
        )
        return {str(outcome): int(pages) for outcome, pages in rows}

    # -- what to collect ----------------------------------------------------------------

    async def targets(
        self, platform: str, *, territory_id: int | None, after: int, limit: int
    ) -> list[Target]:
        """The next `limit` approved pages of `platform` with ids above `after`, in the
        order of their ids, optionally in one territory."""
        rows = await self._all(
            "SELECT p.id, p.url, p.platform_id FROM pages p"
            " WHERE p.status = 'approved' AND p.platform = :platform AND p.id > :after"
            f"{_in_scope(territory_id)} ORDER BY p.id LIMIT :limit",
            {"platform": platform, "after": after, "territory_id": territory_id, "limit": limit},
        )
        return [Target(int(page_id), url, platform_id) for page_id, url, platform_id in rows]

    async def count_targets(self, platforms: list[str], *, territory_id: int | None) -> int:
        """How many approved pages of these platforms there are (in one territory)."""
        if not platforms:
            return 0
        return int(
            await self._scalar(
                "SELECT count(*) FROM pages p WHERE p.status = 'approved'"
                f" AND {in_list('p.platform', 'platforms')}{_in_scope(territory_id)}",
                {"platforms": list_param(platforms), "territory_id": territory_id},
            )
        )

    # -- storing what was read ------------------------------------------------------------

    async def observe(self, count: Count, *, source: str, run_id: int | None, now: int) -> None:
        """Store an observation (`source`: the platform whose API gave it) and make it
        the page's latest: its current figure too, unless a report is more recent (the
        triggers carry the change into the totals). The platform id it carries is kept;
        None keeps the one known."""
        values = {"page_id": count.page_id, "figure": count.figure, "now": now}
        await self._run(
            "INSERT INTO observations (page_id, figure, observed_at, source, run_id)"
            " VALUES (:page_id, :figure, :now, :source, :run_id)",
            {**values, "source": source, "run_id": run_id},
        )
        await self._run(
            "UPDATE pages SET observed_figure = :figure, observed_at = :now,"
            " collect_status = NULL, collect_detail = NULL,"
            " platform_id = coalesce(:platform_id, platform_id),"
            " current_figure = CASE WHEN last_report_at IS NULL OR last_report_at <= :now"
            "   THEN :figure ELSE current_figure END,"
            " changed_at = :now WHERE id = :page_id",
            {**values, "platform_id": count.platform_id},
        )

    async def learn_id(self, page_id: int, platform_id: str) -> None:
        """The community's id on its platform, as a resolver named it."""
        await self._run(
            "UPDATE pages SET platform_id = :platform_id WHERE id = :id",
            {"id": page_id, "platform_id": platform_id},
        )

    async def mark_uncollectable(self, page_id: int, *, reason: str, detail: str) -> None:
        """Why the platform gave no figure for the page (an Uncollectable value)."""
        await self._run(
            "UPDATE pages SET collect_status = :reason, collect_detail = :detail WHERE id = :id",
            {"id": page_id, "reason": reason, "detail": detail},
        )

    async def uncollectable(self, *, territory_id: int | None, limit: int | None) -> list[Page]:
        """Approved pages the last collection could not read, by title."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS} FROM pages p"
            " WHERE p.collect_status IS NOT NULL AND p.status = 'approved'"
            f"{_in_scope(territory_id)} ORDER BY lower(p.title), p.id LIMIT :limit",
            {"territory_id": territory_id, "limit": no_limit(limit)},
        )
        return [page_record(row) for row in rows]

    async def count_uncollectable(self, *, territory_id: int | None) -> int:
        """How many approved pages the last collection could not read (in one territory)."""
        return int(
            await self._scalar(
                "SELECT count(*) FROM pages p WHERE p.collect_status IS NOT NULL"
                f" AND p.status = 'approved'{_in_scope(territory_id)}",
                {"territory_id": territory_id},
            )
        )

    # -- the cross-check ------------------------------------------------------------------

    async def flag(self, flag: Flag) -> None:
        """Open the page's flag of this kind, or refresh the open one."""
        values = row_of(flag, kind=lambda kind: kind.value)
        await self._run(
            insert_sql("page_flags", list(values))
            + " ON CONFLICT (page_id, kind) WHERE cleared_at IS NULL DO UPDATE"
            " SET reported = excluded.reported, observed = excluded.observed,"
            " flagged_at = excluded.flagged_at",
            values,
        )

    async def clear_flag(self, page_id: int, kind: FlagKind, *, now: int) -> None:
        await self._run(
            "UPDATE page_flags SET cleared_at = :now"
            " WHERE page_id = :page_id AND kind = :kind AND cleared_at IS NULL",
            {"page_id": page_id, "kind": kind.value, "now": now},
        )

    async def flagged(
        self, *, territory_id: int | None, since: int, limit: int | None
    ) -> list[FlaggedPage]:
        """Approved pages with a flag opened since `since`, newest flag first."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS}, {_FLAG_COLUMNS} FROM page_flags f"
            " JOIN pages p ON p.id = f.page_id"
            " WHERE f.cleared_at IS NULL AND f.flagged_at >= :since AND p.status = 'approved'"
            f"{_in_scope(territory_id)} ORDER BY f.flagged_at DESC, f.id DESC LIMIT :limit",
            {"territory_id": territory_id, "since": since, "limit": no_limit(limit)},
        )
        width = len(PAGE_COLUMNS.split(","))
        return [
            FlaggedPage(
                page_record(row[:width]),
                from_row(Flag, row[width:], kind=FlagKind),
            )
            for row in rows
        ]

    async def count_flagged(self, *, territory_id: int | None, since: int) -> int:
        """How many approved pages have a flag opened since `since`."""
        return int(
            await self._scalar(
                # CROSS JOIN: from the open flags to their pages, never the other way
                # round (SQLite keeps the order as written; every page would be read).
                "SELECT count(DISTINCT f.page_id) FROM page_flags f"
                " CROSS JOIN pages p"
                " WHERE p.id = f.page_id AND f.cleared_at IS NULL AND f.flagged_at >= :since"
                f" AND p.status = 'approved'{_in_scope(territory_id)}",
                {"territory_id": territory_id, "since": since},
            )
        )

    async def flagged_by_territory(self, *, since: int, until: int) -> dict[int, int]:
        """territory → approved pages with a flag opened in [since, until), still open."""
        rows = await self._all(
            "SELECT p.territory_id, count(DISTINCT f.page_id) FROM page_flags f"
            " JOIN pages p ON p.id = f.page_id WHERE f.cleared_at IS NULL"
            " AND f.flagged_at >= :since AND f.flagged_at < :until AND p.status = 'approved'"
            " GROUP BY p.territory_id",
            {"since": since, "until": until},
        )
        return {int(territory): int(count) for territory, count in rows}

    # -- verified figures and duplicates ----------------------------------------------------

    async def verified(self, *, since: int) -> dict[int, int]:
        """Per territory: the verified part of the approved pages' subscribers. A page
        observed since `since` (Unix seconds; /total passes VERIFIED_WINDOW ago) adds
        what its platform backs of its current figure: the latest observed figure, but
        no more than the current one. A newer report above the platform's figure adds
        only the platform's; one below it adds itself. Pages not observed since add
        nothing, so the part never exceeds the territory's total."""
        rows = await self._all(
            "SELECT territory_id, sum(CASE WHEN observed_figure < coalesce(current_figure, 0)"
            "   THEN observed_figure ELSE coalesce(current_figure, 0) END)"
            f" FROM pages{self._dialect.indexed_by('pages_verified')}"
            " WHERE status = 'approved' AND observed_at >= :since GROUP BY territory_id",
            {"since": since},
        )
        return {int(territory): int(subscribers) for territory, subscribers in rows}

    async def same_community(self, platform: str, platform_id: str) -> Page | None:
        """A page (not rejected) of the community with this id on the platform."""
        row = await self._one(
            f"SELECT {PAGE_COLUMNS} FROM pages p WHERE p.platform = :platform"
            " AND p.platform_id = :platform_id AND p.status <> 'rejected'"
            " ORDER BY p.id LIMIT 1",
            {"platform": platform, "platform_id": platform_id},
        )
        return page_record(row) if row else None

    async def duplicates(self, *, territory_id: int | None) -> list[list[Page]]:
        """Groups of pages (not rejected) of one community: the same platform id on the
        same platform; groups with a page in the territory, each by page id."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS} FROM pages p"
            " JOIN (SELECT platform, platform_id FROM pages"
            "        WHERE platform_id IS NOT NULL AND status <> 'rejected'"
            "        GROUP BY platform, platform_id HAVING count(*) > 1) d"
            "   ON d.platform = p.platform AND d.platform_id = p.platform_id"
            " WHERE p.status <> 'rejected' AND EXISTS (SELECT 1 FROM pages s"
            "   WHERE s.platform = p.platform AND s.platform_id = p.platform_id"
            "     AND s.status <> 'rejected'"
            f"{given(territory_id, 's.territory_id = :territory_id')})"
            " ORDER BY p.platform, p.platform_id, p.id",
            {"territory_id": territory_id},
        )
        groups: dict[tuple[str, str | None], list[Page]] = {}
        for row in rows:
            page = page_record(row)
            groups.setdefault((page.platform, page.platform_id), []).append(page)
        return list(groups.values())
