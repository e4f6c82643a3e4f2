"""Every list the bot shows fits Telegram's messages: it pages with ◀️ ▶️ and loses nothing."""

from __future__ import annotations

import re

import pytest

from bot.domain.catalog import PageStatus
from bot.domain.localtime import DAY
from bot.domain.segments import Segment
from bot.storage.seminars import Seminar
from tests.builders import add_page, add_user
from tests.clock import START
from tests.fakes.bot_api import FakeUser, SentMessage
from tests.flows import NEXT, fits, walk_text
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, SUPER

LONG = "Муниципальное бюджетное учреждение культуры «Районный дом культуры» " * 2


async def make_pages(
    bot: BotHarness,
    count: int,
    *,
    admin: FakeUser | None,
    status: PageStatus = PageStatus.APPROVED,
    title: str = "Page",
) -> list[int]:
    """`count` pages (admin None: without an administrator), titled "<title> #n"."""
    ids = []
    async with bot.db.write() as repos:
        await add_user(repos, SUPER)
        if admin is not None:
            await add_user(repos, admin)
        for n in range(count):
            page_id = await add_page(
                repos,
                f"vk.com/list{n}-{title}",
                url=f"https://vk.com/list{n}_" + "x" * 150,
                title=f"{title} #{n:03d}",
                territory_id=2,
                created_by=SUPER.id if admin is None else admin.id,
                now=START + n,
                status=status,
                decided_by=SUPER.id,
                decided_at=START,
            )
            if admin is None:
                await repos.pages.remove_admin(page_id, SUPER.id)
            ids.append(page_id)
    return ids


async def walk_cards(
    bot: BotHarness, user: FakeUser, replies: list[SentMessage]
) -> list[list[SentMessage]]:
    """Every screen of a list of cards, by ▶️ under each screen's last message."""
    screens = [replies]
    while replies and replies[-1].find_button(NEXT) is not None:
        replies = await bot.click(user, NEXT, replies[-1])
        screens.append(replies)
    for screen in screens:
        assert all(fits(message) for message in screen)
    return screens


@pytest.mark.parametrize(
    ("user", "shown"),
    [(ADMIN, "Показаны 11–20 из 25 страниц."), (ADMIN_EN, "Shown 11–20 of 25 pages.")],
)
async def test_my_pages_come_a_screen_at_a_time(
    bot: BotHarness, user: FakeUser, shown: str
) -> None:
    ids = await make_pages(bot, 25, admin=user, title=LONG)
    screens = await walk_cards(bot, user, await bot.send(user, "/mypages"))
    assert len(screens) == 3
    assert screens[1][-1].text == shown
    cards = [m.text or "" for screen in screens for m in screen if "#" in (m.text or "")]
    found = {int(n) for card in cards for n in re.findall(r"\(#(\d+)\)", card)}
    assert found == set(ids)


async def test_pending_pages_come_a_screen_at_a_time(bot: BotHarness) -> None:
    ids = await make_pages(bot, 23, admin=ADMIN, status=PageStatus.PENDING)
    screens = await walk_cards(bot, SUPER, await bot.send(SUPER, "/pending"))
    assert [len([m for m in s if m.find_button("✅ Одобрить")]) for s in screens] == [10, 10, 3]
    assert screens[0][-1].text == "Показаны 1–10 из 23 страниц, ожидающих одобрения."
    approvable = [m for s in screens for m in s if m.find_button("✅ Одобрить")]
    found = {int(n) for m in approvable for n in re.findall(r"\(#(\d+)\)", m.text or "")}
    assert found == set(ids)


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_pages_without_an_administrator_page_in_one_message(
    bot: BotHarness, locale: str
) -> None:
    ids = await make_pages(bot, 120, admin=None, title=LONG)
    if locale == "en":
        await bot.send(SUPER, "/settings")
        await bot.click(SUPER, "English")
    [listing] = await bot.send(SUPER, "/pending")
    texts = await walk_text(bot, SUPER, listing)
    assert len(texts) > 2
    heading = "Pages without an administrator" if locale == "en" else "Страницы без администратора"
    assert all(text.startswith(heading) for text in texts)
    found = [int(n) for text in texts for n in re.findall(r"^#(\d+) ", text, re.M)]
    assert sorted(found) == ids


