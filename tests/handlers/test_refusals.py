"""What the bot refuses: wrong roles, forged buttons, bad figures, duplicates, unsafe titles."""

from __future__ import annotations

import pytest

from bot.domain.catalog import PageStatus
from bot.handlers.callbacks import (
    BroadcastStopCb,
    ModerationAction,
    ModerationCb,
    PageAction,
    PageCb,
)
from tests.builders import user_row
from tests.fakes.bot_api import FakeBotAPI
from tests.flows import approve_all, page_id, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

NOT_ALLOWED = "Sorry, your role does not allow this."


async def history(bot: BotHarness, page: int) -> list[int]:
    async with bot.db.read() as repos:
        return [report.figure for report in await repos.reports.history(page, limit=100)]


async def test_privileged_commands_are_refused_to_page_admins(bot: BotHarness) -> None:
    for command in ("/pending", "/grant 400", "/revoke 400", "/grant"):
        [answer] = await bot.send(ADMIN_EN, command)
        assert answer.text == NOT_ALLOWED, command
    async with bot.db.read() as repos:
        user = await repos.users.get(OTHER.id)
    assert user is None or not user.is_coordinator


async def test_a_coordinator_cannot_grant(bot: BotHarness) -> None:
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr")
    assert await bot.reply_text(OTHER, "/grant 300") == translator(bot, "ru")(NOT_ALLOWED)


