"""The audit log as coordinators read it: the latest privileged actions, a page at a time.

Every privileged action is recorded by the service that takes it, inside the unit of work
that takes it (`repos.audit.record`), so an action and its entry commit together. This
service only reads them back, within the reader's reach: a coordinator scoped to a
territory sees that territory's entries; unscoped coordinators and superadmins see all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.roles import Actor
from bot.services.errors import NotAllowed
from bot.storage.audit import AuditEntry
from bot.storage.database import Database
from bot.storage.records import Page, User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar

#: /audit shows this many entries a page.
ENTRIES_PER_PAGE = 10


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Page `number` (zero-based, within ``range(count)``) of the entries the reader may
    see, newest first; `total` entries in all. The records the entries name come along:
    the people who acted and the users, pages and seminars acted on, by id (an id whose
    record is gone is missing)."""

    entries: list[AuditEntry]
    number: int
    count: int
    total: int
    scope: int | None
    users: dict[int, User]
    pages: dict[int, Page]
    seminars: dict[int, Seminar]

    @property
    def first(self) -> int:
        """The zero-based position of the page's first entry among all of them."""
        return self.number * ENTRIES_PER_PAGE


async def record(
    repos: Repositories,
    actor: Actor | None,
    action: AuditAction,
    subject: Subject,
    *,
    now: int,
    details: Mapping[AuditDetail, object] | None = None,
) -> None:
    """Record that `actor` (None: the command line or the bot itself) took `action` on
    `subject` at `now` (Unix seconds), inside the
    caller's unit of work (`repos`), so the action and its entry commit together or not at
    all. `details`: JSON-serialisable values (a reason, a count)."""
    await repos.audit.record(
        now=now,
        actor_id=actor.user_id if actor is not None else None,
        action=action,
        details={key.value: value for key, value in (details or {}).items()},
        subject_kind=subject.kind,
        subject_id=subject.id,
        territory_id=subject.territory_id,
    )


class AuditService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def page(self, actor: Actor, number: int) -> AuditPage:
        """Page `number` (zero-based; any number is clamped into the pages there are, so a
        forged one shows the first or last page) of the entries within the actor's reach.
        Raises NotAllowed for anyone but a coordinator."""
        if not actor.is_coordinator:
            raise NotAllowed
        scope = actor.scope
        async with self._db.read() as repos:
            total = await repos.audit.count(territory_id=scope)
            count = max(1, -(-total // ENTRIES_PER_PAGE))
            number = min(max(number, 0), count - 1)
            entries = await repos.audit.latest(
                territory_id=scope, limit=ENTRIES_PER_PAGE, offset=number * ENTRIES_PER_PAGE
            )
            users, pages, seminars = await _named(repos, entries)
        return AuditPage(entries, number, count, total, scope, users, pages, seminars)


async def _named(
    repos: Repositories, entries: list[AuditEntry]
) -> tuple[dict[int, User], dict[int, Page], dict[int, Seminar]]:
    """The records `entries` name, by id: whoever acted, the users acted on, those who
    claimed a page and the holders of revoked certificates, the pages and the seminars
    acted on."""
    user_ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    user_ids |= {
        named_user
        for entry in entries
        for key in (AuditDetail.CLAIMANT, AuditDetail.HOLDER)
        if isinstance(named_user := entry.details.get(key), int)
    }
    named: dict[SubjectKind, set[int]] = {kind: set() for kind in SubjectKind}
    for entry in entries:
        if entry.subject_kind is not None and entry.subject_id is not None:
            named[entry.subject_kind].add(entry.subject_id)
    users = await repos.users.many(user_ids | named[SubjectKind.USER])
    pages = [await repos.pages.get(page_id) for page_id in named[SubjectKind.PAGE]]
    seminars = [await repos.seminars.get(s) for s in named[SubjectKind.SEMINAR]]
    return (
        {user.id: user for user in users},
        {page.id: page for page in pages if page is not None},
        {seminar.id: seminar for seminar in seminars if seminar is not None},
    )
