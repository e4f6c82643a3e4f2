"""Collection runs over a made-up platform: batches, a crash and the resume, one run at a
time, observations beside reports, the cross-check's flags and one community's pages."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

import pytest

from bot.domain.catalog import Level, Theme
from bot.domain.crosscheck import CrossCheck, FlagKind
from bot.domain.links import Platform
from bot.domain.observations import Collector, Count, Failure, Target, Uncollectable
from bot.domain.roles import Actor, Role
from bot.services.collect import STALE_SECONDS, CollectService
from bot.services.errors import CollectBusy, NotAllowed, SameCommunity
from bot.services.registry import PageDraft, RegistryService, Resolver
from bot.services.reports import ReportService
from bot.storage.database import Database
from bot.storage.observations import FlaggedPage
from bot.storage.records import Page, User
from tests.builders import KUZNETSK, PENZA, add_page, add_user
from tests.clock import FakeClock
from tests.fakes.collector import Crash, FakeCollector
from tests.users import ADMIN, SUPER

REGION = Actor(SUPER.id, Role.SUPERADMIN)
#: 14:13:20 UTC on START's day: an hour later is the same day, in UTC.
CHECK = CrossCheck(discrepancy=0.05, jump=0.2, tz=dt.UTC)
HOUR = 3600
DAY = 24 * HOUR


def collecting(
    db: Database, clock: FakeClock, collector: Collector, holder: str = "first", **kwargs: object
) -> CollectService:
    return CollectService(
        db,
        clock,
        {collector.platform: collector},
        cron="0 4 * * *",
        check=CHECK,
        holder=holder,
        **kwargs,  # type: ignore[arg-type]
    )


async def seed(db: Database, count: int, *, territory_id: int = PENZA, first: int = 1) -> list[int]:
    """`count` approved VK pages of ADMIN, https://vk.com/p<n>, figures 100·n reported
    (ADMIN and SUPER stored as users)."""
    async with db.write() as repos:
        for user in (ADMIN, SUPER):
            if await repos.users.get(user.id) is None:
                await add_user(repos, user)
        return [
            await add_page(
                repos,
                f"vk.com/p{n}",
                created_by=ADMIN.id,
                territory_id=territory_id,
                figure=100 * n,
            )
            for n in range(first, first + count)
        ]


def figures(*numbers: int, factor: int = 110) -> dict[str, int]:
    return {f"https://vk.com/p{n}": factor * n for n in numbers}


async def page(db: Database, page_id: int) -> Page:
    async with db.read() as repos:
        found = await repos.pages.get(page_id)
    assert found is not None
    return found


async def observations(db: Database) -> list[tuple[int, int]]:
    async with db.read() as repos:
        rows = await repos.observations._all(
            "SELECT page_id, figure FROM observations ORDER BY page_id, id"
        )
    return [(int(page_id), int(figure)) for page_id, figure in rows]


async def region_total(db: Database) -> int:
    async with db.read() as repos:
        return sum(segment.subscribers for segment in await repos.totals.segments())


async def test_a_run_stopped_by_a_crash_resumes_with_the_first_page_not_stored(
    db: Database, clock: FakeClock
) -> None:
    ids = await seed(db, 5)
    crashing = FakeCollector(figures=figures(1, 2, 3, 4, 5), crash_on=2)
    with pytest.raises(Crash):
        await collecting(db, clock, crashing).collect(REGION)
    assert crashing.asked == [ids[:2], ids[2:4]]
    assert await observations(db) == [(ids[0], 110), (ids[1], 220)]

    # Another process, while the crashed one might still be alive: not twice at once.
    clock.advance(60)
    second = FakeCollector(figures=figures(1, 2, 3, 4, 5))
    with pytest.raises(CollectBusy):
        await collecting(db, clock, second, holder="second").collect(REGION)
    assert second.asked == []

    clock.advance(STALE_SECONDS)
    summary = await collecting(db, clock, second, holder="second").collect(REGION)
    assert second.asked == [ids[2:4], ids[4:]]  # the stored batch is not asked again
    assert summary.resumed
    assert summary.collected == 5
    assert summary.skipped == [Platform.OK, Platform.TELEGRAM, Platform.MAX]
    assert await observations(db) == [(page_id, 110 * n) for n, page_id in enumerate(ids, 1)]
    assert await region_total(db) == 110 * 15

    # The run is over: the next one starts afresh.
    third = FakeCollector(figures=figures(1, 2, 3, 4, 5))
    assert not (await collecting(db, clock, third).collect(REGION)).resumed
    assert third.asked == [ids[:2], ids[2:4], ids[4:]]


async def test_a_second_run_in_the_same_process_is_refused_while_one_goes_on(
    db: Database, clock: FakeClock
) -> None:
    ids = await seed(db, 2)
    collector = FakeCollector(figures=figures(1, 2))
    service = collecting(db, clock, collector)
    first_batch = asyncio.Event()
    go_on = asyncio.Event()
    read = collector.collect

    async def slow(targets: Sequence[Target]) -> list[Count | Failure]:
        first_batch.set()
        await go_on.wait()
        return await read(targets)

    collector.collect = slow  # type: ignore[method-assign]
    running = asyncio.create_task(service.collect(REGION))
    await first_batch.wait()
    assert await service.run_due() is None  # the nightly job meets the coordinator's run
    with pytest.raises(CollectBusy):
        await service.collect(REGION)
    go_on.set()
    assert (await running).collected == 2
    assert collector.asked == [ids]


async def test_the_current_figure_is_the_most_recent_of_report_and_observation(
    db: Database, clock: FakeClock
) -> None:
    [first, _] = await seed(db, 2)
    reports = ReportService(db, clock, check=CHECK)
    await collecting(db, clock, FakeCollector(figures=figures(1, 2))).collect(REGION)
    assert (await page(db, first)).current_figure == 110
    assert await region_total(db) == 110 + 220

    clock.advance(HOUR)
    outcome = await reports.submit(Actor(ADMIN.id, Role.USER), first, 108, update_id=1)
    assert outcome.observed is None  # within 5 % of the platform's 110
    stored = await page(db, first)
    assert (stored.current_figure, stored.reported_figure, stored.observed_figure) == (
        108,
        108,
        110,
    )
    assert await region_total(db) == 108 + 220
    async with db.read() as repos:
        assert [r.figure for r in await repos.reports.history(first, limit=None)] == [108]


async def test_failures_mark_the_page_with_the_reason_and_count_in_the_summary(
    db: Database, clock: FakeClock
) -> None:
    ids = await seed(db, 3)
    collector = FakeCollector(
        figures=figures(1), failures={"https://vk.com/p2": Uncollectable.GONE}
    )
    summary = await collecting(db, clock, collector).collect(REGION)
    assert summary.collected == 1
    assert summary.failed == {Uncollectable.GONE: 1, Uncollectable.UNKNOWN: 1}
    gone = await page(db, ids[1])
    assert (gone.collect_status, gone.collect_detail) == ("gone", "gone away")
    assert gone.current_figure == 200  # the report stays the figure
    # The page the platform gave no answer for is marked as unknown to it, as counted.
    unanswered = await page(db, ids[2])
    assert (unanswered.collect_status, unanswered.collect_detail) == ("unknown", "")
    review = await collecting(db, clock, collector).review(REGION)
    assert [p.id for p in review.uncollectable] == [ids[1], ids[2]]


async def test_a_platform_that_cannot_be_asked_is_reported_and_the_run_ends(
    db: Database, clock: FakeClock
) -> None:
    await seed(db, 3)
    collector = FakeCollector(unavailable=True)
    summary = await collecting(db, clock, collector).collect(REGION)
    assert summary.unavailable == [Platform.VK]
    assert summary.collected == 0
    assert len(collector.asked) == 1
    async with db.read() as repos:
        assert await repos.observations.open_run() is None


async def test_a_scoped_run_collects_its_territory_only_and_others_may_not_run(
    db: Database, clock: FakeClock
) -> None:
    penza = await seed(db, 2, territory_id=PENZA)
    kuznetsk = await seed(db, 2, territory_id=KUZNETSK, first=3)
    collector = FakeCollector(figures=figures(1, 2, 3, 4))
    service = collecting(db, clock, collector)
    summary = await service.collect(Actor(SUPER.id, Role.COORDINATOR, PENZA))
    assert collector.asked == [penza]
    assert summary.collected == 2
    assert (await page(db, kuznetsk[0])).observed_figure is None
    with pytest.raises(NotAllowed):
        await service.collect(Actor(ADMIN.id, Role.USER))


async def observed_an_hour_ago(db: Database, clock: FakeClock) -> tuple[int, ReportService]:
    """One page (ADMIN's, reported 100) the platform showed at 1000 an hour ago, and
    the report service to report it with."""
    [first] = await seed(db, 1)
    await collecting(db, clock, FakeCollector(figures={"https://vk.com/p1": 1000})).collect(REGION)
    clock.advance(HOUR)
    return first, ReportService(db, clock, check=CHECK)


async def test_a_report_far_from_the_days_observation_is_flagged_and_cleared_by_a_closer_one(
    db: Database, clock: FakeClock
) -> None:
    first, reports = await observed_an_hour_ago(db, clock)
    admin = Actor(ADMIN.id, Role.USER)
    outcome = await reports.submit(admin, first, 1100, update_id=1)
    assert outcome.observed == 1000
    review = await collecting(db, clock, FakeCollector()).review(REGION)
    [flagged] = review.flagged
    assert (flagged.flag.kind, flagged.flag.reported, flagged.flag.observed) == (
        FlagKind.DISCREPANCY,
        1100,
        1000,
    )
    assert review.flagged_count == 1

    assert (await reports.submit(admin, first, 1040, update_id=2)).observed is None
    assert (await collecting(db, clock, FakeCollector()).review(REGION)).flagged == []

    # A report of another day is not compared with yesterday's observation.
    clock.advance(DAY)
    assert (await reports.submit(admin, first, 5000, update_id=3)).observed is None


async def test_a_collection_after_a_far_report_tells_the_administrators(
    db: Database, clock: FakeClock
) -> None:
    await seed(db, 1)  # reported 100 at START
    told: list[tuple[int, int, int]] = []

    def notice(user: User, about: Page, reported: int, observed: int) -> str:
        assert about.url == "https://vk.com/p1"
        told.append((user.id, reported, observed))
        return f"{reported} vs {observed}"

    clock.advance(HOUR)
    collector = FakeCollector(figures={"https://vk.com/p1": 150})
    await collecting(db, clock, collector, notice=notice).collect(REGION)
    assert told == [(ADMIN.id, 100, 150)]
    review = await collecting(db, clock, collector).review(REGION)
    assert [item.flag.kind for item in review.flagged] == [FlagKind.DISCREPANCY]
    async with db.read() as repos:
        counts = await repos.outbox.status_counts()
    assert sum(counts.values()) == 1


async def test_a_jump_of_more_than_the_threshold_in_a_day_is_flagged(
    db: Database, clock: FakeClock
) -> None:
    [steady, bought] = await seed(db, 2)
    service = collecting(db, clock, FakeCollector(figures={
        "https://vk.com/p1": 1000, "https://vk.com/p2": 1000,
    }))  # fmt: skip
    await service.collect(REGION)
    clock.advance(DAY)
    service = collecting(db, clock, FakeCollector(figures={
        "https://vk.com/p1": 1190, "https://vk.com/p2": 1250,
    }))  # fmt: skip
    await service.collect(REGION)
    [flagged] = await jumps(service)
    assert flagged.page.id == bought
    assert (flagged.flag.kind, flagged.flag.reported, flagged.flag.observed) == (
        FlagKind.JUMP,
        1000,
        1250,
    )
    assert (await page(db, steady)).observed_figure == 1190

    # Two observations over a week apart are not "a day" (and last week's flag is old).
    clock.advance(8 * DAY)
    service = collecting(db, clock, FakeCollector(figures={"https://vk.com/p1": 2000}))
    await service.collect(REGION)
    assert await jumps(service) == []


async def jumps(service: CollectService) -> list[FlaggedPage]:
    """The pages flagged for a jump (the seeded reports differ from the platform's)."""
    flagged = (await service.review(REGION)).flagged
    return [item for item in flagged if item.flag.kind is FlagKind.JUMP]


async def test_one_community_under_two_links_is_listed_once_its_id_is_learnt(
    db: Database, clock: FakeClock
) -> None:
    [by_id, by_name, other] = await seed(db, 3)
    collector = FakeCollector(
        figures=figures(1, 2, 3),
        ids={"https://vk.com/p1": "123", "https://vk.com/p2": "123", "https://vk.com/p3": "9"},
    )
    service = collecting(db, clock, collector)
    await service.collect(REGION)
    assert [[p.id for p in group] for group in (await service.review(REGION)).duplicates] == [
        [by_id, by_name]
    ]
    assert (await page(db, other)).platform_id == "9"
    scoped = await service.review(Actor(450, Role.COORDINATOR, KUZNETSK))
    assert scoped.duplicates == []


def resolving(db: Database, clock: FakeClock, resolve: Resolver) -> RegistryService:
    """The registry with `resolve` naming VK communities' ids."""
    return RegistryService(
        db,
        clock,
        invite_ttl_days=7,
        hand_over_notice=lambda *_: "",
        claim_notice=lambda *_: "",
        resolvers={Platform.VK: resolve},
    )


async def test_the_link_step_refuses_a_community_registered_under_another_link(
    db: Database, clock: FakeClock
) -> None:
    [first] = await seed(db, 1)
    async with db.write() as repos:
        await repos.observations.observe(
            Count(first, 100, "123"), source="vk", run_id=None, now=clock.now()
        )
    resolver = FakeCollector(ids={"https://vk.com/zarya": "123"})
    asked: list[str] = []

    async def resolve(url: str) -> str | None:
        asked.append(url)
        return await resolver.resolve(url)

    registry = resolving(db, clock, resolve)
    with pytest.raises(SameCommunity) as refused:
        await registry.check_link("vk.com/zarya")
    assert refused.value.existing_title == "vk.com/p1"
    assert (await registry.check_link("vk.com/club555")).key == "vk.com/club555"

    # The id the link step resolves is carried in the draft and kept with the
    # registration (the platform is not asked again), so a second registration of the
    # community is refused even while the first one waits for approval.
    resolver.ids["https://vk.com/club777"] = "777"
    resolver.ids["https://vk.com/other_name"] = "777"
    checked = await registry.check_link("vk.com/club777")
    assert checked.platform_id == "777"
    asked.clear()
    draft = PageDraft(
        checked.url, checked.key, Platform.VK, "Новая", PENZA, Level.MUNICIPAL, Theme.CULTURE,
        platform_id=checked.platform_id,
    )  # fmt: skip
    registered = await registry.register(Actor(ADMIN.id, Role.USER), draft)
    assert registered.platform_id == "777"
    assert asked == []
    with pytest.raises(SameCommunity):
        await registry.check_link("vk.com/other_name")

    # A resolver that fails or hangs leaves the link step to the link alone.
    async def broken(url: str) -> str | None:
        raise TimeoutError(url)

    registry = resolving(db, clock, broken)
    assert (await registry.check_link("vk.com/other_name")).key == "vk.com/other_name"


async def test_the_nightly_run_is_due_once_per_cron_run_and_resumes_a_crashed_one(
    db: Database, clock: FakeClock
) -> None:
    ids = await seed(db, 3)
    collector = FakeCollector(figures=figures(1, 2, 3))
    service = collecting(db, clock, collector)
    # Never ran: due at once (a first start, or after downtime).
    assert (await service.run_due()) is not None
    assert await service.run_due() is None  # 04:00 has not come round since
    clock.advance(DAY)
    assert (summary := await service.run_due()) is not None
    assert summary.collected == 3

    crashing = FakeCollector(figures=figures(1, 2, 3), crash_on=1)
    clock.advance(DAY)
    with pytest.raises(Crash):
        await collecting(db, clock, crashing, holder="crashed").run_due()
    clock.advance(STALE_SECONDS)
    resumed = await service.run_due()
    assert resumed is not None
    assert resumed.resumed
    assert collector.asked[-2:] == [ids[:2], ids[2:]]


async def test_without_collectors_nothing_runs(db: Database, clock: FakeClock) -> None:
    await seed(db, 1)
    service = CollectService(db, clock, {}, cron="0 4 * * *")
    assert await service.run_due() is None
    summary = await service.collect(REGION)
    assert summary.collected == 0
    assert summary.skipped == [Platform.VK, Platform.OK, Platform.TELEGRAM, Platform.MAX]


async def test_the_verified_part_is_the_platforms_figure_even_under_a_newer_report(
    db: Database, clock: FakeClock
) -> None:
    [first, second] = await seed(db, 2)
    await collecting(db, clock, FakeCollector(figures=figures(1, 2))).collect(REGION)
    clock.advance(HOUR)
    reports = ReportService(db, clock, check=CHECK)
    admin = Actor(ADMIN.id, Role.USER)
    assert (await reports.submit(admin, first, 5000, update_id=1)).observed == 110  # flagged
    assert (await reports.submit(admin, second, 200, update_id=2)).observed == 220  # below
    assert await region_total(db) == 5000 + 200
    async with db.read() as repos:
        verified = await repos.observations.verified(since=clock.now() - DAY)
    # The platform backs 110 of the first page's 5000, and all of the second's 200.
    assert verified == {PENZA: 110 + 200}


async def test_a_report_of_another_day_leaves_the_discrepancy_flag_open(
    db: Database, clock: FakeClock
) -> None:
    first, reports = await observed_an_hour_ago(db, clock)
    admin = Actor(ADMIN.id, Role.USER)
    assert (await reports.submit(admin, first, 1500, update_id=1)).observed == 1000
    clock.advance(DAY)  # nothing observed today: nothing agrees with the flagged report
    assert (await reports.submit(admin, first, 1010, update_id=2)).observed is None
    review = await collecting(db, clock, FakeCollector()).review(REGION)
    assert [(item.flag.reported, item.flag.observed) for item in review.flagged] == [(1500, 1000)]


async def test_a_scoped_run_does_not_stand_for_the_nightly_region_wide_one(
    db: Database, clock: FakeClock
) -> None:
    penza = await seed(db, 1, territory_id=PENZA)
    kuznetsk = await seed(db, 1, territory_id=KUZNETSK, first=2)
    collector = FakeCollector(figures=figures(1, 2))
    service = collecting(db, clock, collector)
    assert await service.run_due() is not None
    clock.advance(DAY - HOUR)  # 04:00 has come round; a coordinator collects first
    await service.collect(Actor(SUPER.id, Role.COORDINATOR, PENZA))
    clock.advance(HOUR)
    nightly = await service.run_due()
    assert nightly is not None
    assert nightly.territory_id is None
    assert collector.asked[-1] == penza + kuznetsk


async def test_a_crashed_run_of_another_territory_is_finished_then_the_asked_one_runs(
    db: Database, clock: FakeClock
) -> None:
    penza = await seed(db, 1, territory_id=PENZA)
    kuznetsk = await seed(db, 3, territory_id=KUZNETSK, first=2)
    with pytest.raises(Crash):
        await collecting(db, clock, FakeCollector(crash_on=2, figures=figures(2, 3, 4))).collect(
            Actor(SUPER.id, Role.COORDINATOR, KUZNETSK)
        )
    clock.advance(STALE_SECONDS)
    collector = FakeCollector(figures=figures(1, 2, 3, 4))
    summary = await collecting(db, clock, collector).collect(
        Actor(SUPER.id, Role.COORDINATOR, PENZA)
    )
    assert collector.asked == [kuznetsk[2:], penza]
    assert (summary.territory_id, summary.collected, summary.resumed) == (PENZA, 1, False)
    assert (await page(db, penza[0])).observed_figure == 110

    # The nightly job finds a territory's run crashed: it finishes it, then the region.
    with pytest.raises(Crash):
        await collecting(db, clock, FakeCollector(crash_on=1)).collect(
            Actor(SUPER.id, Role.COORDINATOR, PENZA)
        )
    clock.advance(STALE_SECONDS)
    collector.asked.clear()
    nightly = await collecting(db, clock, collector).run_due()
    assert nightly is not None
    assert (nightly.territory_id, nightly.collected) == (None, 4)
    assert collector.asked == [penza, penza + kuznetsk[:1], kuznetsk[1:]]


async def test_a_collection_that_agrees_with_the_days_report_clears_its_flag(
    db: Database, clock: FakeClock
) -> None:
    await seed(db, 1)  # reported 100 at START
    await collecting(db, clock, FakeCollector(figures={"https://vk.com/p1": 1000})).collect(REGION)
    service = collecting(db, clock, FakeCollector(figures={"https://vk.com/p1": 102}))
    assert [item.flag.kind for item in (await service.review(REGION)).flagged] == [
        FlagKind.DISCREPANCY
    ]
    clock.advance(HOUR)  # the platform's figure was wrong that time: it agrees now
    await service.collect(REGION)
    assert (await service.review(REGION)).flagged == []
