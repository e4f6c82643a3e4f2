"""Reference data shipped with the bot: the region's territories."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.storage.database import Database

TERRITORY_KINDS = {"region", "urban_district", "municipal_district", "settlement"}
_COLUMNS = ("code", "kind", "name_ru", "name_en")


def read_territories(path: Path) -> list[tuple[str, str, str, str, int]]:
    """Rows (code, kind, name_ru, name_en, sort) of a territories CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or tuple(reader.fieldnames[:4]) != _COLUMNS:
            raise ValueError(f"{path}: the header must be {','.join(_COLUMNS)}")
        rows: list[tuple[str, str, str, str, int]] = []
        for number, record in enumerate(reader, start=1):
            code, kind = record["code"].strip(), record["kind"].strip()
            name_ru, name_en = record["name_ru"].strip(), record["name_en"].strip()
            if not code or not name_ru or not name_en or kind not in TERRITORY_KINDS:
                raise ValueError(f"{path}: row {number + 1} is incomplete or of unknown kind")
            rows.append((code, kind, name_ru, name_en, number))
    if len({row[0] for row in rows}) != len(rows):
        raise ValueError(f"{path}: territory codes must be unique")
    return rows


async def seed_territories(db: Database, path: Path) -> int:
    rows = read_territories(path)
    async with db.write() as repos:
        await repos.territories.upsert_many(rows)
    return len(rows)
