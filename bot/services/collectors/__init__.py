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
    candidates: dict[str, Collector | None] = {
        "VK counts are not collected: VK_SERVICE_TOKEN is not set": _vk(settings),
        "Odnoklassniki counts are not collected: "
        "OK_APPLICATION_KEY and OK_APPLICATION_SECRET_KEY are not both set": _ok(settings),
        "Telegram counts are not collected: no connection to Telegram (BOT_TOKEN)": (
            None
            if bot is None
            else TelegramCollector(bot, pacer=Pacer(settings.telegram_collect_requests_per_second))
        ),
        "MAX counts are not collected: MAX_BOT_TOKEN is not set": _max(settings),
    }
    for missing, collector in candidates.items():
        if collector is None:
            log.info(missing)
    return [collector for collector in candidates.values() if collector is not None]


def _vk(settings: Settings) -> VkCollector | None:
    if settings.vk_service_token is None:
        return None
    return VkCollector(
        token=settings.vk_service_token.get_secret_value(),
        api_url=str(settings.vk_api_url),
        version=settings.vk_api_version,
        pacer=Pacer(settings.vk_requests_per_second),
    )


def _ok(settings: Settings) -> OkCollector | None:
    key, secret = settings.ok_application_key, settings.ok_application_secret_key
    if key is None or secret is None:
        return None
    token = settings.ok_access_token
    return OkCollector(
        application_key=key,
        application_secret_key=secret.get_secret_value(),
        access_token=None if token is None else token.get_secret_value(),
        api_url=str(settings.ok_api_url),
        pacer=Pacer(settings.ok_requests_per_second),
    )


def _max(settings: Settings) -> MaxCollector | None:
    token = settings.max_bot_token
    return (
        None
        if token is None
        else MaxCollector(
            token=token.get_secret_value(),
            api_url=str(settings.max_api_url),
            pacer=Pacer(settings.max_requests_per_second),
        )
    )
