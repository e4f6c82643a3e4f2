"""A seminar's changes after its announcement: a coordinator who oversees it changes its
time, place, seats or description, or cancels it; everyone registered or waiting for a
seat is told through the delivery queue, in the same transaction as the change and its
audit entry. Every change bumps the seminar's revision (the calendar entry's SEQUENCE).

Every check is made here, whatever the buttons said: the actor must be a coordinator who
manages the seminar (`coordinator_manages`), and it must be neither cancelled nor started.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.limits import SEMINAR_DESCRIPTION, SEMINAR_PLACE
from bot.domain.roles import Actor
from bot.domain.seminars import (
    MAX_CAPACITY,
    SeminarField,
    SeminarInputError,
    SeminarInputInvalid,
    parse_place,
)
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.delivery import Priority
from bot.services.errors import (
    SeminarChangeRefused,
    SeminarStarted,
    TextRefused,
    require_text,
)
from bot.services.seminars import (
    AnnouncementRenderer,
    audited_territory,
    fill_seats,
    overseen_seminar,
)
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, text_payload
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar


@dataclass(frozen=True, slots=True)
class SeminarChange:
    """What happened to a seminar, as those concerned are told: `field` changed (from
    `before` to the seminar's new value), or (`field` None) the seminar was cancelled."""

    seminar: Seminar  # as it is now
    field: SeminarField | None
    before: Seminar


#: The notice of a change to one person concerned, in their language: HTML text and an
#: inline keyboard as Bot API JSON (or None).
ChangeRenderer = Callable[[User, SeminarChange], tuple[str, Mapping[str, Any] | None]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A change made: the seminar as it is now and how many people were told."""

    seminar: Seminar
    told: int


class SeminarChanges:
    """Changes and cancellations of announced seminars. Its dependencies: the database,
    the clock, `notice` (the change as each person concerned is told), `promoted` (the
    notice that a seat is now theirs, to those a raised capacity takes off the waiting
    list) and `wake`, which tells the delivery worker that messages were queued."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        notice: ChangeRenderer,
        wake: Callable[[], None],
        *,
        promoted: AnnouncementRenderer,
    ) -> None:
        self._db = db
        self._clock = clock
        self._notice = notice
        self._promoted = promoted
        # Tells the delivery worker that notices were queued.
        self._wake = wake

    async def managed(self, actor: Actor, seminar_id: int) -> tuple[Seminar, int]:
        """The seminar the actor is about to change or cancel, and how many people are
        registered or waiting (who would be told). Raises NotAllowed (not a
        coordinator), SeminarNotFound (no such seminar, or outside their territory),
        SeminarCancelled, SeminarStarted."""
        async with self._db.read() as repos:
            seminar = await self._changeable(repos, actor, seminar_id)
            concerned = await repos.seminar_changes.concerned(seminar.id)
        return seminar, len(concerned)

    async def change(
        self, actor: Actor, seminar_id: int, field: SeminarField, value: int | str | None
    ) -> Outcome:
        """Set `field` (a start as Unix seconds, a place, a number of seats or None for no
        limit, a description) of a seminar the actor manages; tell everyone registered or
        waiting, bump the revision and audit it (details: the field, how many told), in
        one transaction. More seats (or no limit) go at once to the waiting list, first
        in line first, each promoted person told that the seat is theirs, in the same
        transaction. A value equal to the current one changes nothing and tells no one.

        Raises what `managed` raises, TextRefused (a place or description beyond its
        limit), SeminarChangeRefused: START_IN_PAST (the new start is not ahead),
        BAD_CAPACITY, BELOW_REGISTERED (fewer seats than people registered, with their
        number)."""
        now = self._clock.now()
        async with self._db.write() as repos:
            before = await self._changeable(repos, actor, seminar_id)
            await self._check(repos, before, field, value, now=now)
            if getattr(before, field.value) == value:
                return Outcome(before, 0)
            await repos.seminar_changes.change(seminar_id, field, value)
            outcome = await self._tell(repos, actor, before, field, now=now)
            promoted: list[int] = []
            if field is SeminarField.CAPACITY:
                promoted = await fill_seats(repos, outcome.seminar, self._promoted, now=now)
        if outcome.told or promoted:
            self._wake()
        return outcome

    async def cancel(self, actor: Actor, seminar_id: int) -> Outcome:
        """Cancel a seminar the actor manages: it stays for the record, marked cancelled;
        everyone registered or waiting is told, the revision bumped and the cancellation
        audited, in one transaction. Raises what `managed` raises (SeminarCancelled for a
        second tap)."""
        now = self._clock.now()
        async with self._db.write() as repos:
            before = await self._changeable(repos, actor, seminar_id)
            await repos.seminar_changes.cancel(seminar_id, now=now)
            outcome = await self._tell(repos, actor, before, None, now=now)
        if outcome.told:
            self._wake()
        return outcome

    async def _changeable(self, repos: Repositories, actor: Actor, seminar_id: int) -> Seminar:
        """`overseen_seminar` not started yet; SeminarStarted once it has."""
        seminar = await overseen_seminar(repos, actor, seminar_id)
        if seminar.starts_at <= self._clock.now():
            raise SeminarStarted
        return seminar

    @staticmethod
    async def _check(
        repos: Repositories,
        seminar: Seminar,
        field: SeminarField,
        value: int | str | None,
        *,
        now: int,
    ) -> None:
        """Refuse a value the field cannot take (the handler parsed it; this is the rule)."""
        if field is SeminarField.STARTS_AT:
            if not isinstance(value, int) or value <= now:
                raise SeminarChangeRefused(SeminarInputError.START_IN_PAST)
        elif field is SeminarField.CAPACITY:
            if value is None:
                return
            if not isinstance(value, int) or not 0 < value <= MAX_CAPACITY:
                raise SeminarChangeRefused(SeminarInputError.BAD_CAPACITY)
            registered = (await repos.seminars.registered_counts([seminar.id]))[seminar.id]
            if value < registered:
                raise SeminarChangeRefused(SeminarInputError.BELOW_REGISTERED, registered)
        else:
            limit = SEMINAR_PLACE if field is SeminarField.PLACE else SEMINAR_DESCRIPTION
            if not isinstance(value, str):
                raise TextRefused(limit)
            require_text(limit, value)
            if field is SeminarField.PLACE:
                try:
                    parse_place(value)
                except SeminarInputInvalid:
                    raise SeminarChangeRefused(SeminarInputError.BAD_LINK) from None

    async def _tell(
        self,
        repos: Repositories,
        actor: Actor,
        before: Seminar,
        field: SeminarField | None,
        *,
        now: int,
    ) -> Outcome:
        """Queue the notice of the change to everyone concerned and audit it; the caller
        wakes the delivery worker after the commit (a worker woken inside the open
        transaction would find nothing yet)."""
        seminar = await repos.seminars.get(before.id)
        assert seminar is not None
        change = SeminarChange(seminar, field, before)
        users = await repos.users.many(await repos.seminar_changes.concerned(seminar.id))
        messages = []
        for user in users:
            text, markup = self._notice(user, change)
            messages.append((user.id, text_payload(text, markup)))
        await repos.outbox.add_many(OutboxKind.TEXT, messages, priority=Priority.ALERT, now=now)
        subject = Subject(
            SubjectKind.SEMINAR, seminar.id, await audited_territory(repos, actor, seminar)
        )
        details: dict[AuditDetail, object] = {AuditDetail.RECIPIENTS: len(messages)}
        action = AuditAction.SEMINAR_CANCELLED
        if field is not None:
            action = AuditAction.SEMINAR_CHANGED
            details[AuditDetail.FIELD] = field.value
        await record(repos, actor, action, subject, now=now, details=details)
        return Outcome(seminar, len(messages))
