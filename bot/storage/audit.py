"""The audit log: one row per privileged action (see `bot.domain.audit`)."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.audit import AuditAction, SubjectKind
from bot.storage.base import Repository


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action; `at` in Unix seconds, `details` as recorded."""

    id: int
    at: int
    actor_id: int | None
    action: AuditAction
    subject_kind: SubjectKind | None
    subject_id: int | None
    territory_id: int | None
    details: dict[str, object]


_COLUMNS = "id, at, actor_id, action, subject_kind, subject_id, territory_id, details"


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    entry_id, at, actor_id, action, kind, subject_id, territory_id, details = row
    return AuditEntry(
        id=entry_id,
        at=at,
        actor_id=actor_id,
        action=AuditAction(action),
        subject_kind=SubjectKind(kind) if kind is not None else None,
        subject_id=subject_id,
        territory_id=territory_id,
        details=json.loads(details),
    )


class AuditRepository(Repository):
    async def record(
        self,
        *,
        now: int,
        actor_id: int | None,
        action: AuditAction,
        subject_kind: SubjectKind | None = None,
        subject_id: int | None = None,
        territory_id: int | None = None,
        details: Mapping[str, object] | None = None,
    ) -> int:
        """Record one action inside the caller's unit of work; returns the entry's id.

        `now` in Unix seconds; `actor_id` None for the command line or the bot itself;
        `details` must be JSON-serialisable (a reason, a count), never a whole record.
        """
        return await self._insert(
            "audit_log",
            {
                "at": now,
                "actor_id": actor_id,
                "action": action.value,
                "subject_kind": subject_kind.value if subject_kind else None,
                "subject_id": subject_id,
                "territory_id": territory_id,
                "details": json.dumps(dict(details or {}), ensure_ascii=False, sort_keys=True),
            },
        )

    async def latest(
        self, *, territory_id: int | None = None, limit: int, offset: int = 0
    ) -> list[AuditEntry]:
        """The newest entries first; only `territory_id`'s when given (a scoped coordinator)."""
        where = "WHERE territory_id = :territory_id" if territory_id is not None else ""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM audit_log {where}"
            " ORDER BY at DESC, id DESC LIMIT :limit OFFSET :offset",
            {"territory_id": territory_id, "limit": limit, "offset": offset},
        )
        return [_entry(row) for row in rows]

    async def stream(
        self, *, territory_id: int | None = None, size: int
    ) -> AsyncGenerator[list[tuple[AuditEntry, str | None]], None]:
        """Every entry, oldest first, with its actor's username (None: no actor, or none
        known), `size` at a time: the audit log is never all in memory. Only
        `territory_id`'s entries when given (a scoped coordinator)."""
        where = "WHERE territory_id = :territory_id" if territory_id is not None else ""
        async for batch in self._batches(
            f"SELECT {_COLUMNS}, (SELECT username FROM users WHERE users.id = actor_id)"
            f" FROM audit_log {where} ORDER BY at, id",
            {"territory_id": territory_id},
            size=size,
        ):
            yield [(_entry(row[:-1]), row[-1]) for row in batch]

    async def count(self, *, territory_id: int | None = None) -> int:
        """How many entries there are (in `territory_id` when given)."""
        where = "WHERE territory_id = :territory_id" if territory_id is not None else ""
        return int(
            await self._scalar(
                f"SELECT count(*) FROM audit_log {where}", {"territory_id": territory_id}
            )
        )
