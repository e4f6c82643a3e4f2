"""The registry import: a region's existing spreadsheet of pages becomes approved pages.

A superadmin uploads a file; the dry run reads and checks it (in a thread: a 20,000-row
file must not hold up other users), keeps its rows in `imports` and lists every bad row.
Nothing else is written until the superadmin confirms: then the rows are checked again
(a page may have been registered meanwhile) and the good ones are written in one unit of
work as approved pages without a registrant, with their figures as first reports, the
administrators the file names who already use the bot, invite codes for those who do not,
the notices to the former and the audit entry.

Imported figures are a baseline, not growth: they count in the totals at once, but raise
no milestone alerts and are not booked as a change over 7 or 30 days.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.deeplinks import new_invite_code, start_link
from bot.domain.links import Platform
from bot.domain.localtime import DAY
from bot.domain.registry_import import (
    AdminRef,
    FileProblem,
    FileRefused,
    ImportRow,
    Problem,
    RowProblem,
    SourceRow,
    Vocabulary,
    check_rows,
    judge,
    read_sheet,
)
from bot.domain.roles import Actor, can_import_registry
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.services.errors import ImportFileRefused, ImportGone, NotAllowed, NothingToImport
from bot.services.registry_files import MAX_DOWNLOAD_BYTES, csv_bytes, read_rows
from bot.storage.database import Database
from bot.storage.imports import StoredImport
from bot.storage.records import User
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

#: The columns of the invite links file.
INVITE_COLUMNS = ("link", "title", "admin", "invite_link", "valid_until")

# Renders what a named administrator is told: the titles of the pages they now
# administer, in their language (HTML, titles escaped). Injected from the texts layer.
ImportNotice = Callable[[User, Sequence[str]], str]


@dataclass(frozen=True, slots=True)
class VocabularyNames:
    """The names levels, themes and platforms are shown under, in every language of the
    bot (territories' names come from the database)."""

    levels: Mapping[Level, Sequence[str]]
    themes: Mapping[Theme, Sequence[str]]
    platforms: Mapping[Platform, Sequence[str]]


@dataclass(frozen=True, slots=True)
class DryRun:
    """A checked file: how many non-blank rows it has, how many are good, and every
    problem. `import_id` is what the apply button names (0: not kept, the command line)."""

    import_id: int
    file_name: str
    total: int
    good: int
    problems: list[RowProblem]
    applied: bool = False

    @property
    def bad_rows(self) -> int:
        return len({problem.line for problem in self.problems})


@dataclass(frozen=True, slots=True)
class ImportInvite:
    """A personal invite link to make: the page (its link and title), the administrator
    as the file named them, the code, and until when it works (Unix seconds)."""

    url: str
    title: str
    admin: str
    code: str
    expires_at: int


@dataclass(frozen=True, slots=True)
class Applied:
    """What the apply wrote. `expected`: the good rows of the dry run; `pages` may be
    fewer when some were registered meanwhile (`late`: the problems the dry run did not
    list). `held_seconds`:
    how long the unit of work held the database's writer (wall clock)."""

    import_id: int
    file_name: str
    expected: int
    pages: int
    figures: int
    admins: int
    notified: int
    invites: list[ImportInvite]
    late: list[RowProblem]
    held_seconds: float


class RegistryImportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        names: VocabularyNames,
        *,
        invite_ttl_days: int,
        wake: Callable[[], None] = lambda: None,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._db = db
        self._clock = clock
        self._names = names
        # Invites made by an import go out by mail and chat: they live longer than
        # an administrator's own (IMPORT_INVITE_TTL_DAYS).
        self._invite_ttl = invite_ttl_days * DAY
        # Tells the delivery worker that notices were queued.
        self._wake = wake
        self._timer = timer
        self._vocabulary: Vocabulary | None = None

    @staticmethod
    def ensure_downloadable(size: int | None) -> None:
        """Raises ImportFileRefused (TOO_BIG) for a file larger than a bot may download
        from Telegram (MAX_DOWNLOAD_BYTES); an unknown size is tried."""
        if size is not None and size > MAX_DOWNLOAD_BYTES:
            raise ImportFileRefused(FileProblem.TOO_BIG, str(MAX_DOWNLOAD_BYTES // 2**20))

    async def read(self, data: bytes) -> list[SourceRow]:
        """The rows of an uploaded CSV or XLSX (see `read_rows` and `read_sheet`), read in
        a thread. Raises ImportFileRefused when the file cannot be read row by row."""
        try:
            return await asyncio.to_thread(lambda: read_sheet(read_rows(data)))
        except FileRefused as exc:
            raise ImportFileRefused(exc.problem, exc.detail) from None

    async def check(self, file_name: str, rows: Sequence[SourceRow]) -> DryRun:
        """Check rows against the file, the reference data and the registered pages; keeps
        nothing (the command line's dry run)."""
        checked = await asyncio.to_thread(check_rows, rows, await self.vocabulary())
        async with self._db.read() as repos:
            registered = await repos.imports.registered(checked.link_keys)
        verdict = judge(checked, registered)
        return DryRun(0, file_name, verdict.total, len(verdict.rows), verdict.problems)

    async def dry_run(self, actor: Actor, file_name: str, data: bytes) -> DryRun:
        """Read and check an uploaded file and keep its rows for `apply`, replacing the
        actor's earlier file still waiting. Writes nothing else. Raises NotAllowed (not a
        superadmin) or ImportFileRefused."""
        self.ensure_allowed(actor)
        rows = await self.read(data)
        checked = await self.check(file_name, rows)
        kept_rows, kept_problems = await asyncio.to_thread(_dump, rows, checked)
        async with self._db.write() as repos:
            await repos.imports.discard_unapplied(actor.user_id)
            import_id = await repos.imports.create(
                file_name=file_name,
                created_by=actor.user_id,
                now=self._clock.now(),
                rows=kept_rows,
                problems=kept_problems,
            )
        return DryRun(import_id, file_name, checked.total, checked.good, checked.problems)

    async def dry_run_of(self, actor: Actor, import_id: int) -> DryRun:
        """The dry run of one of the actor's imports, as it was shown (to page through its
        problems). Raises NotAllowed or ImportGone."""
        self.ensure_allowed(actor)
        async with self._db.read() as repos:
            stored = await repos.imports.get(import_id)
        if stored is None or stored.created_by != actor.user_id or stored.problems is None:
            raise ImportGone(applied=False)
        return _dry_run(stored)

    async def apply(self, actor: Actor, import_id: int, notice: ImportNotice) -> Applied:
        """Apply one of the actor's dry runs (see the module's docstring). Raises
        NotAllowed, ImportGone (applied already, or not the actor's), NothingToImport."""
        self.ensure_allowed(actor)
        async with self._db.read() as repos:
            stored = await repos.imports.get(import_id)
        if stored is None or stored.created_by != actor.user_id or stored.problems is None:
            raise ImportGone(applied=False)
        if stored.applied_at is not None or stored.rows is None:
            raise ImportGone(applied=True)
        rows = await asyncio.to_thread(_load, stored.rows)
        return await self._write(actor, _dry_run(stored), rows, notice, audited=actor)

    async def apply_rows(
        self, actor: Actor, dry_run: DryRun, rows: Sequence[SourceRow], notice: ImportNotice
    ) -> Applied:
        """Check `rows` again and apply them at once: the command line, which showed
        `dry_run` (see `check`) first. The audit entry has no actor (the command line);
        the invites are the actor's. Raises NotAllowed or NothingToImport."""
        self.ensure_allowed(actor)
        return await self._write(actor, dry_run, rows, notice, audited=None)

    async def vocabulary(self) -> Vocabulary:
        """Every accepted name of a territory, level, theme and platform. The territories
        are reference data, read once: they change only with a restart."""
        if self._vocabulary is None:
            async with self._db.read() as repos:
                territories = await repos.territories.all()
            self._vocabulary = Vocabulary.build(
                ((t.id, (t.code, t.name_ru, t.name_en)) for t in territories),
                self._names.levels,
                self._names.themes,
                self._names.platforms,
            )
        return self._vocabulary

    @staticmethod
    def ensure_allowed(actor: Actor) -> None:
        """Raises NotAllowed unless the actor may import (`can_import_registry`)."""
        if not can_import_registry(actor):
            raise NotAllowed

    async def _write(
        self,
        actor: Actor,
        dry_run: DryRun,
        rows: Sequence[SourceRow],
        notice: ImportNotice,
        *,
        audited: Actor | None,
    ) -> Applied:
        checked = await asyncio.to_thread(check_rows, rows, await self.vocabulary())
        import_id, file_name = dry_run.import_id, dry_run.file_name
        now = self._clock.now()
        async with self._db.write() as repos:
            started = self._timer()
            if import_id:
                stored = await repos.imports.get(import_id)
                if stored is None:  # replaced by a newer file meanwhile
                    raise ImportGone(applied=False)
                if stored.applied_at is not None:
                    raise ImportGone(applied=True)
            else:
                import_id = await repos.imports.create(
                    file_name=file_name, created_by=actor.user_id, now=now
                )
            # Authoritative inside the unit of work: nothing registers a page meanwhile.
            verdict = judge(checked, await repos.imports.registered(checked.link_keys))
            if not verdict.rows:
                raise NothingToImport
            # What the dry run did not see: pages registered since.
            seen = {problem.line for problem in dry_run.problems}
            late = [problem for problem in verdict.problems if problem.line not in seen]
            page_ids = await self._add_pages(repos, import_id, verdict.rows, actor, now)
            written = await self._add_admins(repos, verdict.rows, page_ids, actor, notice, now)
            await repos.imports.finish(import_id, now=now, pages=len(verdict.rows))
            await record(
                repos,
                audited,
                AuditAction.IMPORT_APPLIED,
                Subject(SubjectKind.IMPORT, import_id),
                now=now,
                details={AuditDetail.PAGES: len(verdict.rows), AuditDetail.FILE: file_name},
            )
        held = self._timer() - started
        log.info(
            "Import %d applied: %d pages, %d invites; the writer was held %.3f s",
            import_id,
            len(verdict.rows),
            len(written.invites),
            held,
        )
        if written.notified:
            self._wake()
        return Applied(
            import_id=import_id,
            file_name=file_name,
            expected=dry_run.good,
            pages=len(verdict.rows),
            figures=sum(1 for row in verdict.rows if row.figure is not None),
            admins=written.admins,
            notified=written.notified,
            invites=written.invites,
            late=late,
            held_seconds=held,
        )

    async def _add_pages(
        self,
        repos: Repositories,
        import_id: int,
        rows: Sequence[ImportRow],
        actor: Actor,
        now: int,
    ) -> dict[str, int]:
        """Insert the rows as approved pages with their figures (and those as first
        reports); returns link key → page id."""
        await repos.imports.add_pages(
            {
                "link_key": row.link.key,
                "url": row.link.url,
                "platform": row.platform.value,
                "title": row.title,
                "territory_id": row.territory_id,
                "level": row.level.value,
                "theme": row.theme.value,
                "current_figure": row.figure,
                "reported_figure": row.figure,
                "last_report_at": now if row.figure is not None else None,
                "decided_by": actor.user_id,
                "decided_at": now,
                "created_at": now,
                "changed_at": now,
                "import_id": import_id,
                "status": PageStatus.APPROVED.value,
            }
            for row in rows
        )
        page_ids = await repos.imports.page_ids(import_id)
        deltas: dict[int, int] = {}
        for row in rows:
            deltas[row.territory_id] = deltas.get(row.territory_id, 0) + (row.figure or 0)
        await repos.imports.unbook_changes(at=now, deltas=deltas)
        await repos.imports.add_reports(
            {
                "page_id": page_ids[row.link.key],
                "figure": row.figure,
                "reported_at": now,
                "import_id": import_id,
            }
            for row in rows
            if row.figure is not None
        )
        return page_ids

    async def _add_admins(
        self,
        repos: Repositories,
        rows: Sequence[ImportRow],
        page_ids: Mapping[str, int],
        actor: Actor,
        notice: ImportNotice,
        now: int,
    ) -> _Admins:
        """Named administrators who use the bot become administrators and are told;
        the others get an invite code each (per page)."""
        refs = {ref for row in rows for ref in row.admins}
        by_id = {
            user.id: user
            for user in await repos.users.many(r.user_id for r in refs if r.user_id is not None)
        }
        by_name = await repos.users.by_usernames(r.username for r in refs if r.username)
        admins: list[dict[str, int]] = []
        invites: list[ImportInvite] = []
        codes: list[dict[str, object]] = []
        titles: dict[int, list[str]] = {}
        users: dict[int, User] = {}
        for row in rows:
            page_id = page_ids[row.link.key]
            for ref in row.admins:
                user = _resolve(ref, by_id, by_name)
                if user is None:
                    invite = ImportInvite(
                        url=row.link.url,
                        title=row.title,
                        admin=str(ref),
                        code=new_invite_code(),
                        expires_at=now + self._invite_ttl,
                    )
                    invites.append(invite)
                    codes.append(
                        {
                            "code": invite.code,
                            "page_id": page_id,
                            "created_by": actor.user_id,
                            "created_at": now,
                            "expires_at": invite.expires_at,
                        }
                    )
                    continue
                admins.append({"page_id": page_id, "user_id": user.id, "added_at": now})
                users[user.id] = user
                titles.setdefault(user.id, []).append(row.title)
        await repos.imports.add_admins(admins)
        await repos.imports.add_invites(codes)
        for user_id, pages in titles.items():
            text = notice(users[user_id], pages)
            await enqueue_text(repos, user_id, text, priority=Priority.ALERT, now=now)
        return _Admins(admins=len(admins), notified=len(titles), invites=invites)


@dataclass(frozen=True, slots=True)
class _Admins:
    admins: int
    notified: int
    invites: list[ImportInvite]


def _resolve(ref: AdminRef, by_id: Mapping[int, User], by_name: Mapping[str, User]) -> User | None:
    if ref.user_id is not None:
        return by_id.get(ref.user_id)
    return by_name.get((ref.username or "").lower())


def _dump(rows: Sequence[SourceRow], checked: DryRun) -> tuple[str, str]:
    """The JSON a dry run keeps: its rows (for the apply) and its verdict (for paging)."""
    kept_rows = json.dumps([row.to_json() for row in rows], ensure_ascii=False)
    kept_problems = json.dumps(
        {
            "total": checked.total,
            "good": checked.good,
            "problems": [
                [p.line, p.problem.value, p.value, p.first_line] for p in checked.problems
            ],
        },
        ensure_ascii=False,
    )
    return kept_rows, kept_problems


def _dry_run(stored: StoredImport) -> DryRun:
    """The dry run an import keeps (see `_dump`)."""
    summary = json.loads(stored.problems or "{}")
    return DryRun(
        stored.id,
        stored.file_name,
        int(summary["total"]),
        int(summary["good"]),
        [
            RowProblem(line, Problem(kind), value, first)
            for line, kind, value, first in summary["problems"]
        ],
        applied=stored.applied_at is not None,
    )


def _load(kept: str) -> list[SourceRow]:
    return [SourceRow.from_json(values) for values in json.loads(kept)]


def invites_csv(invites: Sequence[ImportInvite], bot_username: str, tz: ZoneInfo) -> bytes:
    """The invite links file (see `csv_bytes`): per invite, the page's link and title, the
    administrator as the file named them, their personal link to the bot, and the last
    day (in `tz`, YYYY-MM-DD) it works."""
    return csv_bytes(
        INVITE_COLUMNS,
        [
            (
                invite.url,
                invite.title,
                invite.admin,
                start_link(bot_username, invite.code),
                dt.datetime.fromtimestamp(invite.expires_at, tz).date().isoformat(),
            )
            for invite in invites
        ],
    )
