"""/audit over the fake Bot API: decisions taken in the bot show up, newest first, a page
of ten at a time, within a scoped coordinator's territory, escaped; nobody else reads it."""

from __future__ import annotations

import re

from bot.domain.audit import AuditAction, SubjectKind
from bot.handlers.callbacks import ListCb, ListKind
from tests.builders import KUZNETSK, PENZA
from tests.clock import START
from tests.fakes.bot_api import FakeBotAPI, SentMessage
from tests.flows import NEXT, approve_all, page_id, register_page, translator, walk_text
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

NOT_ALLOWED = "Sorry, your role does not allow this."
STARTED = re.compile(r"^Рассылка начата: #(\d+)$", re.M)


def pending_card(bot: BotHarness, title: str) -> SentMessage:
    """The superadmin's /pending card of the page called `title`."""
    return next(m for m in bot.fake.messages(SUPER.id) if title in (m.text or "") and m.buttons)


async def broadcasts_started(bot: BotHarness, count: int, territory_id: int | None = None) -> None:
    """`count` entries "broadcast #n started", n = 0, 1, ..., a minute apart."""
    async with bot.db.write() as repos:
        for n in range(count):
            await repos.audit.record(
                now=START + 60 * n,
                actor_id=SUPER.id,
                action=AuditAction.BROADCAST_STARTED,
                subject_kind=SubjectKind.BROADCAST,
                subject_id=n,
                territory_id=territory_id,
            )


def shown_broadcasts(text: str) -> list[int]:
    return [int(n) for n in STARTED.findall(text)]


async def test_approvals_and_rejections_are_shown_newest_first_and_escaped(
    bot: BotHarness,
) -> None:
    school, reason = '<b>Школа & "Ко"</b>', '<i>не</i> госпаблик & "дубль"'
    await register_page(bot, ADMIN_EN, title=school, territory="Kuznetsk (city)")
    await register_page(bot, ADMIN, link="https://vk.com/club456", title="Библиотека")
    approved, rejected = await page_id(bot, "vk.com/club123"), await page_id(bot, "vk.com/club456")
    await bot.send(SUPER, "/pending")
    await bot.click(SUPER, "✅ Одобрить", pending_card(bot, school))
    await bot.click(SUPER, "❌ Отклонить", pending_card(bot, "Библиотека"))
    await bot.send(SUPER, reason)

    [listing] = await bot.send(SUPER, "/audit")
    lines = (listing.text or "").split("\n")
    assert lines[0] == "Журнал действий, сначала новые: 1–2 из 2 записей"
    assert lines[2].endswith("· Ольга @olga")
    assert lines[3:5] == [
        f"Страница отклонена: «Библиотека» (#{rejected})",
        f"Причина: {reason}",
    ]
    assert lines[-1] == f"Страница одобрена: «{school}» (#{approved})"
    assert listing.buttons == []


async def test_the_log_pages_by_ten_and_a_forged_page_number_stays_within_it(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await broadcasts_started(bot, 23)
    [listing] = await bot.send(SUPER, "/audit")
    pages = [shown_broadcasts(text) for text in await walk_text(bot, SUPER, listing)]
    assert pages == [list(range(22, 12, -1)), list(range(12, 2, -1)), [2, 1, 0]]

    for forged, expected in ((99, pages[2]), (-5, pages[0])):
        update = await bot.press(SUPER, listing, ListCb(kind=ListKind.AUDIT, page=forged).pack())
        answer = fake.answer_for(update)
        assert answer is not None
        assert not answer.show_alert
        assert shown_broadcasts(listing.text or "") == expected


async def test_a_scoped_coordinator_reads_only_their_territory(bot: BotHarness) -> None:
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Пенза")
    await register_page(
        bot, ADMIN, link="https://vk.com/penza1", title="Пенза-1", territory="город Пенза"
    )
    await register_page(bot, ADMIN_EN, title="Kuznetsk-1", territory="Kuznetsk (city)")
    await approve_all(bot)
    await broadcasts_started(bot, 1, KUZNETSK)
    await broadcasts_started(bot, 1, PENZA)

    [scoped] = await bot.send(OTHER, "/audit")
    text = scoped.text or ""
    assert text.split("\n")[:2] == [
        "Журнал действий, сначала новые: 1–3 из 3 записей",
        "Территория: город Пенза",
    ]
    assert "Страница одобрена: «Пенза-1»" in text
    assert "Роль координатора выдана: Пётр @petr" in text
    assert "Kuznetsk-1" not in text

    [everything] = await bot.send(SUPER, "/audit")
    assert "Kuznetsk-1" in (everything.text or "")
    assert "из 5 записей" in (everything.text or "")


async def test_an_administrator_can_neither_open_nor_turn_the_log(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await broadcasts_started(bot, 12)
    [answer] = await bot.send(ADMIN_EN, "/audit")
    assert answer.text == NOT_ALLOWED

    # A coordinator's role taken away between two pages of the log: the arrows refuse.
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr")
    [listing] = await bot.send(OTHER, "/audit")
    before = listing.text
    await bot.send(SUPER, "/revoke @petr")
    for user, message in ((OTHER, listing), (ADMIN_EN, answer)):
        sent = len(fake.messages(user.id))
        update = await bot.press(user, message, ListCb(kind=ListKind.AUDIT, page=1).pack())
        refusal = fake.answer_for(update)
        assert refusal is not None
        assert refusal.show_alert
        assert refusal.text == translator(bot, user.language_code or "ru")(NOT_ALLOWED)
        assert len(fake.messages(user.id)) == sent
    assert listing.text == before
    assert not listing.edited
    assert listing.find_button(NEXT) is not None


async def test_audit_is_on_the_coordinators_menu_and_help(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(SUPER, "/start")
    menu = fake.commands({"type": "chat", "chat_id": SUPER.id}, "")
    assert {"command": "audit", "description": "Журнал действий: кто что сделал"} in menu
    everyone = fake.commands({"type": "default"}, "en")
    assert "audit" not in {command["command"] for command in everyone}
    for user, present in ((SUPER, True), (ADMIN_EN, False)):
        [help_message] = await bot.send(user, "/help")
        assert ("/audit" in (help_message.text or "")) is present
