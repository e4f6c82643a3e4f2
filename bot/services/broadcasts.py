"""Coordinators' broadcasts: a segment, a message copied to each recipient, progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.domain.albums import MAX_ALBUM_ITEMS
from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.roles import Actor, oversees_audience
from bot.domain.segments import Segment
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.delivery import Priority
from bot.services.errors import BroadcastNotFound, NotAllowed, SeminarNotFound
from bot.storage.broadcasts import Broadcast, BroadcastStatus
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, OutboxStatus, album_payload, copy_payload
from bot.storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast: Broadcast
    sent: int
    failed: int
    blocked: int
    cancelled: int
    left: int  # pending or being sent

    @property
    def finished(self) -> bool:
        return self.left == 0


class BroadcastService:
    def __init__(self, db: Database, clock: Clock, wake: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        # Tells the delivery worker that rows were committed, so it need not wait for its poll.
        self._wake = wake

    @staticmethod
    def _require_coordinator(actor: Actor) -> None:
        if not actor.is_coordinator:
            raise NotAllowed

    @staticmethod
    async def _require_seminar(repos: Repositories, actor: Actor, segment: Segment) -> None:
        """A segment narrowed to a seminar's people reaches them only for a coordinator
        who oversees that seminar; raises SeminarNotFound otherwise."""
        if segment.seminar_id is None:
            return
        seminar = await repos.seminars.get(segment.seminar_id)
        if seminar is None or not oversees_audience(actor, seminar.segment):
            raise SeminarNotFound

    async def count(self, actor: Actor, segment: Segment) -> int:
        """How many administrators the actor's broadcast to `segment` would reach."""
        self._require_coordinator(actor)
        async with self._db.read() as repos:
            await self._require_seminar(repos, actor, segment)
            return await repos.audience.count(segment.within(actor.scope), now=self._clock.now())

    async def start(
        self,
        actor: Actor,
        segment: Segment,
        *,
        source_chat_id: int,
        source_message_id: int,
        album: Sequence[int] = (),
    ) -> Broadcast:
        """Queue the message for every recipient and audit the start, in one transaction.

        `album`: the message ids of an album's items (its first is `source_message_id`),
        copied together so that each recipient gets one album; empty for one message.
        Raises NotAllowed for anyone but a coordinator, SeminarNotFound for a segment of
        a seminar the coordinator does not oversee, ValueError for an album of more than
        `MAX_ALBUM_ITEMS` items or ids not in increasing order.
        """
        self._require_coordinator(actor)
        if len(album) > MAX_ALBUM_ITEMS:
            raise ValueError(f"an album holds at most {MAX_ALBUM_ITEMS} items")
        kind, payload = (
            (OutboxKind.ALBUM, album_payload(source_chat_id, album))
            if album
            else (OutboxKind.COPY, copy_payload(source_chat_id, source_message_id))
        )
        effective = segment.within(actor.scope)
        now = self._clock.now()
        async with self._db.write() as repos:
            await self._require_seminar(repos, actor, effective)
            recipients = await repos.audience.recipients(effective, now=now)
            broadcast_id = await repos.broadcasts.create(
                author_id=actor.user_id,
                source_chat_id=source_chat_id,
                source_message_id=source_message_id,
                segment=effective.to_json(),
                territory_scope=actor.scope,
                recipients=len(recipients),
                now=now,
                items=max(len(album), 1),
            )
            await repos.outbox.add_many(
                kind,
                ((chat_id, payload) for chat_id in recipients),
                priority=Priority.BROADCAST,
                now=now,
                broadcast_id=broadcast_id,
            )
            if not recipients:
                await repos.broadcasts.finish(broadcast_id, status=BroadcastStatus.DONE, now=now)
            subject = Subject(SubjectKind.BROADCAST, broadcast_id, actor.scope)
            started = {AuditDetail.RECIPIENTS: len(recipients)}
            await record(
                repos, actor, AuditAction.BROADCAST_STARTED, subject, now=now, details=started
            )
            broadcast = await repos.broadcasts.get(broadcast_id)
        assert broadcast is not None
        self._wake()
        return broadcast

    async def attach_progress(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.write() as repos:
            await repos.broadcasts.set_progress_message(broadcast_id, chat_id, message_id)

    async def _own(self, actor: Actor, broadcast_id: int) -> Broadcast:
        self._require_coordinator(actor)
        async with self._db.read() as repos:
            broadcast = await repos.broadcasts.get(broadcast_id)
        if broadcast is None:
            raise BroadcastNotFound
        # The author, or a coordinator whose reach covers the broadcast's.
        if broadcast.author_id != actor.user_id and actor.scope not in (
            None,
            broadcast.territory_scope,
        ):
            raise NotAllowed
        return broadcast

    async def cancel(self, actor: Actor, broadcast_id: int) -> Progress:
        """Stop what is not sent yet; messages being sent at this moment still go. A stop
        that cancelled something is audited in the same transaction, under the territory
        the broadcast was scoped to (so a second tap adds no entry). Raises NotAllowed,
        BroadcastNotFound."""
        broadcast = await self._own(actor, broadcast_id)
        async with self._db.write() as repos:
            cancelled = await repos.outbox.cancel_broadcast_rows(broadcast.id)
            if cancelled:
                subject = Subject(SubjectKind.BROADCAST, broadcast.id, broadcast.territory_scope)
                stopped = {AuditDetail.CANCELLED: cancelled}
                action, now = AuditAction.BROADCAST_STOPPED, self._clock.now()
                await record(repos, actor, action, subject, now=now, details=stopped)
        return await self.progress(broadcast.id)

    async def progress(self, broadcast_id: int) -> Progress:
        """Counts so far; a broadcast with nothing left is marked done (or cancelled)."""
        async with self._db.read() as repos:
            broadcast = await repos.broadcasts.get(broadcast_id)
            counts = await repos.outbox.counts_for_broadcast(broadcast_id)
        assert broadcast is not None
        progress = Progress(
            broadcast=broadcast,
            sent=counts[OutboxStatus.SENT],
            failed=counts[OutboxStatus.FAILED],
            blocked=counts[OutboxStatus.BLOCKED],
            cancelled=counts[OutboxStatus.CANCELLED],
            left=counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING],
        )
        if progress.finished and broadcast.status is BroadcastStatus.SENDING:
            status = BroadcastStatus.CANCELLED if progress.cancelled else BroadcastStatus.DONE
            async with self._db.write() as repos:
                await repos.broadcasts.finish(broadcast_id, status=status, now=self._clock.now())
                updated = await repos.broadcasts.get(broadcast_id)
            assert updated is not None
            progress = Progress(
                updated, progress.sent, progress.failed, progress.blocked, progress.cancelled, 0
            )
        return progress

    async def sending(self) -> list[Broadcast]:
        async with self._db.read() as repos:
            return await repos.broadcasts.sending()

    async def recent(self, actor: Actor, *, limit: int | None = None) -> list[Progress]:
        """The actor's reach's broadcasts, newest first, with their progress; at most
        `limit` (None: all). Raises NotAllowed for anyone but a coordinator."""
        self._require_coordinator(actor)
        async with self._db.read() as repos:
            broadcasts = await repos.broadcasts.recent(territory_scope=actor.scope, limit=limit)
        return [await self.progress(broadcast.id) for broadcast in broadcasts]
