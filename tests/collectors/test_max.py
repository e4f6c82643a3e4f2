"""The MAX collector against the fake MAX Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.domain.observations import CollectorUnavailable, Count, Failure, Target, Uncollectable
from bot.services.collectors.max import MaxCollector
from tests.collectors.timeline import Timeline, assert_tried_again
from tests.fakes.max_api import FakeMaxAPI, FakeMaxChat


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI(token="max-token") as server:
        yield server


def collector(max_api: FakeMaxAPI, timeline: Timeline, token: str = "max-token") -> MaxCollector:
    return MaxCollector(token=token, api_url=max_api.base_url, pacer=timeline.pacer(20))


async def test_channels_the_bot_is_in_are_counted_and_their_ids_learnt(
    max_api: FakeMaxAPI,
) -> None:
    max_api.add_chat(FakeMaxChat(chat_id=-7001, link="penza_gov", participants_count=900))
    max_api.add_chat(FakeMaxChat(chat_id=-7002, link=None, participants_count=120))
    targets = [
        Target(1, "https://max.ru/Penza_Gov"),
        Target(2, "https://max.ru/whatever", platform_id="-7002"),
    ]

    results = await collector(max_api, Timeline()).collect(targets)

    assert results == [Count(1, 900, "-7001"), Count(2, 120, "-7002")]
    assert all(call.params.get("access_token") is None for call in max_api.calls()), (
        "the token goes in the Authorization header"
    )


async def test_channels_the_bot_cannot_read_fail_with_the_reason(max_api: FakeMaxAPI) -> None:
    max_api.add_chat(FakeMaxChat(-1, "not_added", 50, bot_added=False))
    max_api.add_chat(FakeMaxChat(-2, "removed_bot", 60, status="removed"))
    max_api.add_chat(FakeMaxChat(-3, "closed_down", 70, status="closed"))
    targets = [
        Target(1, "https://max.ru/not_added"),
        Target(2, "https://max.ru/removed_bot"),
        Target(3, "https://max.ru/closed_down"),
        Target(4, "https://max.ru/nobody"),
        Target(5, "https://max.ru/join/AbCdEf"),
    ]

    results = await collector(max_api, Timeline()).collect(targets)

    assert [getattr(result, "reason", None) for result in results] == [
        Uncollectable.NO_ACCESS,
        Uncollectable.NO_ACCESS,
        Uncollectable.GONE,
        Uncollectable.UNKNOWN,
        Uncollectable.PRIVATE,
    ]
    # Only MAX's own words are kept: the reason says the rest, in the reader's language.
    assert results[0] == Failure(1, Uncollectable.NO_ACCESS, "Bot is not a member of the chat")
    assert [getattr(result, "detail", None) for result in results[1:]] == [
        "",
        "",
        "Chat not found",
        "",
    ]
    assert len(max_api.calls()) == 4


async def test_a_429_is_waited_out_and_asked_again(max_api: FakeMaxAPI) -> None:
    max_api.add_chat(FakeMaxChat(chat_id=-7001, link="penza_gov", participants_count=900))
    max_api.inject((429, "too.many.requests"))
    timeline = Timeline()

    results = await collector(max_api, timeline).collect([Target(1, "https://max.ru/penza_gov")])

    assert results == [Count(1, 900, "-7001")]
    assert_tried_again(max_api, timeline, 429, 1.0)


async def test_a_refused_token_makes_the_collector_unavailable(max_api: FakeMaxAPI) -> None:
    with pytest.raises(CollectorUnavailable, match="token"):
        await collector(max_api, Timeline(), token="wrong").collect(
            [Target(1, "https://max.ru/penza_gov")]
        )
