"""The VK collector against the fake VK API: batches, gone communities, VK's errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors.vk import VkCollector, vk_reference
from tests.collectors.timeline import Timeline, assert_tried_again
from tests.fakes.vk_api import FakeVkAPI, FakeVkGroup


@pytest.fixture
async def vk() -> AsyncIterator[FakeVkAPI]:
    async with FakeVkAPI(token="service") as server:
        yield server


def collector(vk: FakeVkAPI, timeline: Timeline, *, token: str = "service") -> VkCollector:
    return VkCollector(token=token, api_url=vk.api_url, version="5.199", pacer=timeline.pacer(3))


def by_page(results: list[Count | Failure]) -> dict[int, Count | Failure]:
    pages = [result.page_id for result in results]
    assert len(pages) == len(set(pages)), "one result per page"
    return {result.page_id: result for result in results}


def test_links_name_communities_by_id_or_screen_name() -> None:
    assert vk_reference("https://vk.com/club123") == "123"
    assert vk_reference("https://vk.com/public0123") == "123"
    assert vk_reference("https://vk.com/event9") == "9"
    assert vk_reference("https://vk.com/Penza_Gov") == "penza_gov"
    assert vk_reference("https://vk.com/id42") is None
    assert vk_reference("https://vk.com/wall-1_2") is None


async def test_twelve_hundred_pages_take_three_calls_of_at_most_500(vk: FakeVkAPI) -> None:
    for number in range(1, 1201):
        vk.add_group(FakeVkGroup(id=number, screen_name=f"page{number}", members_count=number * 3))
    targets = [
        Target(
            number, f"https://vk.com/page{number}" if number % 2 else f"https://vk.com/club{number}"
        )
        for number in range(1, 1201)
    ]
    timeline = Timeline()

    results = by_page(await collector(vk, timeline).collect(targets))

    calls = vk.calls("groups.getById")
    assert [len(call.params["group_ids"].split(",")) for call in calls] == [500, 500, 200]
    assert all(call.params["fields"] == "members_count" for call in calls)
    assert all(call.params["v"] == "5.199" for call in calls)
    assert results[7] == Count(7, 21, "7")
    assert results[8] == Count(8, 24, "8")
    assert len(results) == 1200
    # Paced at 3 a second, with a margin: the second and third calls waited their turn.
    assert timeline.sleeps == pytest.approx([1.05 / 3, 1.05 / 3])


async def test_club_public_and_screen_name_of_one_community_are_one_id(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=77, screen_name="gorod_penza", members_count=4100))
    targets = [
        Target(1, "https://vk.com/club77"),
        Target(2, "https://vk.com/public77"),
        Target(3, "https://vk.com/gorod_penza"),
        Target(4, "https://vk.com/whatever", platform_id="77"),
    ]

    results = by_page(await collector(vk, Timeline()).collect(targets))

    assert {page: result for page, result in results.items()} == {
        page: Count(page, 4100, "77") for page in (1, 2, 3, 4)
    }
    assert len(vk.calls()) == 1


async def test_deleted_banned_unknown_and_personal_pages_fail_with_reasons(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=1, members_count=10))
    vk.add_group(FakeVkGroup(id=2, deactivated="deleted"))
    vk.add_group(FakeVkGroup(id=3, screen_name="old_page", deactivated="banned"))
    targets = [
        Target(1, "https://vk.com/club1"),
        Target(2, "https://vk.com/club2"),
        Target(3, "https://vk.com/old_page"),
        Target(4, "https://vk.com/no_such_page"),
        Target(5, "https://vk.com/id555"),
    ]

    results = by_page(await collector(vk, Timeline()).collect(targets))

    assert results[1] == Count(1, 10, "1")
    # Only VK's own words are kept: the reason says the rest, in the reader's language.
    assert results[2] == Failure(2, Uncollectable.GONE, "deleted")
    assert results[3] == Failure(3, Uncollectable.GONE, "banned")
    assert results[4] == Failure(4, Uncollectable.UNKNOWN, "")
    assert results[5] == Failure(5, Uncollectable.NOT_A_COMMUNITY, "")
    assert "id555" not in vk.calls()[0].params["group_ids"]


async def test_a_rate_limit_error_is_waited_out_and_the_call_tried_again(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=5, members_count=500))
    vk.inject(6)
    timeline = Timeline()

    results = await collector(vk, timeline).collect([Target(1, "https://vk.com/club5")])

    assert results == [Count(1, 500, "5")]
    assert_tried_again(vk, timeline, 6, 1.0)


async def test_rate_limit_errors_past_the_retries_leave_the_batch_for_later(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=5, members_count=500))
    vk.inject(29, times=10)
    timeline = Timeline()

    with pytest.raises(CollectorUnavailable, match="Rate limit reached"):
        await collector(vk, timeline).collect([Target(1, "https://vk.com/club5")])

    assert len(vk.calls()) == 5
    assert timeline.sleeps == [1.0, 2.0, 4.0, 8.0]


async def test_a_refused_token_makes_the_collector_unavailable(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=5, members_count=500))

    with pytest.raises(CollectorUnavailable, match="service token"):
        await collector(vk, Timeline(), token="wrong").collect([Target(1, "https://vk.com/club5")])

    assert len(vk.calls()) == 1


async def test_one_community_vk_refuses_is_found_by_splitting_the_batch(vk: FakeVkAPI) -> None:
    for number in range(1, 9):
        refuses = 18 if number == 6 else None
        vk.add_group(FakeVkGroup(id=number, members_count=number, refuses=refuses))
    targets = [Target(number, f"https://vk.com/club{number}") for number in range(1, 9)]

    results = by_page(await collector(vk, Timeline()).collect(targets))

    assert results[6] == Failure(6, Uncollectable.GONE, "User was deleted or banned")
    assert all(results[page] == Count(page, page, str(page)) for page in (1, 2, 3, 4, 5, 7, 8))
    # 8 → 4 + 4 → (2 + 2) → (1 + 1): seven calls rather than eight single ones.
    assert len(vk.calls()) == 7


async def test_resolve_gives_the_numeric_id_of_a_screen_name(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=31337, screen_name="gorod_penza"))
    vk.add_group(FakeVkGroup(id=40, screen_name="closed_down", deactivated="deleted"))
    vk_collector = collector(vk, Timeline())

    assert await vk_collector.resolve("https://vk.com/Gorod_Penza") == "31337"
    assert await vk_collector.resolve("https://vk.com/closed_down") == "40"
    assert await vk_collector.resolve("https://vk.com/nobody_here") is None
    assert len(vk.calls()) == 3
    # Numbered links need no call.
    assert await vk_collector.resolve("https://vk.com/public31337") == "31337"
    assert await vk_collector.resolve("https://vk.com/id1") is None
    assert len(vk.calls()) == 3


async def test_resolve_gives_up_quietly_when_vk_is_slow(vk: FakeVkAPI) -> None:
    vk.add_group(FakeVkGroup(id=1, screen_name="slow"))
    vk.latency = 2.0
    vk_collector = VkCollector(
        token="service",
        api_url=vk.api_url,
        version="5.199",
        pacer=Timeline().pacer(3),
        resolve_timeout=0.05,
    )

    assert await vk_collector.resolve("https://vk.com/slow") is None
