"""Verified figures through the real Dispatcher: /collect (scoped, with progress and a
summary), the verified share in /total, both figures in /mypages, the discrepancy told
to the administrator and listed in /pending, one community refused at the link step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.domain.observations import Collector, Uncollectable
from bot.services.collect import STALE_SECONDS, CollectService
from tests.builders import KUZNETSK, PENZA, add_page, add_user, make_coordinator
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.fakes.collector import FakeCollector
from tests.flows import register_page, stored_page
from tests.harness import BotHarness
from tests.users import ADMIN, OTHER, SUPER

ANNA = FakeUser(id=450, first_name="Анна", username="anna", language_code="ru")


@pytest.fixture
def platform() -> FakeCollector:
    """The made-up VK: figures set by each test."""
    return FakeCollector(batch_size=500)


@pytest.fixture
async def bot(
    fake: FakeBotAPI,
    tmp_path: Path,
    clock: FakeClock,
    platform: FakeCollector,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[BotHarness]:
    """The bot with `platform` as its VK collector; user 100 is the superadmin."""

    def platform_collectors(_settings: Settings, _bot: object) -> dict[str, Collector]:
        return {platform.platform: platform}

    monkeypatch.setattr("bot.app.platform_collectors", platform_collectors)
    harness = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        yield harness
    finally:
        await harness.stop()


async def seed(bot: BotHarness, platform: FakeCollector) -> dict[str, int]:
    """Two approved VK pages in Penza and one in Kuznetsk, of ADMIN, reported 1000 each;
    the platform knows them all but one of Penza's, which is gone."""
    async with bot.db.write() as repos:
        await add_user(repos, ADMIN)
        ids = {
            name: await add_page(
                repos,
                f"vk.com/{name}",
                created_by=ADMIN.id,
                territory_id=territory,
                title=name.capitalize(),
                figure=1000,
            )
            for name, territory in (("zarya", PENZA), ("gone", PENZA), ("kuz", KUZNETSK))
        }
    platform.figures.update({"https://vk.com/zarya": 1010, "https://vk.com/kuz": 3000})
    platform.failures["https://vk.com/gone"] = Uncollectable.GONE
    return ids


async def test_a_scoped_coordinator_collects_their_territory_with_progress_and_summary(
    bot: BotHarness, platform: FakeCollector
) -> None:
    ids = await seed(bot, platform)
    await make_coordinator(bot, ANNA, PENZA)
    replies = await bot.send(ANNA, "/collect")
    assert platform.asked == [[ids["zarya"], ids["gone"]]]
    assert [version.text for version in replies[0].history] == [
        "Собираю число подписчиков: 0 из 2 страниц…"
    ]
    # The last batch came within the edit interval: the message still ends at the end.
    assert replies[0].text == "Собираю число подписчиков: 2 из 2 страниц…"
    summary = replies[-1].text or ""
    assert "Собрано: 1 страница" in summary
    assert "Не собрано, удалено или заблокировано: 1" in summary
    assert "Пропущены (нет ключей доступа): Одноклассники, Telegram, MAX" in summary

    pending = (await bot.send(ANNA, "/pending"))[-1].text or ""
    assert "Не удалось собрать с площадок" in pending
    assert f"Gone (#{ids['gone']}): Не собрано: удалено или заблокировано (gone away)" in pending
    assert "Kuz" not in pending

    # Not for page administrators, whatever they type.
    assert "не позволяет" in await bot.reply_text(OTHER, "/collect")


async def test_total_shows_the_verified_share_of_the_region_and_of_each_territory(
    bot: BotHarness, platform: FakeCollector
) -> None:
    await seed(bot, platform)
    await bot.send(SUPER, "/collect")
    # Penza: 1010 observed + 1000 reported; Kuznetsk: 3000 observed; 4010 of 5010.
    text = await bot.reply_text(ADMIN, "/total")
    assert "Подписки на госпаблики: 5\xa0010" in text
    assert "Подтверждено площадками за 7 дней: 80\xa0% (4\xa0010)" in text
    assert "город Кузнецк: 3\xa0000 (1 стр., подтверждено 100\xa0%)" in text
    assert "город Пенза: 2\xa0010 (2 стр., подтверждено 50\xa0%)" in text

    # A week later without a collection nothing is verified any more.
    bot.clock.advance(8 * 24 * 3600)
    text = await bot.reply_text(ADMIN, "/total")
    assert "Подтверждено площадками за 7 дней: 0\xa0% (0)" in text


