"""What every repository shares: the connection, the helpers that run SQL, and the few
pieces of SQL that differ between SQLite and PostgreSQL.

SQL in the repositories is written so that both engines accept it: named parameters
(`:name` with a dict), `INSERT ... RETURNING id`, `ON CONFLICT ... DO NOTHING/UPDATE`,
standard functions (`lower`, `coalesce`, `CASE`). What has no form both accept lives
here, and only here, each with its PostgreSQL equivalent named:

- a list of values read as a table (`Repository._list_values`; `in_list` is portable,
  an expanding parameter).

A filter that applies only when a value was chosen is added to the SQL or left out in
Python (`given`), never by testing its parameter against NULL in the SQL: PostgreSQL
(asyncpg) cannot type a parameter that is only compared with NULL and refuses the
statement.

Repositories never commit: the unit of work in `Database.write()` owns the transaction.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import fields
from functools import lru_cache
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import CursorResult, TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.dialect import Dialect, ListParam

#: Named parameters of one statement (`:name` in the SQL).
Params: TypeAlias = Mapping[str, Any]

R = TypeVar("R")


def list_param(values: Iterable[Any]) -> ListParam:
    """The value of a list parameter, read by `in_list` (expanding: one bound value per
    item) or by `Repository._list_values` (one array)."""
    return ListParam(sorted(values))


def in_list(column: str, name: str) -> str:
    """SQL condition: `column` is one of the values of the list parameter `name` (see
    `list_param`); parenthesised, so `NOT` may precede it. An empty list matches nothing
    (SQLAlchemy's expanding parameter renders an empty set), but PostgreSQL types that set
    as integers: against a text column, answer an empty list without asking."""
    return f"({column} IN :{name})"


#: A LIMIT both engines read as "every row": SQLite refuses NULL, PostgreSQL a negative.
_EVERY_ROW = 2**63 - 1


def no_limit(limit: int | None) -> int:
    """A LIMIT parameter: `limit` rows, or every row when None."""
    return _EVERY_ROW if limit is None else limit


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


@lru_cache(maxsize=2048)
def _statement(sql: str, expanding: frozenset[str]) -> TextClause:
    """`sql` as a text() construct, its list parameters `expanding`: built once per
    statement, so SQLAlchemy's compiled cache finds it again."""
    statement = text(sql)
    if expanding:
        statement = statement.bindparams(*(bindparam(name, expanding=True) for name in expanding))
    return statement


class Repository:
    """The base of every repository: one connection, never committed here."""

    def __init__(self, conn: AsyncConnection, dialect: Dialect) -> None:
        self._conn = conn
        self._dialect = dialect

    def _list_values(self, name: str) -> str:
        """SQL: a subquery whose one column `value` holds the integers of the list
        parameter `name` (see `bot.storage.dialect.Dialect.list_values`)."""
        return self._dialect.list_values(name)

    def _bind(self, sql: str, params: Params | None) -> tuple[TextClause, dict[str, Any]]:
        """The statement and its parameters, list parameters bound as the SQL reads them."""
        values = dict(params or {})
        expanding = []
        for name, value in values.items():
            if isinstance(value, ListParam):
                if self._dialect.binds_whole(sql, name):
                    values[name] = self._dialect.whole_list(value)
                else:
                    values[name] = list(value)
                    expanding.append(name)
        return _statement(sql, frozenset(expanding)), values

    async def _execute(self, sql: str, params: Params | None) -> CursorResult[Any]:
        statement, values = self._bind(sql, params)
        return await self._conn.execute(statement, values)

    async def _one(self, sql: str, params: Params | None = None) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        row = (await self._execute(sql, params)).first()
        return tuple(row) if row is not None else None

    async def _all(self, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
        """Every row of a query (or of a write with RETURNING)."""
        return [tuple(row) for row in (await self._execute(sql, params)).all()]

    async def _batches(
        self, sql: str, params: Params | None = None, *, size: int
    ) -> AsyncGenerator[list[tuple[Any, ...]], None]:
        """The rows of a query, `size` at a time: never all of them in memory at once.
        Close it (`contextlib.aclosing`) when you may stop before the end."""
        statement, values = self._bind(sql, params)
        result = await self._conn.stream(statement, values)
        try:
            async for batch in result.partitions(size):
                yield [tuple(row) for row in batch]
        finally:
            await result.close()

    async def _scalar(self, sql: str, params: Params | None = None) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self._one(sql, params)
        return row[0] if row is not None else None

    async def _run(self, sql: str, params: Params | None = None) -> int:
        """Execute a write; returns the number of rows changed."""
        return (await self._execute(sql, params)).rowcount

    async def _changed(self, sql: str, params: Params | None = None) -> bool:
        """Execute a write; whether it changed any row."""
        return await self._run(sql, params) > 0

    async def _run_many(self, sql: str, rows: Iterable[Params]) -> None:
        """Execute one write once per parameter set."""
        batch = [dict(row) for row in rows]
        if batch:
            await self._conn.execute(_statement(sql, frozenset()), batch)

    async def _insert(self, table: str, values: Params) -> int:
        """Insert one row (column → value) and return its new `id`."""
        new_id = await self._scalar(insert_sql(table, list(values)) + " RETURNING id", values)
        if new_id is None:
            raise RuntimeError(f"INSERT INTO {table} returned no id")
        return int(new_id)
