"""A wizard step whose subject was decided, deleted, left or rejected meanwhile is refused
once and ends: the user's next message is treated as any other."""

from __future__ import annotations

from bot.domain.catalog import PageStatus
from bot.handlers.callbacks import PageAction, PageCb
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import page_id, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, OTHER, SUPER

ALREADY_DECIDED = "Another coordinator has already decided on this page."
NO_SUCH_PAGE = "There is no such page among yours. See /mypages."
NOT_UNDERSTOOD = "I did not understand. Send /start for the menu or /help."


async def fsm_state(bot: BotHarness, user: FakeUser) -> str | None:
    dispatcher = bot.app.dispatcher
    state = dispatcher.fsm.get_context(bot.app.bot, chat_id=user.id, user_id=user.id)
    return await state.get_state()


async def leave(bot: BotHarness, user: FakeUser, page: int) -> None:
    """The user stops administering the page, with the button of /mypages."""
    t = translator(bot, user.language_code or "ru")
    [*_, card] = await bot.send(user, "/mypages")
    await bot.press(user, card, PageCb(action=PageAction.LEAVE, page_id=page).pack())
    await bot.click(user, t("Yes, leave the page"))
    async with bot.db.read() as repos:
        assert not await repos.pages.is_admin(page, user.id)


async def test_a_reason_for_a_page_decided_meanwhile_ends_the_rejection(bot: BotHarness) -> None:
    t = translator(bot, "ru")
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr")
    await register_page(bot, ADMIN)
    page = await page_id(bot, "vk.com/club123")

    # Coordinator A taps Reject: the bot asks for the reason.
    await bot.send(SUPER, "/pending")
    await bot.click(SUPER, t("❌ Reject"))
    assert await fsm_state(bot, SUPER) is not None
    # Coordinator B approves the same page meanwhile.
    await bot.send(OTHER, "/pending")
    await bot.click(OTHER, t("✅ Approve"))

    [refusal] = await bot.send(SUPER, "Нет описания")
    assert refusal.text == t(ALREADY_DECIDED)
    assert await fsm_state(bot, SUPER) is None
    async with bot.db.read() as repos:
        stored = await repos.pages.get(page)
    assert stored is not None
    assert stored.status is PageStatus.APPROVED

    # The next message is not taken for a reason any more.
    [after] = await bot.send(SUPER, "Спасибо")
    assert after.text == t(NOT_UNDERSTOOD)


async def test_a_figure_for_a_page_left_meanwhile_ends_the_report(bot: BotHarness) -> None:
    t = translator(bot, "ru")
    page = await stored_page(bot, ADMIN)

    [question] = await bot.send(ADMIN, "/report")
    assert "Дом культуры" in (question.text or "")
    await leave(bot, ADMIN, page)
    assert await fsm_state(bot, ADMIN) is not None

    [refusal] = await bot.send(ADMIN, "540")
    assert refusal.text == t(NO_SUCH_PAGE)
    assert await fsm_state(bot, ADMIN) is None
    [after] = await bot.send(ADMIN, "540")
    assert after.text == t(NOT_UNDERSTOOD)


async def test_confirming_a_figure_for_a_page_left_meanwhile_ends_the_report(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    t = translator(bot, "ru")
    page = await stored_page(bot, ADMIN, figure=100)
    [question] = await bot.send(ADMIN, f"/report {page} 100000")
    assert await fsm_state(bot, ADMIN) is not None  # a big change waits for confirmation
    await leave(bot, ADMIN, page)

    confirm = question.find_button(t("Yes, the figure is right"))
    assert confirm is not None
    update = await bot.press(ADMIN, question, str(confirm["callback_data"]))
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.show_alert
    assert answer.text == t(NO_SUCH_PAGE)
    assert await fsm_state(bot, ADMIN) is None
    async with bot.db.read() as repos:
        reports = await repos.reports.history(page, limit=10)
    assert [report.figure for report in reports] == [100]


async def test_a_refused_command_inside_another_wizard_leaves_that_wizard_alone(
    bot: BotHarness,
) -> None:
    t = translator(bot, "ru")
    await bot.send(ADMIN, "/register")
    [refusal] = await bot.send(ADMIN, "/report 999 5")
    assert refusal.text == t(NO_SUCH_PAGE)
    [next_step] = await bot.send(ADMIN, "https://vk.com/club123")
    # Step 2 of the registration: the page's name (after the platform it detected).
    step_two = t("Platform: {platform}.\n\nStep 2 of 6. Send the page's name as people see it.")
    before, after = step_two.split("{platform}")
    assert (next_step.text or "").startswith(before)
    assert (next_step.text or "").endswith(after)
    assert await fsm_state(bot, ADMIN) == "Register:title"
