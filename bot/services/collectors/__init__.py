"""Collectors of subscriber counts, one module per platform, and the one place that
builds them from the settings."""

from __future__ import annotations

import logging

from aiogram import Bot

from bot.config import Settings
from bot.domain.observations import Collector
from bot.services.collectors.common import Pacer
from bot.services.collectors.max import MaxCollector
from bot.services.collectors.ok import OkCollector
from bot.services.collectors.telegram import TelegramCollector
from bot.services.collectors.vk import VkCollector

__all__ = ["MaxCollector", "OkCollector", "TelegramCollector", "VkCollector", "build_collectors"]

log = logging.getLogger(__name__)


def build_collectors(settings: Settings, bot: Bot | None) -> list[Collector]:
    """The collectors of the platforms whose credentials are set (VK_SERVICE_TOKEN;
    OK_APPLICATION_KEY and OK_APPLICATION_SECRET_KEY; MAX_BOT_TOKEN; Telegram through
    `bot`), each with its own pacer at its REQUESTS_PER_SECOND setting. Every platform
    left out gets one INFO line naming the missing setting; the rest still work."""
    collectors: list[Collector] = []
    if settings.vk_service_token is None:
        log.info("VK counts are not collected: VK_SERVICE_TOKEN is not set")
    else:
        collectors.append(
            VkCollector(
                token=settings.vk_service_token.get_secret_value(),
                api_url=str(settings.vk_api_url),
                version=settings.vk_api_version,
                pacer=Pacer(settings.vk_requests_per_second),
            )
        )
    if settings.ok_application_key is None or settings.ok_application_secret_key is None:
        log.info(
            "Odnoklassniki counts are not collected: "
            "OK_APPLICATION_KEY and OK_APPLICATION_SECRET_KEY are not both set"
        )
    else:
        token = settings.ok_access_token
        collectors.append(
            OkCollector(
                application_key=settings.ok_application_key,
                application_secret_key=settings.ok_application_secret_key.get_secret_value(),
                access_token=token.get_secret_value() if token is not None else None,
                api_url=str(settings.ok_api_url),
                pacer=Pacer(settings.ok_requests_per_second),
            )
        )
    if bot is None:
        log.info("Telegram counts are not collected: no connection to Telegram (BOT_TOKEN)")
    else:
        collectors.append(
            TelegramCollector(bot, pacer=Pacer(settings.telegram_collect_requests_per_second))
        )
    if settings.max_bot_token is None:
        log.info("MAX counts are not collected: MAX_BOT_TOKEN is not set")
    else:
        collectors.append(
            MaxCollector(
                token=settings.max_bot_token.get_secret_value(),
                api_url=str(settings.max_api_url),
                pacer=Pacer(settings.max_requests_per_second),
            )
        )
    return collectors
