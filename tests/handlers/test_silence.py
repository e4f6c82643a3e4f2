"""One definition of a silent page: the administrators' digest, the coordinators' list,
the report reminders and the broadcast segment "has not reported for N days" call the
same pages silent. A second definition drifting away from the others fails here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.domain.digests import SILENT_DAYS
from bot.domain.localtime import DAY
from bot.domain.segments import Segment
from bot.jobs import Jobs
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import stored_page, translator
from tests.harness import BotHarness
from tests.users import SUPER

# Each administrator has one page; the title says what happened to it.
REPORTED_LONG_AGO = FakeUser(id=501, first_name="Анна", username="anna", language_code="ru")
APPROVED_LONG_AGO = FakeUser(id=502, first_name="Борис", username="boris", language_code="ru")
REPORTED_YESTERDAY = FakeUser(id=503, first_name="Вера", username="vera", language_code="ru")
APPROVED_RECENTLY = FakeUser(id=504, first_name="Глеб", username="gleb", language_code="ru")
TITLES = {
    REPORTED_LONG_AGO.id: "Сообщали давно",
    APPROVED_LONG_AGO.id: "Одобрена давно",
    REPORTED_YESTERDAY.id: "Сообщали вчера",
    APPROVED_RECENTLY.id: "Одобрена недавно",
}
SILENT = {REPORTED_LONG_AGO.id, APPROVED_LONG_AGO.id}


@pytest.fixture
async def harness(fake: FakeBotAPI, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    # Reminders and digests use the same number of days: the same pages are due.
    bot = await BotHarness.start(
        fake,
        tmp_path,
        clock,
        superadmin_ids=str(SUPER.id),
        reminder_days=SILENT_DAYS,
        delivery_per_chat_interval_seconds=0,
    )
    try:
        yield bot
    finally:
        await bot.stop()


async def add_page(bot: BotHarness, admin: FakeUser) -> int:
    link = f"https://vk.com/club{admin.id}"
    return await stored_page(bot, admin, link=link, title=TITLES[admin.id])


async def texts(bot: BotHarness, user: FakeUser, command: str) -> str:
    return "\n".join(message.text or "" for message in await bot.send(user, command))


async def test_digest_reminders_coordinators_list_and_segments_agree_on_silence(
    harness: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    bot, t = harness, translator(harness, "ru")
    now = clock.now() + 50 * DAY
    admins = [REPORTED_LONG_AGO, APPROVED_LONG_AGO, REPORTED_YESTERDAY, APPROVED_RECENTLY]
    await bot.send(SUPER, "/start")
    for admin in admins:
        await bot.send(admin, "/start")

    # 50 days ago: two pages approved.
    long_ago = await add_page(bot, REPORTED_LONG_AGO)
    yesterday = await add_page(bot, REPORTED_YESTERDAY)
    # 40 days ago: one page approved and never reported, one page reported.
    clock.current = now - 40 * DAY
    await add_page(bot, APPROVED_LONG_AGO)
    await bot.send(REPORTED_LONG_AGO, f"/report {long_ago} 100")
    # 2 days ago: a page approved and never reported; yesterday: a report.
    clock.current = now - 2 * DAY
    await add_page(bot, APPROVED_RECENTLY)
    clock.current = now - DAY
    await bot.send(REPORTED_YESTERDAY, f"/report {yesterday} 200")
    clock.current = now

    # The administrators' digest flags the page of each silent administrator.
    warning = bot.app.i18n.gettext(
        "⚠️ No report for {days} day or more: send the figure with /report {id}",
        "⚠️ No report for {days} days or more: send the figure with /report {id}",
        SILENT_DAYS,
        locale="ru",
    )
    warning_start = warning.split("{days}")[0]
    flagged = {admin.id for admin in admins if warning_start in await texts(bot, admin, "/digest")}

    # The coordinators' digest lists the silent pages under their heading.
    overview = await texts(bot, SUPER, "/digest")
    heading = bot.app.i18n.gettext(
        "<b>No report for {days} days or more: {count} page</b>",
        "<b>No report for {days} days or more: {count} pages</b>",
        len(TITLES),
        locale="ru",
    )
    heading_start = heading.split("{days}")[0].removeprefix("<b>")
    assert heading_start in overview
    silent_part = overview.split(heading_start, 1)[1]
    listed = {user for user, title in TITLES.items() if title in silent_part}

    # The reminders go to the administrators of silent pages.
    jobs: Jobs = bot.app.dispatcher["jobs"]
    before = len(fake.sent)
    await jobs.reminders.run_due()
    await bot.drain()
    reminded = {
        message.chat_id
        for message in fake.sent[before:]
        if t("🔢 Report now") in message.button_texts()
    }

    # A broadcast to "has not reported for N days" reaches the same administrators.
    async with bot.db.read() as repos:
        segment = await repos.audience.recipients(Segment(silent_days=SILENT_DAYS), now=now)

    assert flagged == SILENT
    assert listed == SILENT
    assert reminded == SILENT
    assert set(segment) == SILENT
