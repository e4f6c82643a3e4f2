"""Which collectors the settings give, and the one line per platform left out."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot

from bot.config import load_settings
from bot.domain.links import Platform
from bot.domain.observations import Count, Target
from bot.services.collectors import build_collectors
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.vk_api import FakeVkAPI, FakeVkGroup

LOGGER = "bot.services.collectors"


def skipped_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


def test_without_credentials_every_platform_is_skipped_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)

    assert build_collectors(load_settings(_env_file=None), None) == []

    lines = skipped_lines(caplog)
    assert len(lines) == 4
    for platform in ("VK", "Odnoklassniki", "Telegram", "MAX"):
        assert sum(line.startswith(f"{platform} counts") for line in lines) == 1


async def test_a_platform_without_credentials_leaves_the_others_working(
    caplog: pytest.LogCaptureFixture, fake: FakeBotAPI
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    async with FakeVkAPI(token="service") as vk, fake.make_bot() as bot:
        vk.add_group(FakeVkGroup(id=5, members_count=321))
        settings = load_settings(
            _env_file=None,
            vk_service_token="service",
            vk_api_url=vk.api_url,
            ok_application_key="CBA",  # the secret key is missing: OK is skipped
            max_bot_token="  ",  # empty, as copied from .env.example
        )

        collectors = build_collectors(settings, bot)

        assert [collector.platform for collector in collectors] == [Platform.VK, Platform.TELEGRAM]
        assert isinstance(bot, Bot)
        vk_collector = collectors[0]
        assert vk_collector.batch_size == 500
        assert await vk_collector.collect([Target(1, "https://vk.com/club5")]) == [
            Count(1, 321, "5")
        ]
    lines = skipped_lines(caplog)
    assert len(lines) == 2
    assert "Odnoklassniki" in lines[0]
    assert "MAX_BOT_TOKEN" in lines[1]


def test_every_platform_with_credentials_has_a_collector() -> None:
    settings = load_settings(
        _env_file=None,
        vk_service_token="t",
        ok_application_key="k",
        ok_application_secret_key="s",
        max_bot_token="m",
    )

    collectors = build_collectors(settings, None)

    assert [collector.platform for collector in collectors] == [
        Platform.VK,
        Platform.OK,
        Platform.MAX,
    ]
