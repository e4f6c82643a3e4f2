"""The core loop through the real Dispatcher and the fake Bot API over HTTP:
register → approve → report → total, in Russian and in English."""

from __future__ import annotations

from pathlib import Path

from bot.domain.localtime import DAY
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import approve_all, approved_page, page_id, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER


async def test_start_shows_the_menu_in_the_users_language(bot: BotHarness) -> None:
    [ru] = await bot.send(ADMIN, "/start")
    [en] = await bot.send(ADMIN_EN, "/start")
    assert "Иван" in (ru.text or "")
    assert "Пензенская область" in (ru.text or "")
    assert translator(bot, "ru")("📊 Regional total") in ru.button_texts()
    assert "📊 Итог по региону" in ru.button_texts()
    assert "📊 Regional total" in en.button_texts()


async def test_command_menus_are_set_per_language_and_role(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    russian = [c["command"] for c in fake.commands({"type": "default"}, "")]
    english = fake.commands({"type": "default"}, "en")
    assert "total" in russian
    assert "pending" not in russian
    assert any(c["description"] == "Regional total" for c in english)
    await bot.send(SUPER, "/start")
    superadmin = fake.commands({"type": "chat", "chat_id": SUPER.id}, "")
    assert {"pending", "grant", "revoke"} <= {c["command"] for c in superadmin}


async def test_register_approve_report_total_in_russian(bot: BotHarness, fake: FakeBotAPI) -> None:
    answer = await register_page(bot, ADMIN)
    assert "Дом культуры" in answer
    page = await page_id(bot, "vk.com/club123")

    # Pending pages do not count yet.
    await approve_all(bot)
    notice = fake.last_message(ADMIN.id).text or ""
    assert "одобрена" in notice

    assert "12\xa0345" in await bot.reply_text(ADMIN, f"/report {page} 12 345")

    text = await bot.reply_text(ADMIN, "/total")
    assert "Подписки на госпаблики: 12\xa0345" in text
    assert "До 50\xa0000 осталось 37\xa0655" in text
    assert "город Кузнецк" in text

    [mine] = (await bot.send(ADMIN, "/mypages"))[-1:]
    assert "12\xa0345" in (mine.text or "")


async def test_register_approve_report_total_in_english(bot: BotHarness, fake: FakeBotAPI) -> None:
    await approved_page(bot, ADMIN_EN, link="t.me/penza_news")
    assert "approved" in (fake.last_message(ADMIN_EN.id).text or "")

    await bot.send(ADMIN_EN, "/report")
    assert "987,000" in await bot.reply_text(ADMIN_EN, "987000")

    text = await bot.reply_text(ADMIN_EN, "/total")
    assert "Subscriptions to official pages: 987,000" in text
    assert "13,000 to go to 1,000,000" in text
    assert "Telegram" in text


async def test_changes_over_7_and_30_days_come_from_history(
    bot: BotHarness, clock: FakeClock
) -> None:
    page = await stored_page(bot, ADMIN_EN, figure=1000)
    clock.advance(20 * DAY)
    await bot.send(ADMIN_EN, f"/report {page} 1500")
    clock.advance(10 * DAY)
    await bot.send(ADMIN_EN, f"/report {page} 1600")
    [total] = await bot.send(ADMIN_EN, "/total")
    assert "Change over 7 days: +100; over 30 days: +600" in (total.text or "")


async def test_a_restart_in_the_middle_of_the_wizard_resumes_it(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    first = await BotHarness.start(fake, tmp_path, clock)
    await first.send(ADMIN_EN, "/register")
    await first.send(ADMIN_EN, "https://ok.ru/group/555")
    await first.stop()

    second = await BotHarness.start(fake, tmp_path, clock)
    try:
        [answer] = await second.send(ADMIN_EN, "School No. 5")
        assert "Step 3 of 6" in (answer.text or "")
        await second.click(ADMIN_EN, "Penza (city)")
        await second.click(ADMIN_EN, "Institution")
        await second.click(ADMIN_EN, "Education")
        [summary] = (await second.click(ADMIN_EN, "✅ Send for approval"))[-1:]
        assert "School No. 5" in (summary.text or "")
    finally:
        await second.stop()


async def test_language_can_be_changed_in_settings(bot: BotHarness) -> None:
    await bot.send(ADMIN, "/settings")
    [done] = await bot.click(ADMIN, "English")
    assert done.text == "Done: I will speak English now."
    [answer] = await bot.send(ADMIN, "/cancel")
    assert answer.text == "There was nothing to cancel."


async def test_invite_makes_a_co_administrator_once(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    await register_page(bot, ADMIN)
    page = await page_id(bot, "vk.com/club123")
    t = translator(bot, "ru")
    await bot.send(ADMIN, "/mypages")
    [invite] = await bot.click(ADMIN, t("👥 Invite co-admin"))
    link = next(word for word in (invite.text or "").split() if "start=" in word)
    code = link.split("start=", 1)[1]
    assert link.startswith(f"https://t.me/{fake.username}?start=")
    assert code.startswith("inv_")
    assert len(code) == 20

    [joined] = await bot.send(OTHER, f"/start {code}")
    assert "Дом культуры" in (joined.text or "")
    async with bot.db.read() as repos:
        assert await repos.pages.admin_ids(page) == [ADMIN.id, OTHER.id]

    [used] = await bot.send(ADMIN_EN, f"/start {code}")
    assert "already been used" in (used.text or "")

    await bot.send(ADMIN, "/mypages")
    [second] = await bot.click(ADMIN, t("👥 Invite co-admin"))
    late_code = next(w for w in (second.text or "").split() if "start=" in w).split("start=")[1]
    clock.advance(7 * DAY + 1)
    [expired] = await bot.send(ADMIN_EN, f"/start {late_code}")
    assert "expired" in (expired.text or "")


async def test_a_page_left_without_administrators_shows_up_for_coordinators(
    bot: BotHarness,
) -> None:
    await stored_page(bot, ADMIN)
    t = translator(bot, "ru")
    await bot.send(ADMIN, "/mypages")
    await bot.click(ADMIN, t("🚪 Leave"))
    [left] = await bot.click(ADMIN, t("Yes, leave the page"))
    assert "больше нет администратора" in (left.text or "")
    replies = await bot.send(SUPER, "/pending")
    assert any("Дом культуры" in (m.text or "") for m in replies)


async def source_of(bot: BotHarness, user: FakeUser) -> str | None:
    async with bot.db.read() as repos:
        source: str | None = await repos.users.source(user.id)
    return source


async def test_a_campaign_link_greets_like_start_and_records_the_first_source(
    bot: BotHarness,
) -> None:
    [plain] = await bot.send(ADMIN, "/start")
    for payload in ("vk_post_0412", "site", "qr-seminar-2026"):
        [campaign] = await bot.send(ADMIN_EN if payload == "site" else OTHER, f"/start {payload}")
        assert campaign.text is not None
        assert campaign.text.startswith("Hello" if payload == "site" else "Здравствуйте")
    [again] = await bot.send(ADMIN, "/start vk_post_0412")
    assert (again.text, again.button_texts()) == (plain.text, plain.button_texts())
    assert await source_of(bot, ADMIN) == "vk_post_0412"
    assert await source_of(bot, ADMIN_EN) == "site"
    # The first campaign counts; a later one does not replace it.
    assert await source_of(bot, OTHER) == "vk_post_0412"


async def test_a_payload_telegram_would_not_send_is_not_stored(bot: BotHarness) -> None:
    for payload in ("<b>x</b>", "a.b", "я" * 10, "x" * 65):
        [answer] = await bot.send(ADMIN, f"/start {payload}")
        assert "📊 Итог по региону" in answer.button_texts()
    assert await source_of(bot, ADMIN) is None


async def test_a_campaign_label_of_an_invites_old_length_is_a_label(bot: BotHarness) -> None:
    [answer] = await bot.send(ADMIN, "/start vk_post_20260412")
    assert (answer.text or "").startswith("Здравствуйте, Иван!")
    assert await source_of(bot, ADMIN) == "vk_post_20260412"


async def test_a_broken_or_expired_invite_greets_with_a_note(
    bot: BotHarness, clock: FakeClock
) -> None:
    t_ru, t_en = translator(bot, "ru"), translator(bot, "en")
    [answer] = await bot.send(ADMIN, "/start inv_AbCdEfGhIjKlMn0_")  # an invite code's shape
    lines = (answer.text or "").split("\n")
    assert lines[0] == t_ru(
        "This invite link is not valid. Ask the page's administrator for a new one."
    )
    assert lines[2].startswith("Здравствуйте, Иван!")
    assert "📊 Итог по региону" in answer.button_texts()
    assert await source_of(bot, ADMIN) is None

    page = await stored_page(bot, ADMIN)
    async with bot.db.write() as repos:
        await repos.invites.create(
            code="expired-invite01",
            page_id=page,
            created_by=ADMIN.id,
            now=clock.now(),
            expires_at=clock.now() + 60,
        )
    clock.advance(61)
    [answer] = await bot.send(ADMIN_EN, "/start expired-invite01")
    lines = (answer.text or "").split("\n")
    assert lines[0] == t_en(
        "This invite link has expired. Ask the page's administrator for a new one."
    )
    assert lines[2].startswith("Hello, John!")
    assert "📊 Regional total" in answer.button_texts()