async def test_a_report_far_from_the_platform_is_told_and_listed_for_coordinators(
    bot: BotHarness, platform: FakeCollector
) -> None:
    ids = await seed(bot, platform)
    await bot.send(ADMIN, "/start")
    await bot.send(SUPER, "/collect")
    await bot.drain()  # the seeded 1000 of Kuznetsk's page is far from 3000: told

    mine = (await bot.send(ADMIN, "/mypages"))[-1].text or ""
    # The current figure is the platform's: said so, the report's figure beside it.
    assert "✅ Подписчиков по данным площадки: 1\xa0010 (" in mine
    assert "Последний отчёт: 1\xa0000 (" in mine
    assert "Подписчиков: 1\xa0010, последний отчёт" not in mine

    reply = await bot.reply_text(ADMIN, f"/report {ids['zarya']} 1200")
    assert "Площадка сегодня показывает 1\xa0010" in reply

    pending = (await bot.send(SUPER, "/pending"))[-1].text or ""
    assert f"Zarya (#{ids['zarya']}): в отчёте 1\xa0200, на площадке 1\xa0010" in pending
    assert f"Kuz (#{ids['kuz']}): в отчёте 1\xa0000, на площадке 3\xa0000" in pending
    assert "Цифры на проверку: 2 (см. /pending)" in await bot.reply_text(SUPER, "/total")
    bot.clock.advance(7 * 24 * 3600)  # the digest covers the week that has ended
    digest = [m.text or "" for m in await bot.send(SUPER, "/digest")]
    assert any("Цифры на проверку за неделю: 2 (см. /pending)" in text for text in digest)
    told = [m.text or "" for m in bot.fake.messages(ADMIN.id)]
    assert any("Ваша цифра по странице Kuz сегодня: 1\xa0000." in text for text in told)


async def test_a_second_link_of_one_community_is_refused_at_the_link_step(
    bot: BotHarness, platform: FakeCollector
) -> None:
    platform.ids.update({"https://vk.com/club123": "123", "https://vk.com/zarya_penza": "123"})
    platform.figures["https://vk.com/club123"] = 500
    await stored_page(bot, ADMIN, link="https://vk.com/club123", title="Заря")
    await bot.send(SUPER, "/collect")  # learns the id 123

    await bot.send(OTHER, "/register")
    [refusal] = await bot.send(OTHER, "https://vk.com/zarya_penza")
    assert "уже зарегистрирована как Заря" in (refusal.text or "")

    # Another community goes through.
    answer = await register_page(bot, OTHER, link="https://vk.com/club999", title="Другая")
    assert "Другая" in answer


async def test_a_second_run_while_one_is_going_is_refused(
    bot: BotHarness, platform: FakeCollector
) -> None:
    await seed(bot, platform)
    service = bot.app.dispatcher.workflow_data["collect"]
    assert isinstance(service, CollectService)
    async with bot.db.write() as repos:
        await repos.observations.start_run(
            holder="another process", territory_id=None, started_by=None, now=bot.clock.now()
        )
    text = await bot.reply_text(SUPER, "/collect")
    assert text == "Сбор числа подписчиков уже идёт: попробуйте снова, когда он закончится."
    assert platform.asked == []


async def test_a_scoped_coordinator_finishing_a_crashed_region_wide_run_is_told_so(
    bot: BotHarness, platform: FakeCollector
) -> None:
    ids = await seed(bot, platform)
    await make_coordinator(bot, ANNA, PENZA)
    async with bot.db.write() as repos:
        await repos.observations.start_run(
            holder="a crashed process", territory_id=None, started_by=None, now=bot.clock.now()
        )
    bot.clock.advance(STALE_SECONDS)
    summary = (await bot.send(ANNA, "/collect"))[-1].text or ""
    assert platform.asked == [list(ids.values())]  # Kuznetsk's page too: the region's run
    assert "доделан прерванный ранее сбор по всему региону" in summary
    assert "Собрано: 2 страницы" in summary


async def test_pending_says_how_many_pages_its_lists_leave_out(
    bot: BotHarness, platform: FakeCollector
) -> None:
    async with bot.db.write() as repos:
        await add_user(repos, ADMIN)
        for n in range(12):
            await add_page(repos, f"vk.com/gone{n}", created_by=ADMIN.id, title=f"Gone {n:02}")
            platform.failures[f"https://vk.com/gone{n}"] = Uncollectable.GONE
    await bot.send(SUPER, "/collect")
    pending = (await bot.send(SUPER, "/pending"))[-1].text or ""
    assert "Не удалось собрать с площадок (показаны 10 из 12)" in pending
    assert "Gone 09" in pending
    assert "Gone 10" not in pending
