"""Orphaned pages: every administrator left or blocked the bot. Coordinators see them in
/pending (with the last administrator and the date), count them in /total and read in
the digest how many appeared this week; an imported page nobody claimed yet is not one."""

from __future__ import annotations

from bot.domain.localtime import DAY
from bot.texts.formats import date
from tests.builders import KUZNETSK, PENZA, add_imported_page
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import approve_all, claim, page_id, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

COUNT_LINE = "Остались без администратора: {count} (см. /pending)"
UNCLAIMED_LINE = "Ещё никем не заявлены: {count}"
WEEK_LINE = "Остались без администратора за неделю: {count} (см. /pending)"
NOTHING = "Nothing waits for approval."
APPROVE = "✅ Approve the claim"


def day(bot: BotHarness, moment: int) -> str:
    return date(moment, bot.app.settings.tz, "ru")


async def texts(bot: BotHarness, user: FakeUser, command: str) -> str:
    return "\n".join(m.text or "" for m in await bot.send(user, command))


async def test_a_page_whose_only_administrator_leaves_is_orphaned(
    bot: BotHarness, clock: FakeClock
) -> None:
    page = await stored_page(bot, ADMIN)
    await stored_page(bot, OTHER, link="https://vk.com/club555", territory_id=PENZA)
    await bot.send(ADMIN_EN, "/start")
    await bot.send(SUPER, "/grant @john Пенза")
    clock.advance(DAY)
    left_at = clock.now()
    t = translator(bot, "ru")
    await bot.send(ADMIN, "/mypages")
    await bot.click(ADMIN, t("🚪 Leave"))
    [left] = await bot.click(ADMIN, t("Yes, leave the page"))
    assert t("The page has no administrator now; coordinators will see it and find a new one.") in (
        left.text or ""
    )

    pending = await texts(bot, SUPER, "/pending")
    assert pending.startswith("Страницы без администратора")
    assert f"#{page} Дом культуры — https://vk.com/club123" in pending
    assert (
        f"последний администратор: Иван @ivan (id 200), покинул(а) страницу {day(bot, left_at)}"
    ) in pending
    assert COUNT_LINE.format(count=1) in await texts(bot, SUPER, "/total")
    clock.advance(3600)  # the digest's week ends at its moment
    assert WEEK_LINE.format(count=1) in await texts(bot, SUPER, "/digest")
    # An administrator reads no such line; a coordinator of another territory counts 0.
    assert "без администратора" not in await texts(bot, OTHER, "/total")
    assert "without an administrator: 0" in await texts(bot, ADMIN_EN, "/total")
    assert await texts(bot, ADMIN_EN, "/pending") == NOTHING

    # A week on it is still orphaned, but no longer this week's.
    clock.advance(8 * DAY)
    assert WEEK_LINE.format(count=0) in await texts(bot, SUPER, "/digest")
    assert COUNT_LINE.format(count=1) in await texts(bot, SUPER, "/total")


async def test_an_administrator_who_blocked_the_bot_orphans_their_pages(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    fake.block(ADMIN_EN.id)
    blocked_at = clock.now()
    await approve_all(bot)  # the approval notice meets Telegram's 403
    clock.advance(DAY)

    pending = await texts(bot, SUPER, "/pending")
    assert (
        f"последний администратор: John @john (id 300), недоступен(на) с {day(bot, blocked_at)}"
    ) in pending
    assert COUNT_LINE.format(count=1) in await texts(bot, SUPER, "/total")

    # Writing to the bot again makes them reachable: the page is theirs again.
    fake.unblock(ADMIN_EN.id)
    await bot.send(ADMIN_EN, "/start")
    assert COUNT_LINE.format(count=0) in await texts(bot, SUPER, "/total")
    assert await texts(bot, SUPER, "/pending") == translator(bot, "ru")(NOTHING)


async def test_an_orphaned_page_is_claimed_through_register(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    fake.block(ADMIN_EN.id)
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    assert COUNT_LINE.format(count=1) in await texts(bot, SUPER, "/total")

    assert "отправлена координатору" in await claim(bot, OTHER, "https://vk.com/club123")
    await bot.send(SUPER, "/pending")
    await bot.click(SUPER, translator(bot, "ru")("✅ Approve the claim"))
    async with bot.db.read() as repos:
        assert await repos.pages.admin_ids(page) == [ADMIN_EN.id, OTHER.id]
    assert COUNT_LINE.format(count=0) in await texts(bot, SUPER, "/total")


async def test_an_imported_page_nobody_claimed_is_not_orphaned(bot: BotHarness) -> None:
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        await add_imported_page(repos, "vk.com/club321", importer=SUPER.id, territory_id=KUZNETSK)
    assert COUNT_LINE.format(count=0) in await texts(bot, SUPER, "/total")
    assert WEEK_LINE.format(count=0) in await texts(bot, SUPER, "/digest")
    assert await texts(bot, SUPER, "/pending") == translator(bot, "ru")(NOTHING)
    # Unclaimed, it is offered to whoever sends its link.
    assert "отправлена координатору" in await claim(bot, ADMIN, "https://vk.com/club321")


async def test_total_counts_unclaimed_imported_pages_within_the_coordinators_reach(
    bot: BotHarness,
) -> None:
    """/total tells a coordinator how many imported pages nobody has claimed yet, apart
    from those left without an administrator, within their territory when scoped."""
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        await add_imported_page(repos, "vk.com/club321", importer=SUPER.id, territory_id=KUZNETSK)
    total = await texts(bot, SUPER, "/total")
    assert COUNT_LINE.format(count=0) in total
    assert UNCLAIMED_LINE.format(count=1) in total
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr город Пенза")
    assert UNCLAIMED_LINE.format(count=0) in await texts(bot, OTHER, "/total")
    await bot.send(SUPER, "/grant @petr город Кузнецк")
    assert UNCLAIMED_LINE.format(count=1) in await texts(bot, OTHER, "/total")
    # Claimed and approved, it is administered: neither count has it.
    await claim(bot, ADMIN, "https://vk.com/club321")
    t = translator(bot, "ru")
    [card] = [m for m in await bot.send(SUPER, "/pending") if m.find_button(t(APPROVE))]
    await bot.click(SUPER, t(APPROVE), card)
    total = await texts(bot, SUPER, "/total")
    assert UNCLAIMED_LINE.format(count=0) in total
    assert COUNT_LINE.format(count=0) in total
    # An administrator reads neither line.
    assert "заявлен" not in await texts(bot, ADMIN, "/total")
