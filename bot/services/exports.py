"""/export: the pages, the report history, seminars and the audit log as XLSX or CSV.

Who may export: coordinators and superadmins; a coordinator scoped to a territory gets
that territory's rows only, whatever the request says (the rule of
`bot.domain.roles.Actor.scope`, applied here to every query).

How an export runs, without holding up anyone else:

- the rows come from a read-only snapshot on a connection of its own
  (`Database.snapshot()`), never from the shared reader other handlers wait on, and in
  batches: no table is ever whole in memory;
- each batch is turned into cells and written (openpyxl, csv) in a worker thread, so the
  event loop only fetches and waits;
- the file goes to a temporary folder, removed when the caller's block ends, also when
  the export is cancelled (`bot.services.export_runs` runs it in a background task).

An XLSX larger than Telegram's document limit is refused (`ExportTooLarge`): a zipped
workbook cannot be cut into parts that each open on their own. CSV is split into parts
that each fit, every part with its own header.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import aclosing, asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from bot.domain.audit import AuditAction, SubjectKind
from bot.domain.exports import (
    COLUMNS,
    DOCUMENT_LIMIT,
    ExportFormat,
    ExportKind,
    ExportNames,
    ExportPeriod,
    admin_reference,
    export_stem,
)
from bot.domain.roles import Actor, oversees_audience
from bot.domain.segments import Segment
from bot.services.clock import Clock
from bot.services.errors import ExportTooLarge, NotAllowed
from bot.services.spreadsheets import Cell, open_writer
from bot.storage.audit import AuditEntry
from bot.storage.database import Database
from bot.storage.exports import Administrator, PageRow, ReportRow, SeminarRow
from bot.storage.repositories import Repositories

T = TypeVar("T")

#: Rows fetched and written at a time.
BATCH: Final = 2_000
#: Exports written at the same time; more wait their turn (each keeps a core busy).
EXPORTS_AT_ONCE: Final = 2

#: Told after each batch: (rows written so far, rows in all).
Progress = Callable[[int, int], Awaitable[None]]
#: Batches of rows, each row a cell per column (computed when the writer reads them).
Rows = AsyncGenerator[Iterable[Sequence[Cell]], None]


@dataclass(frozen=True, slots=True)
class ExportRequest:
    kind: ExportKind
    fmt: ExportFormat
    #: The report history's period; the other kinds ignore it.
    period: ExportPeriod = ExportPeriod.ALL


@dataclass(frozen=True, slots=True)
class ExportFiles:
    """The files of one export, in order (several: a CSV split into parts), the number
    of rows in them (headers not counted), and the moment of its snapshot (Unix s)."""

    paths: list[Path]
    rows: int
    at: int


class ExportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        part_bytes: int = DOCUMENT_LIMIT,
        batch: int = BATCH,
    ) -> None:
        """`part_bytes`: the largest file sent (Telegram's document limit); `batch`:
        rows fetched and written at a time."""
        self._db = db
        self._clock = clock
        self._part_bytes = part_bytes
        self._batch = batch
        self._running = asyncio.Semaphore(EXPORTS_AT_ONCE)

    @asynccontextmanager
    async def export(
        self,
        actor: Actor,
        request: ExportRequest,
        names: ExportNames,
        progress: Progress | None = None,
    ) -> AsyncIterator[ExportFiles]:
        """Write the export into a temporary folder and record it in the audit log
        (EXPORT_TAKEN: kind, format, rows); the files exist inside the block only.

        Raises NotAllowed unless `actor` is a coordinator, ExportTooLarge for an XLSX
        over `part_bytes` (nothing is recorded then).
        """
        if not actor.is_coordinator:
            raise NotAllowed
        now = self._clock.now()
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="export-"))
        try:
            async with self._running:
                files = await self._write(actor, request, names, progress, folder, now)
            async with self._db.write() as repos:
                await repos.audit.record(
                    now=now,
                    actor_id=actor.user_id,
                    action=AuditAction.EXPORT_TAKEN,
                    subject_kind=SubjectKind.EXPORT,
                    territory_id=actor.scope,
                    details=_details(request, files),
                )
            yield files
        finally:
            await asyncio.to_thread(shutil.rmtree, folder, True)

    async def _write(
        self,
        actor: Actor,
        request: ExportRequest,
        names: ExportNames,
        progress: Progress | None,
        folder: Path,
        now: int,
    ) -> ExportFiles:
        scope = actor.scope
        async with self._db.snapshot() as repos:
            territory = await repos.territories.get(scope) if scope is not None else None
            stem = export_stem(
                request.kind,
                territory_code=territory.code if territory else None,
                day=dt.datetime.fromtimestamp(now, names.tz).date(),
                period=request.period,
            )
            total, batches = await self._rows(repos, actor, request, names, now)
            writer = await _in_thread(
                open_writer,
                request.fmt,
                folder,
                stem,
                request.kind.value,
                COLUMNS[request.kind],
                part_bytes=self._part_bytes,
            )
            done = 0
            try:
                async with aclosing(batches):
                    async for rows in batches:
                        done += await _in_thread(writer.write, rows)
                        if progress is not None:
                            await progress(done, max(total, done))
            except BaseException:
                # Cancelled or failed: openpyxl keeps the sheet in a temporary file of
                # its own (outside `folder`) until the workbook is saved.
                with suppress(Exception):
                    await _in_thread(writer.close)
                raise
            paths = await _in_thread(writer.close)
        if request.fmt is ExportFormat.XLSX:
            size = paths[0].stat().st_size
            if size > self._part_bytes:
                raise ExportTooLarge(size=size, limit=self._part_bytes)
        return ExportFiles(paths, done, now)

    async def _rows(
        self,
        repos: Repositories,
        actor: Actor,
        request: ExportRequest,
        names: ExportNames,
        now: int,
    ) -> tuple[int, Rows]:
        """How many rows there are, and their batches."""
        scope = actor.scope
        match request.kind:
            case ExportKind.PAGES:
                count = await repos.exports.count_pages(territory_id=scope)
                return count, self._pages(repos, scope, names)
            case ExportKind.REPORTS:
                since = request.period.since(now)
                count = await repos.exports.count_reports(
                    territory_id=scope, since=since, until=now
                )
                return count, self._reports(repos, scope, since, now, names)
            case ExportKind.SEMINARS:
                audiences = {
                    seminar_id: audience
                    for seminar_id, stored in await repos.exports.seminar_audiences()
                    if oversees_audience(actor, audience := Segment.from_json(stored))
                }
                count = await repos.exports.count_seminar_rows(audiences, territory_id=scope)
                return count, self._seminars(repos, audiences, scope, names)
        return await repos.audit.count(territory_id=scope), self._audit(repos, scope, names)

    async def _pages(self, repos: Repositories, scope: int | None, names: ExportNames) -> Rows:
        async with aclosing(repos.exports.pages(territory_id=scope, size=self._batch)) as pages:
            async for batch in pages:
                admins = await repos.exports.administrators([page.id for page in batch])
                yield (page_cells(page, admins.get(page.id, []), names) for page in batch)

    async def _reports(
        self,
        repos: Repositories,
        scope: int | None,
        since: int | None,
        until: int,
        names: ExportNames,
    ) -> Rows:
        reports = repos.exports.reports(
            territory_id=scope, since=since, until=until, size=self._batch
        )
        async with aclosing(reports):
            async for batch in reports:
                yield (report_cells(report, names) for report in batch)

    async def _seminars(
        self,
        repos: Repositories,
        audiences: dict[int, Segment],
        scope: int | None,
        names: ExportNames,
    ) -> Rows:
        shown = {seminar_id: _audience(segment, names) for seminar_id, segment in audiences.items()}
        rows = repos.exports.seminars(shown, territory_id=scope, size=self._batch)
        async with aclosing(rows):
            async for batch in rows:
                yield (seminar_cells(row, shown[row.seminar_id], names) for row in batch)

    async def _audit(self, repos: Repositories, scope: int | None, names: ExportNames) -> Rows:
        async with aclosing(repos.audit.stream(territory_id=scope, size=self._batch)) as entries:
            async for batch in entries:
                yield (audit_cells(entry, username, names) for entry, username in batch)


async def _in_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`func(*args, **kwargs)` in a worker thread. A thread cannot be stopped: if the caller is
    cancelled meanwhile, the thread is waited for before the cancellation goes on, so
    nothing writes into the export's folder after it is removed."""
    future = asyncio.ensure_future(asyncio.to_thread(func, *args, **kwargs))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        await asyncio.wait([future])
        raise


def _details(request: ExportRequest, files: ExportFiles) -> dict[str, object]:
    details: dict[str, object] = {
        "kind": request.kind.value,
        "format": request.fmt.value,
        "rows": files.rows,
        "files": len(files.paths),
    }
    if request.kind is ExportKind.REPORTS:
        details["period_days"] = request.period.days
    return details


# The cells of each kind's row, in the order of `bot.domain.exports.COLUMNS` (public: the
# export benchmark builds the same rows in memory as its baseline).


def page_cells(page: PageRow, admins: list[Administrator], names: ExportNames) -> list[Cell]:
    """A page's row: the registry's columns, then platform, status, last report (local
    time), how many administrators, id, the latest reported and observed figures and
    when the latter was read (local time). `admins` in the order they joined."""
    return [
        page.url,
        page.title,
        names.territory(page.territory_id),
        names.levels.get(page.level, page.level),
        names.themes.get(page.theme, page.theme),
        ", ".join(admin_reference(admin.user_id, admin.username) for admin in admins),
        page.current_figure,
        names.platforms.get(page.platform, page.platform),
        names.statuses.get(page.status, page.status),
        names.local(page.last_report_at),
        len(admins),
        page.id,
        page.reported_figure,
        page.observed_figure,
        names.local(page.observed_at),
    ]


def report_cells(report: ReportRow, names: ExportNames) -> list[Cell]:
    """A report's row: when (local time), the page (id, link, title, territory), the
    figure, who reported it (@username or id; empty when unknown)."""
    reporter = report.reported_by
    return [
        names.local(report.reported_at),
        report.page_id,
        report.url,
        report.title,
        names.territory(report.territory_id),
        report.figure,
        admin_reference(reporter, report.username) if reporter is not None else None,
    ]


def _audience(segment: Segment, names: ExportNames) -> str:
    if not segment.territories:
        return names.whole_region
    return ", ".join(sorted(str(names.territory(t)) for t in segment.territories))


def seminar_cells(row: SeminarRow, audience: str, names: ExportNames) -> list[Cell]:
    """A registration's row: the seminar (start in local time; `audience` as written),
    then the registrant, empty for a seminar without registrations."""
    user = row.user_id
    return [
        row.seminar_id,
        row.title,
        names.local(row.starts_at),
        row.duration_minutes,
        row.place,
        row.capacity,
        audience,
        admin_reference(user, row.username) if user is not None else None,
        row.full_name,
        names.local(row.registered_at),
    ]


def audit_cells(entry: AuditEntry, username: str | None, names: ExportNames) -> list[Cell]:
    """An audit entry's row: when (local time), who, the action and subject as stored
    (codes), the territory's name, the details as JSON."""
    actor = entry.actor_id
    return [
        names.local(entry.at),
        admin_reference(actor, username) if actor is not None else None,
        entry.action.value,
        entry.subject_kind.value if entry.subject_kind is not None else None,
        entry.subject_id,
        names.territory(entry.territory_id),
        json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
    ]
