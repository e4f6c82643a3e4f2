"""Registry imports: the files kept between a dry run and its apply, and the bulk writes
that turn their rows into approved pages in one unit of work.

Bulk writes go through `executemany` (one statement, many parameter sets), so 20,000
rows hold the writer for a fraction of a second rather than a round trip per row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.catalog import PageStatus
from bot.storage.base import Repository, in_list, insert_sql, list_param

_COLUMNS = "id, file_name, created_by, created_at, rows, problems, applied_at, pages"

#: The columns of an imported page; every row of `add_pages` has these keys.
PAGE_COLUMNS = (
    "link_key",
    "url",
    "platform",
    "title",
    "territory_id",
    "level",
    "theme",
    "current_figure",
    "reported_figure",
    "last_report_at",
    "decided_by",
    "decided_at",
    "created_at",
    "changed_at",
    "import_id",
    "status",
)


@dataclass(frozen=True, slots=True)
class StoredImport:
    """An import: `rows` and `problems` are the dry run's JSON (None once applied);
    `applied_at` None while it waits for its author's confirmation."""

    id: int
    file_name: str
    created_by: int
    created_at: int
    rows: str | None
    problems: str | None
    applied_at: int | None
    pages: int | None


class ImportRepository(Repository):
    async def create(
        self,
        *,
        file_name: str,
        created_by: int,
        now: int,
        rows: str | None = None,
        problems: str | None = None,
    ) -> int:
        """A new import, not applied yet; returns its id. `rows` and `problems` are the
        JSON a dry run keeps for the apply and for paging (None: applied at once)."""
        return await self._insert(
            "imports",
            {
                "file_name": file_name,
                "created_by": created_by,
                "created_at": now,
                "rows": rows,
                "problems": problems,
            },
        )

    async def get(self, import_id: int) -> StoredImport | None:
        """One import by id, applied or not."""
        row = await self._one(f"SELECT {_COLUMNS} FROM imports WHERE id = :id", {"id": import_id})
        return StoredImport(*row) if row else None

    async def discard_unapplied(self, created_by: int) -> int:
        """Forget the user's imports still waiting for confirmation (a newer file replaces
        them); returns how many."""
        return await self._run(
            "DELETE FROM imports WHERE created_by = :created_by AND applied_at IS NULL",
            {"created_by": created_by},
        )

    async def finish(self, import_id: int, *, now: int, pages: int) -> bool:
        """Mark the import applied with the pages it created and drop its kept rows;
        False if it was applied already."""
        changed = await self._run(
            "UPDATE imports SET applied_at = :now, pages = :pages, rows = NULL"
            " WHERE id = :id AND applied_at IS NULL",
            {"now": now, "pages": pages, "id": import_id},
        )
        return changed > 0

    async def registered(self, link_keys: Collection[str]) -> dict[str, str]:
        """Of these link keys, those of pages in the bot (not rejected), with their titles:
        one query, whatever the number of keys."""
        if not link_keys:
            return {}
        rows = await self._all(
            "SELECT link_key, title FROM pages"
            f" WHERE status <> 'rejected' AND {in_list('link_key', 'keys')}",
            {"keys": list_param(link_keys)},
        )
        return {str(key): str(title) for key, title in rows}

    async def add_pages(self, pages: Iterable[Mapping[str, Any]]) -> None:
        """Insert pages, each a mapping of `PAGE_COLUMNS` (the triggers count the approved
        ones and their figures into the totals)."""
        await self._run_many(insert_sql("pages", PAGE_COLUMNS), pages)

    async def page_ids(self, import_id: int) -> dict[str, int]:
        """The pages an import created: link key → page id."""
        rows = await self._all(
            "SELECT link_key, id FROM pages WHERE import_id = :import_id AND status = :status",
            {"import_id": import_id, "status": PageStatus.APPROVED.value},
        )
        return {str(key): int(page_id) for key, page_id in rows}

    async def unbook_changes(self, *, at: int, deltas: Mapping[int, int]) -> None:
        """Take imported figures (territory id → subscribers) back out of the change
        ledger the insert trigger booked them in at `at` (Unix seconds): a registry that
        existed before the bot is its baseline, not a week's growth in /total and digests."""
        await self._run_many(
            "UPDATE total_changes SET delta = delta - :delta"
            " WHERE hour = :hour AND territory_id = :territory_id",
            [
                {"delta": delta, "hour": at // 3600, "territory_id": territory_id}
                for territory_id, delta in deltas.items()
                if delta
            ],
        )

    async def add_reports(self, reports: Iterable[Mapping[str, Any]]) -> None:
        """Insert first figures: mappings of page_id, figure, reported_at, import_id
        (reported_by stays NULL: nobody reported them, the import did)."""
        await self._run_many(
            insert_sql("reports", ("page_id", "figure", "reported_at", "import_id")), reports
        )

    async def add_admins(self, admins: Iterable[Mapping[str, Any]]) -> None:
        """Make users administrators: mappings of page_id, user_id, added_at."""
        await self._run_many(
            insert_sql("page_admins", ("page_id", "user_id", "added_at"))
            + " ON CONFLICT DO NOTHING",
            admins,
        )

    async def add_invites(self, invites: Iterable[Mapping[str, Any]]) -> None:
        """Store invite codes: mappings of code, page_id, created_by, created_at,
        expires_at (what `InviteRepository.create` stores one at a time)."""
        await self._run_many(
            insert_sql("invites", ("code", "page_id", "created_by", "created_at", "expires_at")),
            invites,
        )