async def test_forged_approval_from_a_page_admin_changes_nothing(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    page = await page_id(bot, "vk.com/club123")
    message = fake.last_message(ADMIN_EN.id)
    forged = ModerationCb(action=ModerationAction.APPROVE, page_id=page).pack()
    update = await bot.press(ADMIN_EN, message, forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == NOT_ALLOWED
    async with bot.db.read() as repos:
        stored = await repos.pages.get(page)
    assert stored is not None
    assert stored.status is PageStatus.PENDING


async def test_a_scoped_coordinator_cannot_reach_outside_their_territory(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(OTHER, "/start")
    [granted] = await bot.send(SUPER, "/grant @petr Пенза")
    assert "город Пенза" in (granted.text or "")
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    page = await page_id(bot, "vk.com/club123")

    [queue] = await bot.send(OTHER, "/pending")
    assert queue.text == translator(bot, "ru")("Nothing waits for approval.")

    forged = ModerationCb(action=ModerationAction.APPROVE, page_id=page).pack()
    update = await bot.press(OTHER, queue, forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == translator(bot, "ru")(NOT_ALLOWED)
    async with bot.db.read() as repos:
        stored = await repos.pages.get(page)
    assert stored is not None
    assert stored.status is PageStatus.PENDING

    # Revoked: the same person loses even their own territory.
    await bot.send(SUPER, "/revoke @petr")
    assert await bot.reply_text(OTHER, "/pending") == translator(bot, "ru")(NOT_ALLOWED)


async def test_garbage_callback_data_is_answered_not_crashed(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [start] = await bot.send(ADMIN_EN, "/start")
    for data in ("md:a:notanumber", "p:Z:1", "nonsense", "kt:999", "kt:x", "kl:nope", "sd:x"):
        update = await bot.press(ADMIN_EN, start, data)
        answer = fake.answer_for(update)
        assert answer is not None, data
        assert answer.show_alert


async def test_someone_elses_page_cannot_be_reported_or_inspected(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    page = await stored_page(bot, ADMIN_EN)
    [answer] = await bot.send(OTHER, f"/report {page} 100")
    assert answer.text == translator(bot, "ru")("There is no such page among yours. See /mypages.")
    [start] = await bot.send(OTHER, "/start")
    for action in (PageAction.HISTORY, PageAction.INVITE, PageAction.REPORT):
        update = await bot.press(OTHER, start, PageCb(action=action, page_id=page).pack())
        alert = fake.answer_for(update)
        assert alert is not None
        assert alert.show_alert
    assert await history(bot, page) == []


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("-5", "The number of subscribers cannot be negative."),
        ("2000000000", "That is more than 1,000,000,000: please check the number."),
        ("12.3", "I cannot tell whether"),
        ("twelve", "There is no number written in digits here."),
        ("1,2345 тыс", "This does not come to a whole number"),
        ("13 000 яблок", "I understood the number 13 000 but not «яблок»."),
        ("всего 13 000 яблок", "I understood the number 13 000 but not «всего», «яблок»."),
        ("12 тысячь", "I understood the number 12 but not «тысячь»."),
        # The user's text is escaped: shown as typed, not taken for markup.
        ("<b>13 000</b>", "I understood the number 13 000 but not «<b>», «</b>»."),
        ("1 & 2", "I understood the number 1 but not «& 2»."),
        ("12  345", "I cannot read «12  345» as one number."),
    ],
)
async def test_bad_figures_are_refused_with_the_reason(
    bot: BotHarness, typed: str, reason: str
) -> None:
    page = await stored_page(bot, ADMIN_EN)
    [answer] = await bot.send(ADMIN_EN, f"/report {page} {typed}")
    assert (answer.text or "").startswith(reason)
    await bot.send(ADMIN_EN, "/report")
    [again] = await bot.send(ADMIN_EN, typed)
    assert (again.text or "").startswith(reason)
    assert await history(bot, page) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("12 345", 12345),
        ("12\u00a0345", 12345),
        ("12.345", 12345),
        ("12,3 тыс", 12300),
        ("12 тысяч", 12000),
        ("12,5 тысяч", 12500),
        ("13 000 подписчиков", 13000),
        ("13 300.", 13300),
        ("≈13 400", 13400),
        ("около 13,4k members!", 13400),
    ],
)
async def test_figures_typed_the_usual_ways_are_accepted(
    bot: BotHarness, typed: str, stored: int
) -> None:
    page = await stored_page(bot, ADMIN_EN)
    await bot.send(ADMIN_EN, f"/report {page} {typed}")
    assert await history(bot, page) == [stored]


async def test_a_big_change_asks_for_confirmation(bot: BotHarness) -> None:
    page = await stored_page(bot, ADMIN_EN, figure=1000)
    [question] = await bot.send(ADMIN_EN, f"/report {page} 400")
    assert "big change" in (question.text or "")
    assert await history(bot, page) == [1000]
    await bot.click(ADMIN_EN, "No, I will type it again")
    [question] = await bot.send(ADMIN_EN, "20000")
    assert "big change" in (question.text or "")
    [saved] = await bot.click(ADMIN_EN, "Yes, the figure is right")
    assert "20,000" in (saved.text or "")
    assert await history(bot, page) == [20000, 1000]


async def test_an_update_delivered_twice_stores_one_report(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    page = await stored_page(bot, ADMIN_EN)
    update = fake.message_update(ADMIN_EN, f"/report {page} 777")
    await bot.feed(update)
    await bot.feed(update)
    assert await history(bot, page) == [777]


async def test_a_pending_page_takes_no_figures(bot: BotHarness) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    page = await page_id(bot, "vk.com/club123")
    [answer] = await bot.send(ADMIN_EN, f"/report {page} 10")
    assert "not approved yet" in (answer.text or "")


async def test_a_duplicate_link_is_refused_with_the_existing_name(bot: BotHarness) -> None:
    await register_page(bot, ADMIN, title="Администрация Кузнецка")
    await bot.send(ADMIN_EN, "/register")
    [answer] = await bot.send(ADMIN_EN, "HTTPS://m.VK.com/Club123/?from=feed")
    assert "already registered as Администрация Кузнецка" in (answer.text or "")
    # Still in the wizard: another link is taken.
    [next_step] = await bot.send(ADMIN_EN, "https://vk.com/club999")
    assert "Step 2 of 6" in (next_step.text or "")


async def test_a_link_that_is_not_a_link_is_refused(bot: BotHarness) -> None:
    await bot.send(ADMIN_EN, "/register")
    assert "does not look like a link" in await bot.reply_text(ADMIN_EN, "my page")


async def test_an_unknown_site_asks_for_the_platform(bot: BotHarness) -> None:
    await bot.send(ADMIN_EN, "/register")
    [question] = await bot.send(ADMIN_EN, "https://penza.gov.ru/news")
    assert question.text == "Which platform is this page on?"
    [step] = await bot.click(ADMIN_EN, "Other site")
    assert "Other site" in (step.text or "")


async def test_a_title_with_html_is_shown_as_typed(bot: BotHarness, fake: FakeBotAPI) -> None:
    """The fake Bot API rejects unescaped markup with 400, as Telegram does."""
    title = '<b>Школа & "Ко"</b>'
    answer = await register_page(bot, ADMIN_EN, title=title, territory="Kuznetsk (city)")
    assert title in answer
    await approve_all(bot)
    assert title in (fake.last_message(ADMIN_EN.id).text or "")
    replies = await bot.send(ADMIN_EN, "/mypages")
    assert any(title in (m.text or "") for m in replies)
    [total] = await bot.send(ADMIN_EN, "/total")
    assert total.text is not None


async def test_total_is_for_registered_users(bot: BotHarness) -> None:
    [answer] = await bot.send(OTHER, "/total")
    assert "Зарегистрируйте" in (answer.text or "") or "/register" in (answer.text or "")
    [coordinator] = await bot.send(SUPER, "/total")
    assert "Пензенская область" in (coordinator.text or "")


async def test_stale_buttons_are_answered(bot: BotHarness, fake: FakeBotAPI) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    level_message = bot.with_button(ADMIN_EN, "Federal body")
    update = await bot.press(ADMIN_EN, level_message, level_message.buttons[0]["callback_data"])
    answer = fake.answer_for(update)
    assert answer is not None
    assert "no longer active" in (answer.text or "")


async def test_cancel_leaves_the_wizard(bot: BotHarness) -> None:
    await bot.send(ADMIN_EN, "/register")
    assert await bot.reply_text(ADMIN_EN, "/cancel") == "Cancelled."
    assert "did not understand" in await bot.reply_text(ADMIN_EN, "https://vk.com/club5")


async def test_a_user_who_blocked_the_bot_is_marked_and_comes_back_on_start(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    fake.block(ADMIN_EN.id)
    await approve_all(bot)  # the approval notice gets 403 (approve_all waits for it)
    user = await user_row(bot.db, ADMIN_EN.id)
    assert not user.reachable
    fake.unblock(ADMIN_EN.id)
    await bot.send(ADMIN_EN, "/start")
    user = await user_row(bot.db, ADMIN_EN.id)
    assert user.reachable


async def test_a_missing_broadcast_is_called_a_broadcast(bot: BotHarness, fake: FakeBotAPI) -> None:
    [start] = await bot.send(SUPER, "/start")
    update = await bot.press(SUPER, start, BroadcastStopCb(broadcast_id=999).pack())
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == translator(bot, "ru")("There is no such broadcast. See /broadcasts.")
