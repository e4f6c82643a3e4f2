"""What every repository shares: the connection, the helpers that run SQL, and the few
pieces of SQL that differ between SQLite and PostgreSQL.

SQL in the repositories is written so that both engines accept it: named parameters
(`:name` with a dict), `INSERT ... RETURNING id`, `ON CONFLICT ... DO NOTHING/UPDATE`,
standard functions (`lower`, `coalesce`, `CASE`). What has no form both accept lives
here, and only here, each with its PostgreSQL equivalent named:

- a list of values passed as one parameter (`in_list`, `list_values`, `list_param`);
- "no limit" as a LIMIT parameter (`no_limit`).

A filter that applies only when a value was chosen is added to the SQL or left out in
Python (`given`), never by testing its parameter against NULL in the SQL: PostgreSQL
(asyncpg) cannot type a parameter that is only compared with NULL and refuses the
statement.

Repositories never commit: the unit of work in `Database.write()` owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeAlias, TypeVar

import aiosqlite

#: Named parameters of one statement (`:name` in the SQL).
Params: TypeAlias = Mapping[str, Any]

R = TypeVar("R")


def list_param(values: Iterable[Any]) -> str:
    """The value of a list parameter read by `in_list` or `list_values`.

    SQLite: a JSON array, read by json_each. PostgreSQL: the list itself (an array).
    """
    return json.dumps(sorted(values))


def list_values(name: str) -> str:
    """SQL: a subquery whose one column `value` holds the values of the list parameter
    `name` (see `list_param`).

    SQLite: json_each over the JSON array. PostgreSQL: `(SELECT unnest(:name) AS value)`.
    """
    return f"(SELECT value FROM json_each(:{name}))"


def in_list(column: str, name: str) -> str:
    """SQL condition: `column` is one of the values of the list parameter `name` (see
    `list_param`); parenthesised, so `NOT` may precede it.

    SQLite: `column IN (SELECT value FROM json_each(:name))`.
    PostgreSQL: `(column = ANY(:name))`.
    """
    return f"({column} IN {list_values(name)})"


def no_limit(limit: int | None) -> int:
    """A LIMIT parameter: `limit` rows, or every row when None.

    SQLite reads a negative LIMIT as no limit and refuses NULL. PostgreSQL refuses a
    negative LIMIT and reads `LIMIT NULL` as no limit: there this returns `limit` as is.
    """
    return -1 if limit is None else limit


def given(value: object, condition: str) -> str:
    """SQL: ` AND condition` when `value` is not None, else nothing: a filter left out
    when nothing was chosen in its dimension (the region rather than one territory, no
    start date). Append it to a WHERE or ON clause that has a condition already.
    """
    return f" AND {condition}" if value is not None else ""


def qualified(alias: str, columns: str) -> str:
    """A comma-separated column list with each column prefixed by a table alias."""
    return ", ".join(f"{alias}.{column.strip()}" for column in columns.split(","))


#: The place of each field of a record, by record class: computed once per class.
_PLACES: dict[type[Any], dict[str, int]] = {}


def _places(record: type[Any]) -> dict[str, int]:
    places = _PLACES.get(record)
    if places is None:
        places = _PLACES[record] = {field.name: n for n, field in enumerate(fields(record))}
    return places


def columns(record: type[Any]) -> str:
    """SQL: a comma-separated column list named and ordered as the fields of `record` (a
    dataclass whose fields are a table's columns), read back by `from_row`."""
    return ", ".join(_places(record))


def from_row(record: type[R], row: Sequence[Any], **convert: Callable[[Any], Any]) -> R:
    """A `record` (a dataclass) from a row of `columns(record)`: each value goes to the
    field in its place, through `convert[field name]` where one is given (an enum from
    its text, a bool from SQLite's 0 or 1, a structure from JSON).

    ValueError if the row is not as wide as the record has fields; KeyError for a
    converter of no field.
    """
    places = _places(record)
    if len(row) != len(places):
        raise ValueError(f"{record.__name__} has {len(places)} fields, the row {len(row)}")
    values = list(row)
    for name, read in convert.items():
        values[places[name]] = read(values[places[name]])
    return record(*values)


def row_of(record: Any, **convert: Callable[[Any], Any]) -> dict[str, Any]:
    """The inverse of `from_row`: column → value of each field of `record` (a dataclass
    instance), through `convert[field name]` where one is given."""
    values = {name: getattr(record, name) for name in _places(type(record))}
    for name, write in convert.items():
        values[name] = write(values[name])
    return values


def insert_sql(table: str, columns: Collection[str]) -> str:
    """SQL: `INSERT INTO table (columns) VALUES (:column, ...)`, named parameters."""
    names = ", ".join(columns)
    values = ", ".join(f":{column}" for column in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values})"


class Repository:
    """The base of every repository: one connection, never committed here."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Params | None = None) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return tuple(row) if row is not None else None

    async def _all(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query (or of a write with RETURNING)."""
        async with self._conn.execute(sql, params) as cursor:
            rows = await cursor.fetchall()
        return [tuple(row) for row in rows]

    async def _batches(
        self, sql: str, params: Params | None = None, *, size: int
    ) -> AsyncGenerator[list[tuple[Any, ...]], None]:
        """The rows of a query, `size` at a time: never all of them in memory at once.
        Close it (`contextlib.aclosing`) when you may stop before the end."""
        async with self._conn.execute(sql, params) as cursor:
            while batch := await cursor.fetchmany(size):
                yield [tuple(row) for row in batch]

    async def _scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self._one(sql, params)
        return row[0] if row is not None else None

    async def _run(self, sql: str, params: Params | None = None) -> int:
        """Execute a write; returns the number of rows changed."""
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    async def _changed(self, sql: str, params: Params | None = None) -> bool:
        """Execute a write; whether it changed any row."""
        return await self._run(sql, params) > 0

    async def _run_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Execute one write once per parameter set."""
        await self._conn.executemany(sql, rows)

    async def _insert(self, table: str, values: Params) -> int:
        """Insert one row (column → value) and return its new `id`."""
        new_id = await self._scalar(insert_sql(table, list(values)) + " RETURNING id", values)
        if new_id is None:
            raise RuntimeError(f"INSERT INTO {table} returned no id")
        return int(new_id)
