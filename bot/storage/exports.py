"""The rows of /export's tables, read in batches: never a whole table in memory.

Each stream has a count with the same filter, for the progress message; read both in one
snapshot (`Database.snapshot()`) and they agree. `territory_id` None: the whole region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncGenerator, Collection
from typing import NamedTuple

from bot.storage.base import Repository, given, in_list, list_param


class PageRow(NamedTuple):
    """A page of the pages table (not rejected); moments in Unix seconds."""

    id: int
    url: str
    title: str
    territory_id: int
    level: str
    theme: str
    current_figure: int | None
    platform: str
    status: str
    last_report_at: int | None
    reported_figure: int | None
    observed_figure: int | None
    observed_at: int | None


class ReportRow(NamedTuple):
    """A report of the history, with its page and its reporter's @username."""

    reported_at: int
    page_id: int
    url: str
    title: str
    territory_id: int
    figure: int
    reported_by: int | None
    username: str | None


class SeminarRow(NamedTuple):
    """A seminar and one of its registrations (None in every registration field for a
    seminar nobody registered for); `segment` as stored (JSON)."""

    seminar_id: int
    title: str
    starts_at: int
    duration_minutes: int
    place: str
    capacity: int | None
    segment: str
    user_id: int | None
    username: str | None
    full_name: str | None
    registered_at: int | None


class Administrator(NamedTuple):
    user_id: int
    username: str | None


def _page_filter(territory_id: int | None) -> str:
    return f"p.status <> 'rejected'{given(territory_id, 'p.territory_id = :territory_id')}"


def _report_filter(territory_id: int | None, since: int | None) -> str:
    return (
        f"r.reported_at <= :until{given(since, 'r.reported_at >= :since')}"
        f"{given(territory_id, 'p.territory_id = :territory_id')}"
    )


def _registration_scope(territory_id: int | None) -> str:
    """A scoped coordinator sees the registrations of the administrators of their
    territory: ` AND` such a condition on registration `r`, or nothing for the region."""
    return given(
        territory_id,
        "r.user_id IN (SELECT a.user_id FROM page_admins a"
        " JOIN pages p ON p.id = a.page_id"
        " WHERE p.territory_id = :territory_id AND p.status <> 'rejected')",
    )


class ExportRepository(Repository):
    async def count_pages(self, *, territory_id: int | None) -> int:
        """How many rows `pages` yields."""
        return int(
            await self._scalar(
                f"SELECT count(*) FROM pages p WHERE {_page_filter(territory_id)}",
                {"territory_id": territory_id},
            )
        )

    async def pages(
        self, *, territory_id: int | None, size: int
    ) -> AsyncGenerator[list[PageRow], None]:
        """Pages that are not rejected (pending and approved), by id, `size` at a time."""
        async for batch in self._batches(
            "SELECT p.id, p.url, p.title, p.territory_id, p.level, p.theme, p.current_figure,"
            " p.platform, p.status, p.last_report_at, p.reported_figure, p.observed_figure,"
            f" p.observed_at FROM pages p WHERE {_page_filter(territory_id)} ORDER BY p.id",
            {"territory_id": territory_id},
            size=size,
        ):
            yield [PageRow(*row) for row in batch]

    async def administrators(self, page_ids: Collection[int]) -> dict[int, list[Administrator]]:
        """The administrators of each page (pages without any are absent), in the order
        they joined."""
        found: dict[int, list[Administrator]] = defaultdict(list)
        for page_id, user_id, username in await self._all(
            "SELECT a.page_id, a.user_id, u.username FROM page_admins a"
            " JOIN users u ON u.id = a.user_id"
            f" WHERE {in_list('a.page_id', 'pages')} ORDER BY a.page_id, a.added_at, a.user_id",
            {"pages": list_param(page_ids)},
        ):
            found[page_id].append(Administrator(user_id, username))
        return found

    async def count_reports(
        self, *, territory_id: int | None, since: int | None, until: int
    ) -> int:
        """How many rows `reports` yields."""
        return int(
            await self._scalar(
                f"SELECT count(*) FROM reports r JOIN pages p ON p.id = r.page_id"
                f" WHERE {_report_filter(territory_id, since)}",
                {"territory_id": territory_id, "since": since, "until": until},
            )
        )

    async def reports(
        self, *, territory_id: int | None, since: int | None, until: int, size: int
    ) -> AsyncGenerator[list[ReportRow], None]:
        """Reports made in [since, until] (Unix seconds; `since` None: from the first),
        page by page and in time order within a page, `size` at a time."""
        async for batch in self._batches(
            "SELECT r.reported_at, r.page_id, p.url, p.title, p.territory_id, r.figure,"
            " r.reported_by, u.username"
            " FROM reports r JOIN pages p ON p.id = r.page_id"
            " LEFT JOIN users u ON u.id = r.reported_by"
            f" WHERE {_report_filter(territory_id, since)} ORDER BY r.page_id, r.reported_at, r.id",
            {"territory_id": territory_id, "since": since, "until": until},
            size=size,
        ):
            yield [ReportRow(*row) for row in batch]

    async def seminar_audiences(self) -> list[tuple[int, str]]:
        """Every seminar's id and segment (JSON), to decide which ones a coordinator sees."""
        return [
            (int(s), str(segment))
            for s, segment in await self._all("SELECT id, segment FROM seminars ORDER BY id")
        ]

    async def count_seminar_rows(
        self, seminar_ids: Collection[int], *, territory_id: int | None
    ) -> int:
        """How many rows `seminars` yields for these seminars."""
        return int(
            await self._scalar(
                "SELECT count(*) FROM seminars s"
                " LEFT JOIN seminar_registrations r"
                f" ON r.seminar_id = s.id{_registration_scope(territory_id)}"
                f" WHERE {in_list('s.id', 'seminars')}",
                {"seminars": list_param(seminar_ids), "territory_id": territory_id},
            )
        )

    async def seminars(
        self, seminar_ids: Collection[int], *, territory_id: int | None, size: int
    ) -> AsyncGenerator[list[SeminarRow], None]:
        """These seminars by start, each with its registrations in the order they came
        (only registrants who administer a page in `territory_id`, when given)."""
        async for batch in self._batches(
            "SELECT s.id, s.title, s.starts_at, s.duration_minutes, s.place, s.capacity,"
            " s.segment, r.user_id, u.username, u.full_name, r.registered_at"
            " FROM seminars s"
            " LEFT JOIN seminar_registrations r"
            f" ON r.seminar_id = s.id{_registration_scope(territory_id)}"
            " LEFT JOIN users u ON u.id = r.user_id"
            f" WHERE {in_list('s.id', 'seminars')}"
            " ORDER BY s.starts_at, s.id, r.registered_at, r.user_id",
            {"seminars": list_param(seminar_ids), "territory_id": territory_id},
            size=size,
        ):
            yield [SeminarRow(*row) for row in batch]
