"""The weekly digest: once per user and week, /settings, /digest, size and scope."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.localtime import DAY
from bot.services.digests import DigestPhoto, DigestService
from bot.storage.outbox import OutboxStatus
from bot.texts.charts import DigestCharts
from tests.builders import KUZNETSK, PENZA, add_page, query, seed_admins, user_row
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.harness import BotHarness
from tests.users import ADMIN_EN, SUPER

HEADER = "📰"  # the first character of every digest, in either language


async def start(fake: FakeBotAPI, folder: Path, clock: FakeClock) -> BotHarness:
    # The scheduler stays off: these tests run the digest job themselves.
    return await BotHarness.start(
        fake,
        folder,
        clock,
        superadmin_ids="100",
        scheduler_enabled=False,
    )


@pytest.fixture
async def harness(fake: FakeBotAPI, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    bot = await start(fake, tmp_path, clock)
    try:
        yield bot
    finally:
        await bot.stop()


def service(bot: BotHarness) -> DigestService:
    digests: DigestService = bot.app.dispatcher["digests"]
    return digests


def digests_of(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if (m.text or "").startswith(HEADER)]


async def seed_pages(
    bot: BotHarness,
    count: int,
    *,
    territory: int,
    admin: int,
    title: str,
    created_at: int,
    history: tuple[tuple[int, int], ...] = (),
) -> list[int]:
    """`count` approved pages of `admin`, each with reports (seconds before START, figure)."""
    ids = []
    async with bot.db.write() as repos:
        await repos.users.ensure(admin, now=created_at)
        for n in range(count):
            page = await add_page(
                repos,
                f"vk.com/{admin}-{territory}-{n}",
                created_by=admin,
                territory_id=territory,
                title=title.format(n=n),
                now=created_at,
            )
            for ago, figure in history:
                await repos.reports.add(
                    page_id=page,
                    figure=figure + n,
                    reported_by=admin,
                    update_id=None,
                    now=START - ago,
                )
                await repos.pages.set_current_figure(page, figure + n, now=START - ago)
            ids.append(page)
    return ids


async def test_run_due_queues_one_digest_per_user_and_week(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    bot = await start(fake, tmp_path, clock)
    try:
        admins = await seed_admins(bot, 3, KUZNETSK, 1000)
        await bot.send(SUPER, "/start")  # a superadmin gets the coordinator's digest
        await bot.send(ADMIN_EN, "/start")  # no page, no role: no digest
        assert service(bot).period_of(START) == "2026-W39"
        assert await service(bot).run_due() == 4
        assert await service(bot).run_due() == 0
        await bot.drain()
        for admin in admins:
            [digest] = digests_of(fake, admin)
            assert f"Page {admin.id}" in (digest.text or "")
        assert len(digests_of(fake, SUPER)) == 1
        assert digests_of(fake, ADMIN_EN) == []
    finally:
        await bot.stop()

    # A restart in the same week (even the same minute) queues nothing new.
    again = await start(fake, tmp_path, clock)
    try:
        assert await service(again).run_due() == 0
        async with again.db.read() as repos:
            counts = await repos.outbox.status_counts()
        assert counts[OutboxStatus.PENDING] == 0
        # The next ISO week is a new period.
        clock.advance(7 * DAY)
        assert service(again).period_of(clock.now()) == "2026-W40"
        assert await service(again).run_due() == 4
        await again.drain()
        assert all(len(digests_of(fake, admin)) == 2 for admin in admins)
    finally:
        await again.stop()


async def test_a_user_who_unsubscribed_in_settings_gets_no_digest(
    harness: BotHarness, fake: FakeBotAPI
) -> None:
    quiet, loud = await seed_admins(harness, 2, KUZNETSK, 1000)
    [settings] = await harness.send(quiet, "/settings")
    off = settings.find_button("📰 Weekly digest: on")
    assert off is not None
    await harness.click(quiet, "📰 Weekly digest: on", settings)
    # A second tap on the old button (a slow client) changes nothing and edits nothing.
    update = await harness.press(quiet, settings, str(off["callback_data"]))
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == "The weekly digest is off."
    settings = fake.last_message(quiet.id)
    assert "📰 Weekly digest: off" in settings.button_texts()
    assert "⏰ Reminders to report: on" in settings.button_texts()
    user = await user_row(harness.db, quiet.id)
    assert (user.wants_digest, user.wants_reminders) == (False, True)

    assert await service(harness).run_due() == 1
    await harness.drain()
    assert digests_of(fake, quiet) == []
    assert len(digests_of(fake, loud)) == 1

    # Reminders are switched separately; switching the digest back on takes effect.
    await harness.click(quiet, "⏰ Reminders to report: on")
    await harness.click(quiet, "📰 Weekly digest: off")
    user = await user_row(harness.db, quiet.id)
    assert (user.wants_digest, user.wants_reminders) == (True, False)
    assert await service(harness).run_due() == 1
    await harness.drain()
    assert len(digests_of(fake, quiet)) == 1


async def test_digest_on_demand_shows_figures_change_and_ranks(harness: BotHarness) -> None:
    [admin] = await seed_admins(harness, 1, KUZNETSK, 1000)
    for count, territory, owner, title, history in (
        (1, KUZNETSK, admin.id, "Museum & <Library>", ((20 * DAY, 1000), (2 * DAY, 1250))),
        (3, PENZA, 2000, "Penza {n}", ((DAY, 5000),)),
        (1, KUZNETSK, 2001, "Small {n}", ((DAY, 10),)),
    ):
        await seed_pages(
            harness,
            count,
            territory=territory,
            admin=owner,
            title=title,
            created_at=START - 60 * DAY,
            history=history,
        )
    [answer] = await harness.send(admin, "/digest")
    text = answer.text or ""
    assert text.startswith("📰 Weekly digest")
    assert "Museum & <Library>: 1,250 (+250 over the week)" in text
    # Culture: 3 Penza pages are bigger, one smaller; Kuznetsk: one smaller page.
    assert "Place 4 of 5 in the theme «Culture», 1 of 2 in Kuznetsk (city)" in text
    # The page seeded by seed_admins has no figure yet, but was approved just now: it is
    # not silent (one rule for digests, reminders and lists: tests/test_silence.py).
    assert f"Page {admin.id}: no figure yet" in text
    assert "/report" not in text

    # On demand records nothing: the scheduled digest still comes.
    assert await service(harness).run_due() == 3  # the admin and the two others
    # Someone with no page and no role is told how to register.
    [refusal] = await harness.send(ADMIN_EN, "/digest")
    assert "Register your page with /register" in (refusal.text or "")


async def test_a_coordinator_digest_over_2000_pages_fits_telegram(
    harness: BotHarness, fake: FakeBotAPI
) -> None:
    await harness.send(SUPER, "/settings")
    await harness.click(SUPER, "English")
    rng = random.Random(7)
    hostile = "Дом культуры <{n}> & «библиотека» " + "очень длинное название " * 6
    for territory in range(1, 32):
        count = 2000 // 31 + (1 if territory <= 2000 % 31 else 0)
        # Some pages fell silent long ago, some grew this week.
        await seed_pages(
            harness,
            count,
            territory=territory,
            admin=5000 + territory,
            title=hostile,
            created_at=START - 90 * DAY,
            history=((60 * DAY, rng.randint(100, 900)),)
            if territory % 2
            else ((20 * DAY, 500), (DAY, 500 + territory * 10)),
        )
    # One administrator of 65 pages gets their digest too; the others blocked the bot.
    async with harness.db.write() as repos:
        for territory in range(1, 32):
            if territory != PENZA:
                await repos.users.set_reachable(5000 + territory, False, now=START)
    fake.add_user(FakeUser(id=5000 + PENZA, first_name="Admin", language_code="en"))
    before = len(fake.messages(SUPER.id))
    queued = await service(harness).run_due()
    assert queued == 2
    await harness.drain()
    async with harness.db.read() as repos:
        counts = await repos.outbox.status_counts()
    assert counts[OutboxStatus.FAILED] == 0
    assert counts[OutboxStatus.SENT] > queued  # long digests came in several messages

    parts = fake.messages(SUPER.id)[before:]
    assert len(parts) >= 2
    assert len(fake.messages(5000 + PENZA)) >= 2
    assert (parts[0].text or "").startswith(HEADER)
    whole = "\n".join(part.text or "" for part in parts)
    assert "Fastest-growing territories" in whole
    assert "…and" in whole
    assert all(len(part.text or "") <= 4096 for part in parts)

    # The same digest on demand is answered directly, in the same parts.
    before = len(fake.messages(SUPER.id))
    await harness.send(SUPER, "/digest")
    assert len(fake.messages(SUPER.id)) - before == len(parts)


async def test_a_scoped_coordinator_sees_only_their_territory(
    harness: BotHarness, fake: FakeBotAPI
) -> None:
    for territory, name in ((KUZNETSK, "Kuznetsk"), (PENZA, "Penza")):
        for count, owner, kind, age, history in (
            (3, 5000, "silent", 90 * DAY, ()),
            (3, 6000, "growing", 90 * DAY, ((20 * DAY, 500), (DAY, 900))),
            (1, 7000, "new", DAY, ()),
        ):
            await seed_pages(
                harness,
                count,
                territory=territory,
                admin=owner + territory,
                title=f"{name} {kind} {{n}}",
                created_at=START - age,
                history=history,
            )
    coordinator = fake.add_user(
        FakeUser(id=450, first_name="Petra", username="petra", language_code="en")
    )
    await harness.send(coordinator, "/start")
    await harness.send(SUPER, "/grant @petra Пенза")
    await harness.send(SUPER, "/settings")
    await harness.click(SUPER, "English")

    [scoped, chart] = await harness.send(coordinator, "/digest")
    text = scoped.text or ""
    # The chart that follows is the coordinator's territory's, with its period buttons.
    assert chart.media_kind == "photo"
    assert (chart.caption or "").startswith("📈 Penza (city), the last 30 days")
    assert chart.button_texts() == ["✅ 30 days", "90 days", "365 days"]
    assert "Your territory: Penza (city)" in text
    assert "Penza growing" in text
    assert "Penza silent" in text
    assert "Penza new" in text
    assert "Kuznetsk" not in text
    assert "Subscriptions: 2,703 on 7 pages" in text  # 900 + 901 + 902; the rest have none

    whole = "\n".join(m.text or "" for m in await harness.send(SUPER, "/digest"))
    assert "Kuznetsk growing" in whole
    assert "Penza growing" in whole


async def test_coordinators_get_a_chart_after_the_digest_drawn_once_per_scope_and_language(
    harness: BotHarness, fake: FakeBotAPI
) -> None:
    for territory in (KUZNETSK, PENZA):
        fake.add_user(FakeUser(id=6000 + territory, first_name="Admin", language_code="en"))
        await seed_pages(
            harness,
            2,
            territory=territory,
            admin=6000 + territory,
            title="Growing {n}",
            created_at=START - 90 * DAY,
            history=((20 * DAY, 500), (DAY, 900)),
        )
    region_ru = fake.add_user(FakeUser(id=451, first_name="Анна", username="anna"))
    region_en = fake.add_user(
        FakeUser(id=452, first_name="Ann", username="ann", language_code="en")
    )
    penza_en = fake.add_user(FakeUser(id=453, first_name="Pat", username="pat", language_code="en"))
    for user in (SUPER, region_ru, region_en, penza_en):
        await harness.send(user, "/start")
    await harness.send(SUPER, "/grant @anna")
    await harness.send(SUPER, "/grant @ann")
    await harness.send(SUPER, "/grant @pat Пенза")
    before = len(fake.requests)

    assert await service(harness).run_due() == 6  # 4 coordinators, 2 administrators
    await harness.drain()

    captions = {}
    for user in (SUPER, region_ru, region_en, penza_en):
        *texts, chart = [m for m in fake.messages(user.id) if m.date >= START]
        assert texts
        assert all((m.text or "").startswith(HEADER) for m in texts[-1:])
        assert chart.media_kind == "photo", f"{user.username}: the chart follows the digest"
        assert len(chart.button_texts()) == 3
        captions[user.id] = chart.caption or ""
    assert captions[SUPER.id].startswith("📈 Пензенская область за последние 30 дней")
    assert captions[region_ru.id] == captions[SUPER.id]
    assert captions[region_en.id].startswith("📈 Penza region, the last 30 days")
    assert captions[penza_en.id].startswith("📈 Penza (city), the last 30 days")
    for admin in (6000 + KUZNETSK, 6000 + PENZA):
        assert [m.media_kind for m in fake.messages(admin)] == [None]

    # Three charts drawn (region in Russian and English, Penza in English) and uploaded
    # once each; the fourth is sent by Telegram's file_id of the first.
    photos = [c for c in fake.requests[before:] if c.method == "sendPhoto" and c.ok]
    assert len(photos) == 4
    assert sum(str(c.params["photo"]).startswith("attach://") for c in photos) == 3
    assert await query(harness.db, "SELECT count(*) FROM outbox_files") == [(3,)]

    assert await service(harness).run_due() == 0
    await harness.drain()
    assert len([c for c in fake.requests[before:] if c.method == "sendPhoto"]) == 4


async def test_a_chart_that_cannot_be_drawn_does_not_hold_up_the_digests(
    harness: BotHarness, fake: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> DigestPhoto:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(DigestCharts, "draw", broken)
    [admin] = await seed_admins(harness, 1, KUZNETSK, 1000)
    await harness.send(SUPER, "/start")

    assert await service(harness).run_due() == 2
    await harness.drain()

    assert len(digests_of(fake, SUPER)) == 1
    assert len(digests_of(fake, admin)) == 1
    assert [m for m in fake.sent if m.media_kind == "photo"] == []

    # On demand too: the digest is answered, without the chart and without an error.
    answers = await harness.send(SUPER, "/digest")
    assert [a.text.startswith(HEADER) for a in answers if a.text] == [True]
    assert [m for m in fake.sent if m.media_kind == "photo"] == []


async def test_coordinators_see_the_weeks_newcomers_by_source(
    harness: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    [admin] = await seed_admins(harness, 1, KUZNETSK, 1000)  # came directly
    await harness.send(SUPER, "/start")  # so did the coordinator
    for n, payload in enumerate(["vk_post_0412", "vk_post_0412", "vk_post_0412", "site"]):
        newcomer = fake.add_user(FakeUser(id=3000 + n, first_name=f"N{n}", language_code="ru"))
        await harness.send(newcomer, f"/start {payload}")
    old = fake.add_user(FakeUser(id=4000, first_name="Old", language_code="ru"))
    async with harness.db.write() as repos:  # came two weeks ago: not new this week
        await repos.users.touch(
            old.id, username=None, full_name="Old", language_code="ru", now=START - 14 * DAY
        )
    await harness.send(old, "/start site")
    clock.advance(3600)

    text = "\n".join(m.text or "" for m in await harness.send(SUPER, "/digest"))
    assert "Новых за неделю: 6 (vk_post_0412: 3, напрямую: 2, site: 1)" in text
    await harness.send(SUPER, "/settings")
    await harness.click(SUPER, "English")
    text = "\n".join(m.text or "" for m in await harness.send(SUPER, "/digest"))
    assert "New this week: 6 (vk_post_0412: 3, direct: 2, site: 1)" in text
    [own] = await harness.send(admin, "/digest")
    assert "New this week" not in (own.text or "")
