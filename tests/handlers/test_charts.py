"""Growth charts through the bot: the buttons, who may see which chart, the pictures sent."""

from __future__ import annotations

from bot.config import Settings, load_settings
from bot.domain.localtime import DAY
from bot.handlers.callbacks import ChartCb, ChartScope
from tests.checks import assert_png
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, SentMessage, UploadedFile
from tests.flows import stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER


def settings() -> Settings:
    return load_settings(_env_file=None, bot_token="123:TEST")


# --------------------------------------------------------------------------- handlers


def photo_bytes(message: SentMessage) -> bytes:
    uploads = [v for v in message.params.values() if isinstance(v, UploadedFile)]
    assert len(uploads) == 1, message.params
    return uploads[0].data


async def test_the_chart_button_under_total_sends_the_regions_chart(bot: BotHarness) -> None:
    t = translator(bot, "ru")
    await stored_page(bot, ADMIN, figure=12345)
    await bot.send(ADMIN, "/total")

    [chart] = await bot.click(ADMIN, t("📈 Chart"))
    assert chart.method == "sendPhoto"
    assert chart.media_kind == "photo"
    assert_png(photo_bytes(chart))
    assert "Пензенская область" in chart.content
    assert "12\xa0345" in chart.content
    assert "50\xa0000" in chart.content  # the next milestone
    periods = [
        bot.app.i18n.gettext("{days} day", "{days} days", days, locale="ru").format(days=days)
        for days in (30, 90, 365)
    ]
    assert chart.button_texts() == ["✅ " + periods[0], *periods[1:]]

    [year] = await bot.click(ADMIN, periods[2], chart)
    assert year.media_kind == "photo"
    assert "365" in year.content
    assert year.button_texts()[2] == "✅ " + periods[2]


async def test_a_page_card_has_a_chart_of_its_history(bot: BotHarness, clock: FakeClock) -> None:
    page = await stored_page(bot, ADMIN_EN, figure=1000)
    clock.advance(3 * DAY)
    await bot.send(ADMIN_EN, f"/report {page} 1500")
    await bot.send(ADMIN_EN, "/mypages")

    [chart] = await bot.click(ADMIN_EN, "📈 Chart")
    assert_png(photo_bytes(chart))
    assert "Дом культуры" in chart.content
    assert "Now: 1,500 (+500 over the period)" in chart.content
    assert "Next milestone: 5,000" in chart.content


async def test_a_page_without_figures_gets_a_text_instead_of_a_chart(bot: BotHarness) -> None:
    await stored_page(bot, ADMIN_EN)
    await bot.send(ADMIN_EN, "/mypages")
    [answer] = await bot.click(ADMIN_EN, "📈 Chart")
    assert answer.text == "Дом культуры: no figures reported yet."


async def test_someone_elses_page_chart_is_refused(bot: BotHarness, fake: FakeBotAPI) -> None:
    page = await stored_page(bot, ADMIN_EN, figure=1000)
    # OTHER is registered too (a page of their own), but not this page's administrator.
    await stored_page(bot, OTHER, link="ok.ru/group/777", title="Школа")
    await bot.send(OTHER, "/mypages")

    before = len(fake.sent)
    forged = ChartCb(scope=ChartScope.PAGE, subject=page, days=30).pack()
    update = await bot.press(OTHER, fake.last_message(OTHER.id), forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.show_alert
    assert answer.text == translator(bot, "ru")("Sorry, your role does not allow this.")
    assert [m for m in fake.sent[before:] if m.media_kind == "photo"] == []


async def test_the_regions_chart_is_for_registered_users_only(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(OTHER, "/start")
    forged = ChartCb(scope=ChartScope.REGION).pack()
    update = await bot.press(OTHER, fake.last_message(OTHER.id), forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == translator(bot, "ru")(
        "This is for registered page administrators. Register your page with /register."
    )
    assert fake.last_message(OTHER.id).media_kind is None


async def test_a_scoped_coordinator_also_gets_their_territorys_chart(bot: BotHarness) -> None:
    await stored_page(bot, ADMIN, figure=12345)
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Кузнецк")

    [total] = await bot.send(OTHER, "/total")
    t = translator(bot, "ru")
    territory_button = t("📈 Chart: {territory}").format(territory="город Кузнецк")
    assert total.button_texts() == [t("📈 Chart"), territory_button]
    [chart] = await bot.click(OTHER, territory_button)
    assert_png(photo_bytes(chart))
    assert "город Кузнецк" in chart.content
    assert "12\xa0345" in chart.content

    # Region-wide users see the region's button only.
    [plain] = await bot.send(ADMIN, "/total")
    assert plain.button_texts() == [t("📈 Chart")]
