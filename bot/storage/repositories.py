"""Repositories: all SQL of the bot, one class per aggregate. They never commit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import aiosqlite

from bot.domain.catalog import PageStatus
from bot.storage.audience import AudienceRepository
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.charts import ChartRepository
from bot.storage.digests import DigestRepository
from bot.storage.lease import LeaseRepository
from bot.storage.milestones import MilestoneRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.records import Breakdown, Invite, Page, Report, SegmentTotal, Territory, User
from bot.storage.seminars import SeminarRepository
from bot.storage.silence import is_silent
from bot.storage.snapshots import SnapshotRepository

# Positional (`?`) or, in new SQL, named (`:name`) parameters.
Params: TypeAlias = Sequence[Any] | Mapping[str, Any]


class _Repository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row is not None else None

    async def _all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        async with self._conn.execute(sql, params) as cursor:
            rows = await cursor.fetchall()
        return [tuple(row) for row in rows]

    async def _scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self._one(sql, params)
        return row[0] if row is not None else None

    async def _run(self, sql: str, params: Params = ()) -> int:
        """Execute a write; returns the number of rows changed."""
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount


class TerritoryRepository(_Repository):
    _COLUMNS = "id, code, kind, name_ru, name_en, sort"

    async def upsert_many(self, rows: Iterable[tuple[str, str, str, str, int]]) -> None:
        await self._conn.executemany(
            "INSERT INTO territories (code, kind, name_ru, name_en, sort) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind,"
            " name_ru = excluded.name_ru, name_en = excluded.name_en, sort = excluded.sort",
            list(rows),
        )

    async def all(self) -> list[Territory]:
        rows = await self._all(f"SELECT {self._COLUMNS} FROM territories ORDER BY sort, id")
        return [Territory(*row) for row in rows]

    async def get(self, territory_id: int) -> Territory | None:
        row = await self._one(
            f"SELECT {self._COLUMNS} FROM territories WHERE id = ?", (territory_id,)
        )
        return Territory(*row) if row else None


class UserRepository(_Repository):
    _COLUMNS = (
        "id, username, full_name, language_code, locale, is_coordinator,"
        " coordinator_territory_id, reachable, wants_digest, wants_reminders"
    )

    @staticmethod
    def _record(row: tuple[Any, ...]) -> User:
        return User.from_row(row)

    async def touch(
        self,
        user_id: int,
        *,
        username: str | None,
        full_name: str,
        language_code: str | None,
        now: int,
    ) -> User:
        """Create or refresh a user who just wrote to the bot: they are reachable again."""
        row = await self._one(
            "INSERT INTO users (id, username, full_name, language_code, created_at, seen_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
            " full_name = excluded.full_name, language_code = excluded.language_code,"
            " reachable = 1, seen_at = excluded.seen_at"
            f" RETURNING {self._COLUMNS}",
            (user_id, username, full_name, language_code, now, now),
        )
        assert row is not None
        return self._record(row)

    async def ensure(self, user_id: int, *, now: int) -> None:
        """A row for a user known only by id (e.g. granted before they wrote to the bot)."""
        await self._run(
            "INSERT INTO users (id, created_at, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO NOTHING",
            (user_id, now, now),
        )

    async def set_source(self, user_id: int, source: str) -> bool:
        """Record where the user came from, unless a source is recorded already;
        returns whether it was recorded."""
        changed = await self._run(
            "UPDATE users SET source = ? WHERE id = ? AND source IS NULL", (source, user_id)
        )
        return changed > 0

    async def source(self, user_id: int) -> str | None:
        """Where the user came from (the first campaign link's payload); None: directly."""
        found = await self._scalar("SELECT source FROM users WHERE id = ?", (user_id,))
        return None if found is None else str(found)

    async def get(self, user_id: int) -> User | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM users WHERE id = ?", (user_id,))
        return self._record(row) if row else None

    async def by_username(self, username: str) -> User | None:
        row = await self._one(
            f"SELECT {self._COLUMNS} FROM users WHERE username = ? COLLATE NOCASE"
            " ORDER BY seen_at DESC LIMIT 1",
            (username,),
        )
        return self._record(row) if row else None

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self._run("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))

    async def set_coordinator(
        self, user_id: int, *, is_coordinator: bool, territory_id: int | None
    ) -> None:
        await self._run(
            "UPDATE users SET is_coordinator = ?, coordinator_territory_id = ? WHERE id = ?",
            (int(is_coordinator), territory_id if is_coordinator else None, user_id),
        )

    async def set_subscriptions(
        self, user_id: int, *, wants_digest: bool, wants_reminders: bool
    ) -> None:
        await self._run(
            "UPDATE users SET wants_digest = ?, wants_reminders = ? WHERE id = ?",
            (int(wants_digest), int(wants_reminders), user_id),
        )

    async def set_reachable(self, user_id: int, reachable: bool) -> None:
        await self._run("UPDATE users SET reachable = ? WHERE id = ?", (int(reachable), user_id))

    async def coordinators(self) -> list[User]:
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM users WHERE is_coordinator = 1 ORDER BY id"
        )
        return [self._record(row) for row in rows]

    async def registered(self) -> list[User]:
        """Reachable users who administer a page that is not rejected, by id."""
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM users WHERE reachable = 1 AND id IN"
            " (SELECT a.user_id FROM page_admins a JOIN pages p ON p.id = a.page_id"
            "  WHERE p.status <> 'rejected') ORDER BY id"
        )
        return [self._record(row) for row in rows]

    async def many(self, user_ids: Iterable[int]) -> list[User]:
        ids = sorted(set(user_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = await self._all(f"SELECT {self._COLUMNS} FROM users WHERE id IN ({marks})", ids)
        return [self._record(row) for row in rows]


class PageRepository(_Repository):
    _COLUMNS = (
        "p.id, p.link_key, p.url, p.platform, p.title, p.territory_id, p.level, p.theme,"
        " p.status, p.reject_reason, p.created_by, p.created_at, p.current_figure,"
        " p.last_report_at"
    )

    @staticmethod
    def _record(row: tuple[Any, ...]) -> Page:
        values = list(row)
        values[8] = PageStatus(values[8])
        return Page(*values)

    async def create(
        self,
        *,
        link_key: str,
        url: str,
        platform: str,
        title: str,
        territory_id: int,
        level: str,
        theme: str,
        created_by: int,
        now: int,
    ) -> int:
        page_id = await self._scalar(
            "INSERT INTO pages (link_key, url, platform, title, territory_id, level, theme,"
            " status, created_by, created_at, changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) RETURNING id",
            (link_key, url, platform, title, territory_id, level, theme, created_by, now, now),
        )
        await self.add_admin(int(page_id), created_by, now=now)
        return int(page_id)

    async def get(self, page_id: int) -> Page | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM pages p WHERE p.id = ?", (page_id,))
        return self._record(row) if row else None

    async def by_link_key(self, link_key: str) -> Page | None:
        row = await self._one(
            f"SELECT {self._COLUMNS} FROM pages p WHERE p.link_key = ? AND p.status <> 'rejected'",
            (link_key,),
        )
        return self._record(row) if row else None

    async def of_admin(self, user_id: int) -> list[Page]:
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM pages p JOIN page_admins a ON a.page_id = p.id"
            " WHERE a.user_id = ? AND p.status <> 'rejected' ORDER BY p.title COLLATE NOCASE, p.id",
            (user_id,),
        )
        return [self._record(row) for row in rows]

    async def administers_any(self, user_id: int) -> bool:
        found = await self._scalar(
            "SELECT 1 FROM page_admins WHERE user_id = ? LIMIT 1", (user_id,)
        )
        return found is not None

    async def is_admin(self, page_id: int, user_id: int) -> bool:
        found = await self._scalar(
            "SELECT 1 FROM page_admins WHERE page_id = ? AND user_id = ?", (page_id, user_id)
        )
        return found is not None

    async def admin_ids(self, page_id: int) -> list[int]:
        rows = await self._all(
            "SELECT user_id FROM page_admins WHERE page_id = ? ORDER BY added_at", (page_id,)
        )
        return [int(row[0]) for row in rows]

    async def add_admin(self, page_id: int, user_id: int, *, now: int) -> bool:
        changed = await self._run(
            "INSERT INTO page_admins (page_id, user_id, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (page_id, user_id, now),
        )
        return changed > 0

    async def remove_admin(self, page_id: int, user_id: int) -> bool:
        changed = await self._run(
            "DELETE FROM page_admins WHERE page_id = ? AND user_id = ?", (page_id, user_id)
        )
        return changed > 0

    async def pending(
        self, *, territory_id: int | None, limit: int | None, offset: int = 0
    ) -> list[Page]:
        """Pages waiting for a decision, oldest first, optionally in one territory;
        `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM pages p WHERE p.status = 'pending'"
            " AND (?1 IS NULL OR p.territory_id = ?1) ORDER BY p.created_at, p.id"
            " LIMIT ?2 OFFSET ?3",
            (territory_id, _no_limit(limit), offset),
        )
        return [self._record(row) for row in rows]

    async def count_pending(self, *, territory_id: int | None) -> int:
        return int(
            await self._scalar(
                "SELECT count(*) FROM pages WHERE status = 'pending'"
                " AND (?1 IS NULL OR territory_id = ?1)",
                (territory_id,),
            )
        )

    async def orphaned(self, *, territory_id: int | None, limit: int | None) -> list[Page]:
        """Live pages nobody administers any more: a coordinator has to find someone;
        `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM pages p WHERE p.status <> 'rejected'"
            " AND (?1 IS NULL OR p.territory_id = ?1)"
            " AND NOT EXISTS (SELECT 1 FROM page_admins a WHERE a.page_id = p.id)"
            " ORDER BY p.title COLLATE NOCASE, p.id LIMIT ?2",
            (territory_id, _no_limit(limit)),
        )
        return [self._record(row) for row in rows]

    async def decide(
        self,
        page_id: int,
        *,
        status: PageStatus,
        reason: str | None,
        decided_by: int,
        now: int,
    ) -> bool:
        """Approve or reject a pending page; False if it was not pending any more."""
        changed = await self._run(
            "UPDATE pages SET status = ?, reject_reason = ?, decided_by = ?, decided_at = ?,"
            " changed_at = ? WHERE id = ? AND status = 'pending'",
            (status.value, reason, decided_by, now, now, page_id),
        )
        return changed > 0

    async def set_current_figure(self, page_id: int, figure: int, *, now: int) -> None:
        await self._run(
            "UPDATE pages SET current_figure = ?, last_report_at = ?, changed_at = ? WHERE id = ?",
            (figure, now, now, page_id),
        )


class ReportRepository(_Repository):
    async def add(
        self,
        *,
        page_id: int,
        figure: int,
        reported_by: int,
        update_id: int | None,
        now: int,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> int | None:
        """Store a report; None when this update was stored before (a redelivery).
        `chat_id` and `message_id` name the message that carried the figure."""
        report_id = await self._scalar(
            "INSERT INTO reports"
            " (page_id, figure, reported_at, reported_by, update_id, chat_id, message_id)"
            " VALUES (:page_id, :figure, :now, :reported_by, :update_id, :chat_id, :message_id)"
            " ON CONFLICT (reported_by, update_id) DO NOTHING RETURNING id",
            {
                "page_id": page_id,
                "figure": figure,
                "now": now,
                "reported_by": reported_by,
                "update_id": update_id,
                "chat_id": chat_id,
                "message_id": message_id,
            },
        )
        return int(report_id) if report_id is not None else None

    async def from_message(self, *, chat_id: int, message_id: int, user_id: int) -> Report | None:
        """The report the user stored from this message, if any (the latest, should a
        message ever have carried two)."""
        row = await self._one(
            "SELECT id, page_id, figure, reported_at, reported_by FROM reports"
            " WHERE chat_id = :chat_id AND message_id = :message_id AND reported_by = :user_id"
            " ORDER BY id DESC LIMIT 1",
            {"chat_id": chat_id, "message_id": message_id, "user_id": user_id},
        )
        return Report(*row) if row else None

    async def history(self, page_id: int, *, limit: int | None) -> list[Report]:
        """A page's reports, newest first; `limit` None: all of them."""
        rows = await self._all(
            "SELECT id, page_id, figure, reported_at, reported_by FROM reports"
            " WHERE page_id = ? ORDER BY reported_at DESC, id DESC LIMIT ?",
            (page_id, _no_limit(limit)),
        )
        return [Report(*row) for row in rows]


class InviteRepository(_Repository):
    async def create(
        self, *, code: str, page_id: int, created_by: int, now: int, expires_at: int
    ) -> None:
        await self._run(
            "INSERT INTO invites (code, page_id, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (code, page_id, created_by, now, expires_at),
        )

    async def get(self, code: str) -> Invite | None:
        row = await self._one(
            "SELECT code, page_id, created_by, expires_at, used_by FROM invites WHERE code = ?",
            (code,),
        )
        return Invite(*row) if row else None

    async def mark_used(self, code: str, *, user_id: int, now: int) -> bool:
        """Claim a single-use invite; False when someone claimed it first."""
        changed = await self._run(
            "UPDATE invites SET used_by = ?, used_at = ? WHERE code = ? AND used_by IS NULL",
            (user_id, now, code),
        )
        return changed > 0


class TotalsRepository(_Repository):
    async def segments(self) -> list[SegmentTotal]:
        rows = await self._all(
            "SELECT territory_id, level, theme, platform, pages, subscribers"
            " FROM segment_totals WHERE pages > 0"
        )
        return [SegmentTotal(*row) for row in rows]

    async def breakdowns(self) -> list[Breakdown]:
        """Pages and subscribers per territory, level, theme and platform, in one query.

        SQLite sums the few thousand segment rows itself, so only ~50 rows reach Python.
        """
        rows = await self._all(
            " UNION ALL ".join(
                f"SELECT '{dimension}', CAST({dimension}{suffix} AS TEXT), sum(pages),"
                f" sum(subscribers) FROM segment_totals WHERE pages > 0 GROUP BY 2"
                for dimension, suffix in (
                    ("territory", "_id"),
                    ("level", ""),
                    ("theme", ""),
                    ("platform", ""),
                )
            )
        )
        return [Breakdown(*row) for row in rows]

    async def changes(self, *, week_since: int, month_since: int) -> dict[int, tuple[int, int]]:
        """Change of the counted total per territory since two moments, in one pass.

        Returns {territory_id: (change since week_since, change since month_since)}.
        The ledger is hourly: changes within the hour of a moment count as before it.
        """
        rows = await self._all(
            "SELECT territory_id, sum(CASE WHEN hour > ?1 THEN delta ELSE 0 END), sum(delta)"
            " FROM total_changes WHERE hour > ?2 GROUP BY territory_id",
            (week_since // 3600, month_since // 3600),
        )
        return {int(territory): (int(week), int(month)) for territory, week, month in rows}


class FsmRepository(_Repository):
    async def get(self, key: str) -> tuple[str | None, str] | None:
        row = await self._one("SELECT state, data FROM fsm_states WHERE key = ?", (key,))
        return (row[0], row[1]) if row else None

    async def set_state(self, key: str, state: str | None) -> None:
        await self._run(
            "INSERT INTO fsm_states (key, state) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state",
            (key, state),
        )

    async def set_data(self, key: str, data: str) -> None:
        await self._run(
            "INSERT INTO fsm_states (key, data) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data",
            (key, data),
        )

    async def prune(self) -> None:
        await self._run("DELETE FROM fsm_states WHERE state IS NULL AND data = '{}'")


def _no_limit(limit: int | None) -> int:
    """A LIMIT parameter: SQLite reads a negative one as no limit."""
    return -1 if limit is None else limit


def _qualified(alias: str, columns: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in columns.split(","))


class ReminderRepository(_Repository):
    async def due(self, *, since: int) -> list[tuple[Page, list[User]]]:
        """Pages silent (see `bot.storage.silence`) since before `since` and not reminded
        since then, with their reachable administrators who want reminders."""
        rows = await self._all(
            f"SELECT {PageRepository._COLUMNS}, {_qualified('u', UserRepository._COLUMNS)}"
            " FROM pages p"
            " JOIN page_admins a ON a.page_id = p.id"
            " JOIN users u ON u.id = a.user_id"
            " LEFT JOIN report_reminders rr ON rr.page_id = p.id"
            f" WHERE {is_silent('p', 'since')}"
            " AND (rr.last_sent_at IS NULL OR rr.last_sent_at < :since)"
            " AND u.reachable = 1 AND u.wants_reminders = 1"
            " ORDER BY p.id, u.id",
            {"since": since},
        )
        width = len(PageRepository._COLUMNS.split(","))
        due: dict[int, tuple[Page, list[User]]] = {}
        for row in rows:
            page = PageRepository._record(row[:width])
            due.setdefault(page.id, (page, []))[1].append(UserRepository._record(row[width:]))
        return list(due.values())

    async def mark_sent(self, page_id: int, *, now: int) -> None:
        await self._run(
            "INSERT INTO report_reminders (page_id, last_sent_at) VALUES (?, ?)"
            " ON CONFLICT (page_id) DO UPDATE SET last_sent_at = excluded.last_sent_at",
            (page_id, now),
        )


class Repositories:
    """Every repository over one connection: what a unit of work hands out."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.territories = TerritoryRepository(conn)
        self.users = UserRepository(conn)
        self.pages = PageRepository(conn)
        self.reports = ReportRepository(conn)
        self.invites = InviteRepository(conn)
        self.totals = TotalsRepository(conn)
        self.fsm = FsmRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.broadcasts = BroadcastRepository(conn)
        self.audience = AudienceRepository(conn)
        self.milestones = MilestoneRepository(conn)
        self.charts = ChartRepository(conn)
        self.snapshots = SnapshotRepository(conn)
        self.reminders = ReminderRepository(conn)
        self.lease = LeaseRepository(conn)
        self.digests = DigestRepository(conn)
        self.seminars = SeminarRepository(conn)
