"""The outbox repository on a real database file: claiming, transitions, counts."""

from __future__ import annotations

from bot.services.delivery import Priority
from bot.storage.database import Database
from bot.storage.outbox import (
    UNREACHABLE,
    OutboxKind,
    OutboxStatus,
    copy_payload,
)
from tests.builders import outbox_row
from tests.clock import FakeClock


async def test_claim_is_ordered_one_per_chat_and_skips_unreachable(
    db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    async with db.write() as repos:
        await repos.users.ensure(9, now=now)
        await repos.users.set_reachable(9, False, now=now)
        burst = [await repos.outbox.add_text(1, f"b{i}", priority=5, now=now) for i in range(5)]
        later = await repos.outbox.add_text(2, "later", priority=0, now=now, not_before=now + 60)
        gone = await repos.outbox.add_text(9, "gone", priority=0, now=now)
        alert = await repos.outbox.add_text(3, "alert", priority=0, now=now)
        other = await repos.outbox.add_text(4, "other", priority=5, now=now)
        excluded = await repos.outbox.add_text(5, "busy", priority=0, now=now)

        claimed = await repos.outbox.claim_due(now, 10, exclude_chats={5})

    assert [m.id for m in claimed] == [alert, burst[0], other]
    assert all(m.status is OutboxStatus.SENDING and m.attempts == 1 for m in claimed)
    assert (await outbox_row(db, gone)).status is OutboxStatus.BLOCKED
    assert (await outbox_row(db, gone)).error == UNREACHABLE
    for pending in (*burst[1:], later, excluded):
        assert (await outbox_row(db, pending)).status is OutboxStatus.PENDING
    async with db.read() as repos:
        assert await repos.outbox.next_due_at() == now


async def test_transitions_bulk_insert_and_broadcast_counts(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    async with db.write() as repos:
        await repos.users.ensure(1, now=now)
        # The broadcast row belongs to the broadcasts feature; a bare insert does here.
        await repos.outbox._run(
            "INSERT INTO broadcasts (id, author_id, source_chat_id, source_message_id, segment,"
            " status, recipients, created_at) VALUES (7, 1, 1, 1, '{}', 'sending', 4, :now)",
            {"now": now},
        )
        payload = copy_payload(1, 1)
        added = await repos.outbox.add_many(
            OutboxKind.COPY,
            ((chat_id, payload) for chat_id in (11, 12, 13, 14)),
            priority=Priority.BROADCAST,
            now=now,
            broadcast_id=7,
        )
        assert added == 4
        claimed = await repos.outbox.claim_due(now, 3)
        a, b, c = (m.id for m in claimed)
        assert claimed[0].payload == {"from_chat_id": 1, "message_id": 1}
        assert await repos.outbox.mark_sent(a, now=now)
        assert await repos.outbox.mark_failed(b, "Bad Request: boom")
        assert await repos.outbox.mark_retry(c, now + 5, "net", count_attempt=False)
        assert not await repos.outbox.mark_sent(c, now=now)  # pending now: not 'sending'
        assert await repos.outbox.cancel_broadcast_rows(7) == 2
        result = await repos.outbox.counts_for_broadcast(7)

    assert result[OutboxStatus.SENT] == 1
    assert result[OutboxStatus.FAILED] == 1
    assert result[OutboxStatus.CANCELLED] == 2
    assert result[OutboxStatus.PENDING] == 0
    assert (await outbox_row(db, c)).attempts == 0
    assert (await outbox_row(db, a)).sent_at == now


async def test_a_deposed_worker_releases_only_the_rows_it_still_holds(
    db: Database, clock: FakeClock
) -> None:
    """The old leader stops after the new one put its rows back and claimed them again:
    they stay with the new one (else they would be sent twice)."""
    now = clock.now()
    async with db.write() as repos:
        mine = await repos.outbox.add_text(1, "mine", priority=0, now=now)
        taken = await repos.outbox.add_text(2, "taken over", priority=0, now=now)
        await repos.outbox.claim_due(now, 10, claimed_by="old:1")
        await repos.outbox.release_in_flight()  # the new leader's start
        await repos.outbox.claim_due(now, 10, exclude_chats={1}, claimed_by="new:2")
        assert await repos.outbox.release([mine, taken], claimed_by="old:1") == 0
        assert await repos.outbox.release([taken], claimed_by="new:2") == 1
    assert (await outbox_row(db, taken)).status is OutboxStatus.PENDING
    assert (await outbox_row(db, mine)).status is OutboxStatus.PENDING
