"""Handing a page over: one link, and when it is opened the recipient administers the
page and its giver has left it."""

from __future__ import annotations

from tests.fakes.bot_api import FakeUser
from tests.flows import stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER


async def link_code(bot: BotHarness, user: FakeUser, button: str) -> str:
    """The invite code of the link `user` gets from `button` under their page's card."""
    await bot.send(user, "/mypages")
    [answer] = await bot.click(user, translator(bot, user.language_code or "ru")(button))
    link = next(word for word in (answer.text or "").split() if "start=" in word)
    return link.split("start=", 1)[1]


async def admins(bot: BotHarness, page: int) -> list[int]:
    async with bot.db.read() as repos:
        return await repos.pages.admin_ids(page)


async def test_a_hand_over_moves_the_page_in_one_step(bot: BotHarness) -> None:
    page = await stored_page(bot, ADMIN)
    code = await link_code(bot, ADMIN, "🤝 Hand over")
    assert "вы покинете страницу" in bot.last_text(ADMIN)

    [joined] = await bot.send(OTHER, f"/start {code}")
    assert "Дом культуры" in (joined.text or "")
    assert await admins(bot, page) == [OTHER.id]
    await bot.drain()
    assert bot.last_text(ADMIN) == (
        "Пётр @petr (id 400) принял(а) страницу Дом культуры: вы больше не её администратор."
    )
    [mine] = await bot.send(ADMIN, "/mypages")
    assert mine.text == translator(bot, "ru")("You have no pages yet. Register one with /register.")
    # Handed over, not orphaned: coordinators have nothing to do.
    [queue] = await bot.send(SUPER, "/pending")
    assert queue.text == translator(bot, "ru")("Nothing waits for approval.")

    # The link is spent: opening it again changes nothing, for anyone.
    await bot.send(OTHER, f"/start {code}")
    [used] = await bot.send(ADMIN, f"/start {code}")
    assert (used.text or "").startswith(
        translator(bot, "ru")("This invite link has already been used. Ask for a new one.")
    )
    assert await admins(bot, page) == [OTHER.id]


async def test_a_co_administrator_takes_a_page_over(bot: BotHarness) -> None:
    page = await stored_page(bot, ADMIN)
    await bot.send(ADMIN_EN, f"/start {await link_code(bot, ADMIN, '👥 Invite co-admin')}")
    assert await admins(bot, page) == [ADMIN.id, ADMIN_EN.id]
    code = await link_code(bot, ADMIN, "🤝 Hand over")
    await bot.send(ADMIN, f"/start {code}")  # the giver's own link changes nothing
    assert await admins(bot, page) == [ADMIN.id, ADMIN_EN.id]
    await bot.send(ADMIN_EN, f"/start {code}")
    assert await admins(bot, page) == [ADMIN_EN.id]


async def test_the_recipient_takes_the_page_even_when_the_giver_left_first(
    bot: BotHarness,
) -> None:
    page = await stored_page(bot, ADMIN)
    code = await link_code(bot, ADMIN, "🤝 Hand over")
    t = translator(bot, "ru")
    await bot.click(ADMIN, t("🚪 Leave"))
    await bot.click(ADMIN, t("Yes, leave the page"))
    assert await admins(bot, page) == []
    told = len(bot.fake.messages(ADMIN.id))

    await bot.send(OTHER, f"/start {code}")
    await bot.drain()
    assert await admins(bot, page) == [OTHER.id]
    assert len(bot.fake.messages(ADMIN.id)) == told  # nothing to tell who had gone
    [queue] = await bot.send(SUPER, "/pending")
    assert queue.text == t("Nothing waits for approval.")
