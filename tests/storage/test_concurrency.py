"""Several processes writing one PostgreSQL database at once: the single-writer rule
(an advisory transaction lock per unit of work) keeps milestones, seats and claims exact.

Each "process" is a `Database` of its own on the same database: its own connections and
its own in-process lock, as two replicas have.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import PACKAGE_DIR
from bot.domain.milestones import Ladder, Ladders
from bot.domain.roles import Actor, Role
from bot.services.milestones import MilestoneService
from bot.services.reports import ReportService
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, text_payload
from bot.storage.seed import seed_territories
from tests.builders import add_page, open_database
from tests.clock import FakeClock

pytestmark = pytest.mark.postgres

REPLICAS = 2


@pytest.fixture
async def replicas(postgres_url: str) -> AsyncIterator[list[Database]]:
    """REPLICAS databases on one fresh PostgreSQL database, with territory 1."""
    async with open_database(postgres_url) as first, open_database(postgres_url) as second:
        await seed_territories(first, PACKAGE_DIR / "data" / "territories_penza.csv")
        yield [first, second]


def milestones() -> MilestoneService:
    """Alerts at every 1,000 subscriptions of a territory (pages: at 1,000,000 only)."""
    return MilestoneService(
        Ladders(
            page=Ladder.every(1_000_000),
            territory=Ladder.every(1_000),
            region=Ladder.every(1_000_000, goal=10_000_000),
        ),
        goal=10_000_000,
        superadmins={1},
        text=lambda _user, milestone, _recipient: f"{milestone.scope} {milestone.threshold}",
    )


async def test_racing_reports_across_a_milestone_alert_once(replicas: list[Database]) -> None:
    """Twenty pages of 40 each (800 in the territory) all report 50 at once from two
    processes: the territory passes 1,000 once, so its coordinator hears it once."""
    clock = FakeClock()
    db = replicas[0]
    async with db.write() as repos:
        await repos.users.ensure(1, now=clock.now())
        pages = [
            await add_page(repos, f"vk.com/club{n}", created_by=1, figure=40) for n in range(20)
        ]
    services = [ReportService(replica, clock, milestones=milestones()) for replica in replicas]
    actor = Actor(1, Role.SUPERADMIN)
    await asyncio.gather(
        *(
            services[n % REPLICAS].submit(actor, page, 50, update_id=None)
            for n, page in enumerate(pages)
        )
    )
    async with db.read() as repos:
        alerts = await repos.outbox.status_counts()
        total = await repos.milestones.figures(1)
    assert total.territory == 20 * 50
    assert sum(alerts.values()) == 1


async def test_two_claimers_never_take_the_same_row(replicas: list[Database]) -> None:
    clock = FakeClock()
    async with replicas[0].write() as repos:
        await repos.outbox.add_many(
            OutboxKind.TEXT,
            ((chat_id, text_payload("hello")) for chat_id in range(1_000, 1_300)),
            priority=1,
            now=clock.now(),
        )

    async def claim(db: Database, name: str) -> list[tuple[int, str | None]]:
        taken: list[tuple[int, str | None]] = []
        while True:
            async with db.write() as repos:
                rows = await repos.outbox.claim_due(clock.now(), 7, claimed_by=name)
            if not rows:
                return taken
            taken += [(row.id, name) for row in rows]

    results = await asyncio.gather(
        *(claim(replicas[n % REPLICAS], f"replica-{n}") for n in range(6))
    )
    claimed = [row_id for taken in results for row_id, _ in taken]
    assert len(claimed) == 300
    assert len(set(claimed)) == 300
    async with replicas[1].read() as repos:
        for taken in results:
            for row_id, name in taken[:3]:
                row = await repos.outbox.get(row_id)
                assert row is not None
                assert row.claimed_by == name


async def test_a_leader_whose_check_fails_frees_the_lock_for_another(
    replicas: list[Database], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A heartbeat that fails for any reason ends the lock's session: it is not handed
    back to the pool still holding the lock, which would keep everyone from leading."""
    first, second = (db.leader_lock() for db in replicas)
    assert await first.try_acquire()
    assert not await second.try_acquire()

    async def fails(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the heartbeat's statement failed")

    with monkeypatch.context() as patch:
        patch.setattr(AsyncConnection, "exec_driver_sql", fails)
        assert not await first.held()
    assert await second.try_acquire()
    await second.release()
