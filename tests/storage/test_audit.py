"""The audit log's storage: entries kept in order, scoped by territory, details as given."""

from __future__ import annotations

from bot.domain.audit import AuditAction, SubjectKind
from bot.storage.database import Database


async def test_entries_come_back_newest_first_and_scoped_by_territory(db: Database) -> None:
    async with db.write() as repos:
        await repos.audit.record(
            now=100,
            actor_id=None,
            action=AuditAction.IMPORT_APPLIED,
            subject_kind=SubjectKind.IMPORT,
            details={"pages": 3, "file": "реестр.csv"},
        )
        await repos.audit.record(
            now=200,
            actor_id=None,
            action=AuditAction.PAGE_APPROVED,
            subject_kind=SubjectKind.PAGE,
            subject_id=7,
            territory_id=2,
        )
    async with db.read() as repos:
        everything = await repos.audit.latest(limit=10)
        scoped = await repos.audit.latest(territory_id=2, limit=10)
        total, in_territory = await repos.audit.count(), await repos.audit.count(territory_id=2)
    assert [entry.action for entry in everything] == [
        AuditAction.PAGE_APPROVED,
        AuditAction.IMPORT_APPLIED,
    ]
    assert everything[1].details == {"pages": 3, "file": "реестр.csv"}
    assert everything[1].subject_kind is SubjectKind.IMPORT
    assert [(entry.subject_id, entry.territory_id) for entry in scoped] == [(7, 2)]
    assert (total, in_territory) == (2, 1)
