"""The Telegram collector through the fake Bot API's getChatMemberCount."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.domain.observations import CollectorUnavailable, Count, Target, Uncollectable
from bot.services.collectors.telegram import TelegramCollector
from tests.collectors.timeline import Timeline
from tests.fakes.bot_api import FakeBotAPI, FakeChannel


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with fake.make_bot() as telegram_bot:
        yield telegram_bot


async def test_public_channels_are_counted_by_username(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_channel(FakeChannel(id=-1001, username="penza_news", member_count=15_300))
    fake.add_channel(
        FakeChannel(id=-1002, username="Penza_Chat", member_count=800, type="supergroup")
    )
    targets = [
        Target(1, "https://t.me/penza_news"),
        Target(2, "https://t.me/penza_chat/1234"),
    ]

    results = await TelegramCollector(bot, pacer=Timeline().pacer(10)).collect(targets)

    assert results == [Count(1, 15_300), Count(2, 800)]
    assert [call.params["chat_id"] for call in fake.calls("getChatMemberCount")] == [
        "@penza_news",
        "@penza_chat",
    ]


async def test_private_and_unknown_chats_are_reported_with_the_reason(
    fake: FakeBotAPI, bot: Bot
) -> None:
    targets = [
        Target(1, "https://t.me/+AbCdEfGh123"),
        Target(2, "https://t.me/joinchat/AbCdEf"),
        Target(3, "https://t.me/c/1234567/89"),
        Target(4, "https://t.me/nobody_by_this_name"),
    ]

    results = await TelegramCollector(bot, pacer=Timeline().pacer(10)).collect(targets)

    assert [(result.page_id, getattr(result, "reason", None)) for result in results] == [
        (1, Uncollectable.PRIVATE),
        (2, Uncollectable.PRIVATE),
        (3, Uncollectable.PRIVATE),
        (4, Uncollectable.UNKNOWN),
    ]
    # Only Telegram's own words are kept: the reason says the rest, in the reader's language.
    assert [getattr(result, "detail", None) for result in results] == [
        "",
        "",
        "",
        "Bad Request: chat not found",
    ]
    # Only the public username was asked.
    assert len(fake.calls("getChatMemberCount")) == 1


async def test_a_429_is_waited_out_and_asked_again(fake: FakeBotAPI, bot: Bot) -> None:
    fake.add_channel(FakeChannel(id=-1001, username="penza_news", member_count=15_300))
    fake.inject("getChatMemberCount", error_code=429, retry_after=3)
    timeline = Timeline()

    results = await TelegramCollector(bot, pacer=timeline.pacer(10)).collect(
        [Target(1, "https://t.me/penza_news")]
    )

    assert results == [Count(1, 15_300)]
    assert timeline.sleeps == [3.0]


async def test_a_refused_bot_token_makes_the_collector_unavailable(fake: FakeBotAPI) -> None:
    async with fake.make_bot(token="999:WRONG") as stranger:
        collector = TelegramCollector(stranger, pacer=Timeline().pacer(10))
        with pytest.raises(CollectorUnavailable, match="token"):
            await collector.collect([Target(1, "https://t.me/penza_news")])
