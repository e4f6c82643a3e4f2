"""The region's territories: reference data, seeded from a CSV shipped with the bot."""

from __future__ import annotations

from collections.abc import Iterable

from bot.storage.base import Repository
from bot.storage.records import Territory

_COLUMNS = "id, code, kind, name_ru, name_en, sort"


class TerritoryRepository(Repository):
    async def upsert_many(self, rows: Iterable[tuple[str, str, str, str, int]]) -> None:
        """Insert or refresh territories given as (code, kind, name_ru, name_en, sort)."""
        await self._run_many(
            "INSERT INTO territories (code, kind, name_ru, name_en, sort)"
            " VALUES (:code, :kind, :name_ru, :name_en, :sort)"
            " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind,"
            " name_ru = excluded.name_ru, name_en = excluded.name_en, sort = excluded.sort",
            [
                {"code": code, "kind": kind, "name_ru": name_ru, "name_en": name_en, "sort": sort}
                for code, kind, name_ru, name_en, sort in rows
            ],
        )

    async def all(self) -> list[Territory]:
        """Every territory in display order."""
        rows = await self._all(f"SELECT {_COLUMNS} FROM territories ORDER BY sort, id")
        return [Territory(*row) for row in rows]

    async def get(self, territory_id: int) -> Territory | None:
        """One territory by id."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM territories WHERE id = :id", {"id": territory_id}
        )
        return Territory(*row) if row else None