async def test_a_pages_report_history_pages_and_hides_nothing(bot: BotHarness) -> None:
    [page_id] = await make_pages(bot, 1, admin=ADMIN_EN)
    async with bot.db.write() as repos:
        for n in range(400):
            await repos.reports.add(
                page_id=page_id,
                figure=1000 + n,
                reported_by=ADMIN_EN.id,
                update_id=None,
                now=START + n * DAY,
            )
    await bot.send(ADMIN_EN, "/mypages")
    [history] = await bot.click(ADMIN_EN, "📜 History")
    texts = await walk_text(bot, ADMIN_EN, history)
    figures = [line for text in texts for line in text.split("\n")[1:]]
    assert len(figures) == 400
    assert figures[0].endswith("1,399")
    assert figures[-1].endswith("1,000")


async def test_the_report_picker_offers_every_page(bot: BotHarness) -> None:
    ids = await make_pages(bot, 27, admin=ADMIN_EN)
    [picker] = await bot.send(ADMIN_EN, "/report")
    found: set[int] = set()
    while True:
        found |= {int(n) for t in picker.button_texts() for n in re.findall(r"\(#(\d+)\)$", t)}
        if picker.find_button(NEXT) is None:
            break
        await bot.click(ADMIN_EN, NEXT, picker)
        picker = bot.fake.last_message(ADMIN_EN.id)
    assert found == set(ids)


async def test_seminars_come_a_screen_at_a_time(bot: BotHarness) -> None:
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        for n in range(14):
            await repos.seminars.create(
                Seminar(
                    id=0,
                    title=f"Семинар {n:02d}",
                    description=LONG,
                    starts_at=START + (n + 1) * DAY,
                    duration_minutes=90,
                    place="https://example.org/room",
                    capacity=None,
                    segment=Segment(),
                    created_by=SUPER.id,
                    created_at=START,
                )
            )
    screens = await walk_cards(bot, SUPER, await bot.send(SUPER, "/seminars"))
    assert len(screens) == 2
    assert screens[1][-1].text == "Показаны 11–14 из 14 семинаров."
    titles = {t for s in screens for m in s for t in re.findall(r"Семинар \d\d", m.text or "")}
    assert len(titles) == 14


async def test_territory_keyboards_reach_every_territory(bot: BotHarness) -> None:
    async with bot.db.read() as repos:
        names = {t.name("ru") for t in await repos.territories.all()}

    async def collect(message: SentMessage) -> set[str]:
        found: set[str] = set()
        while True:
            found |= {t.removeprefix("✅ ") for t in message.button_texts()}
            if message.find_button(NEXT) is None:
                return found
            await bot.click(SUPER, NEXT, message)
            message = bot.fake.last_message(SUPER.id)
            assert len(message.buttons) <= 20

    await bot.send(SUPER, "/register")
    await bot.send(SUPER, "https://vk.com/club999")
    [wizard] = await bot.send(SUPER, "Дом культуры")
    assert names <= await collect(wizard)
    await bot.send(SUPER, "/cancel")

    await bot.send(SUPER, "/broadcast")
    await bot.send(SUPER, "Всем")
    await bot.click(SUPER, "🗺 Территория")
    choices = bot.fake.last_message(SUPER.id)
    assert names <= await collect(choices)
    # A choice on the last screen keeps that screen and its mark.
    await bot.click(SUPER, "Шемышейский район")
    assert "✅ Шемышейский район" in bot.fake.last_message(SUPER.id).button_texts()
