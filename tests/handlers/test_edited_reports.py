"""An edited figure message never reports anew and never passes unnoticed: the user is
told that the report kept its figure and how to correct it."""

from __future__ import annotations

import copy
import re
from typing import Any

from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN


def plain(html: str) -> str:
    """The text the user sees: what the fake keeps of an HTML message."""
    return re.sub(r"</?b>", "", html)


def edited(update: dict[str, Any], text: str, *, at: int) -> dict[str, Any]:
    """Telegram's update for an edit of the message of `update`: the same message id,
    the new text, an `edit_date`, under a new update id."""
    message = copy.deepcopy(update["message"])
    message["text"] = text
    message["edit_date"] = at
    message.pop("entities", None)
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update["update_id"] + 1000, "edited_message": message}


async def say(bot: BotHarness, fake: FakeBotAPI, user: FakeUser, text: str) -> dict[str, Any]:
    update: dict[str, Any] = fake.message_update(user, text)
    await bot.feed(update)
    return update


async def edit(
    bot: BotHarness, fake: FakeBotAPI, user: FakeUser, update: dict[str, Any], text: str
) -> list[SentMessage]:
    before = len(fake.sent)
    await bot.feed(edited(update, text, at=update["message"]["date"] + 60))
    return [m for m in fake.sent[before:] if m.chat_id == user.id]


async def figures(bot: BotHarness, page: int) -> tuple[list[int], int | None]:
    async with bot.db.read() as repos:
        history = [report.figure for report in await repos.reports.history(page, limit=100)]
        stored = await repos.pages.get(page)
    assert stored is not None
    return history, stored.current_figure


async def test_an_edited_figure_is_answered_with_how_to_correct_it(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    t = translator(bot, "ru")
    page = await stored_page(bot, ADMIN)

    await bot.send(ADMIN, "/report")
    figure = await say(bot, fake, ADMIN, "540")
    [answer] = await edit(bot, fake, ADMIN, figure, "5400")
    assert answer.text == plain(
        t(
            "Editing a message does not change a report: <b>{title}</b> keeps the figure "
            "{figure}. To correct it, send /report {id} {corrected}."
        ).format(title="Дом культуры", figure="540", id=page, corrected=5400)
    )
    # Not a new report, and the figure stays until the user corrects it.
    assert await figures(bot, page) == ([540], 540)

    [saved] = await bot.send(ADMIN, f"/report {page} 5400")
    assert "5\xa0400" in (saved.text or "")
    assert await figures(bot, page) == ([5400, 540], 5400)


async def test_an_edited_short_report_is_answered_in_the_users_language(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    page = await stored_page(bot, ADMIN_EN)

    command = await say(bot, fake, ADMIN_EN, f"/report {page} 540")
    [answer] = await edit(bot, fake, ADMIN_EN, command, f"/report {page} 5,400")
    assert answer.text == (
        "Editing a message does not change a report: Дом культуры keeps the figure 540."
        f" To correct it, send /report {page} 5400."
    )
    [unclear] = await edit(bot, fake, ADMIN_EN, command, f"/report {page} lots")
    assert (unclear.text or "").endswith(
        f"To correct it, send /report {page} and the right figure."
    )
    assert await figures(bot, page) == ([540], 540)


async def test_a_confirmed_big_change_is_recognised_when_edited(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    t = translator(bot, "ru")
    page = await stored_page(bot, ADMIN, figure=100)
    big = await say(bot, fake, ADMIN, f"/report {page} 54000")
    await bot.click(ADMIN, t("Yes, the figure is right"))
    [answer] = await edit(bot, fake, ADMIN, big, f"/report {page} 5400")
    assert f"/report {page} 5400" in (answer.text or "")
    assert await figures(bot, page) == ([54000, 100], 54000)


async def test_edits_of_other_messages_are_ignored(bot: BotHarness, fake: FakeBotAPI) -> None:
    page = await stored_page(bot, ADMIN)

    chatter = await say(bot, fake, ADMIN, "привет")
    assert await edit(bot, fake, ADMIN, chatter, "5400") == []
    refused = await say(bot, fake, ADMIN, f"/report {page} -5")  # refused: nothing stored
    assert await edit(bot, fake, ADMIN, refused, f"/report {page} 5400") == []
    report = await say(bot, fake, ADMIN, f"/report {page} 540")
    assert await edit(bot, fake, ADMIN, report, f"/report {page}  540") == []  # same figure
    assert await figures(bot, page) == ([540], 540)


def test_polling_asks_telegram_for_edited_messages(bot: BotHarness) -> None:
    assert "edited_message" in bot.app.dispatcher.resolve_used_update_types()
