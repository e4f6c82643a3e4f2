"""Steps a user takes through the bot, shared by the handler tests: each one talks to the
real Dispatcher over the fake Bot API, as Telegram would."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.links import parse_link
from bot.domain.messages import MESSAGE_LIMIT
from tests.builders import KUZNETSK, add_page, add_user
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage, utf16_length
from tests.harness import BotHarness
from tests.users import SUPER

NEXT, PREVIOUS = "▶️", "◀️"


def translator(bot: BotHarness, locale: str) -> Callable[[str], str]:
    """The bot's own translation of a message id into `locale`."""

    def translate(message_id: str) -> str:
        return bot.app.i18n.gettext(message_id, locale=locale)

    return translate


async def register_page(
    bot: BotHarness,
    user: FakeUser,
    *,
    link: str = "https://vk.com/club123",
    title: str = "Дом культуры",
    territory: str = "город Кузнецк",
) -> str:
    """Walks the /register wizard with the user's language; returns the last answer."""
    t = translator(bot, user.language_code or "ru")
    await bot.send(user, "/register")
    await bot.send(user, link)
    await bot.send(user, title)
    await bot.click(user, territory)
    await bot.click(user, t("Municipal"))
    await bot.click(user, t("Culture"))
    replies = await bot.click(user, t("✅ Send for approval"))
    return replies[-1].text or ""


async def approved_page(
    bot: BotHarness,
    user: FakeUser,
    *,
    link: str = "https://vk.com/club123",
    title: str = "Дом культуры",
    territory: str | None = None,
    figure: int | None = None,
) -> int:
    """A page `user` registers with /register (in their language; Kuznetsk unless told)
    and the superadmin approves with /pending; then `user` reports its first `figure`, if
    given, with /report. Returns its id."""
    if territory is None:
        territory = "Kuznetsk (city)" if user.language_code == "en" else "город Кузнецк"
    await register_page(bot, user, link=link, title=title, territory=territory)
    await approve_all(bot)
    page = await page_id(bot, parse_link(link).key)
    if figure is not None:
        await bot.send(user, f"/report {page} {figure}")
    return page


async def stored_page(
    bot: BotHarness,
    user: FakeUser,
    figure: int | None = None,
    *,
    territory_id: int = KUZNETSK,
    link: str = "https://vk.com/club123",
    title: str = "Дом культуры",
) -> int:
    """What `approved_page` leaves, written to the database instead of walked through
    /register and /pending: `user` and the superadmin have started the bot and are known
    in their languages; `user` administers the page `title` at `link` in `territory_id`
    (Kuznetsk unless told), registered and approved by the superadmin now on the bot's
    clock; then `user` reports its first `figure`, if given, with /report. Returns its id.

    For tests of what comes after a page is approved: the wizard and the approval have
    tests of their own, and walking them costs each test some nine seconds of Telegram's
    per-chat pacing."""
    parsed = parse_link(link)
    assert parsed.platform is not None
    now = bot.clock.now()
    for person in (SUPER, user):  # both have written to the bot on the wizard's path
        bot.fake.add_user(person)
    async with bot.db.write() as repos:
        await add_user(repos, SUPER, now=now)
        await add_user(repos, user, now=now)
        page = await add_page(
            repos,
            parsed.key,
            url=parsed.url,
            platform=parsed.platform.value,
            title=title,
            territory_id=territory_id,
            created_by=user.id,
            decided_by=SUPER.id,
            now=now,
        )
    if figure is not None:
        await bot.send(user, f"/report {page} {figure}")
    return page


async def claim(bot: BotHarness, user: FakeUser, link: str) -> str:
    """The user sends the link of a page nobody administers to /register and claims it
    (in their language); returns the last answer."""
    t = translator(bot, user.language_code or "ru")
    await bot.send(user, "/register")
    await bot.send(user, link)
    replies = await bot.click(user, t("🙋 Claim this page"))
    return replies[-1].text or ""


async def alert(bot: BotHarness, user: FakeUser, message: SentMessage, data: str) -> str:
    """The user presses a button with (possibly forged) callback `data` under `message`;
    returns the text of the bot's answer to the tap."""
    update = await bot.press(user, message, data)
    answer = bot.fake.answer_for(update)
    assert answer is not None
    return answer.text or ""


async def approve_all(bot: BotHarness) -> None:
    """The superadmin approves every pending page through /pending."""
    t = translator(bot, "ru")
    approve = t("✅ Approve")
    await bot.send(SUPER, "/pending")
    tapped: set[int] = set()
    # Each card once: a card whose page was decided elsewhere keeps its button.
    while cards := [
        m
        for m in bot.fake.messages(SUPER.id)
        if m.find_button(approve) is not None and m.message_id not in tapped
    ]:
        tapped.add(cards[-1].message_id)
        await bot.click(SUPER, approve, cards[-1])
    await bot.drain()  # the administrators' notices go through the delivery queue


async def page_id(bot: BotHarness, link_key: str) -> int:
    async with bot.db.read() as repos:
        page = await repos.pages.by_link_key(link_key)
    assert page is not None
    return int(page.id)


async def compose(bot: BotHarness, author: FakeUser, text: str) -> None:
    """The author starts a broadcast of `text` (up to its preview)."""
    await bot.send(author, "/broadcast")
    await bot.send(author, text)


async def send_draft(bot: BotHarness, author: FakeUser, locale: str = "ru") -> None:
    """The author, speaking `locale`, previews the broadcast they composed and sends it;
    returns once the delivery queue has sent every copy."""
    t = translator(bot, locale)
    await bot.click(author, t("👁 Preview"))
    await bot.click(author, t("📨 Send"))
    await bot.drain()


def fits(message: SentMessage) -> bool:
    return utf16_length(message.text or "") <= MESSAGE_LIMIT


async def walk_text(bot: BotHarness, user: FakeUser, message: SentMessage) -> list[str]:
    """Every page of a list shown in one message, by ▶️ to the end and ◀️ back again."""
    texts = [message.text or ""]
    assert fits(message)
    while message.find_button(NEXT) is not None:
        await bot.click(user, NEXT, message)
        message = next(m for m in bot.fake.messages(user.id) if m.message_id == message.message_id)
        assert fits(message)
        texts.append(message.text or "")
    backwards = [texts[-1]]
    while message.find_button(PREVIOUS) is not None:
        await bot.click(user, PREVIOUS, message)
        message = next(m for m in bot.fake.messages(user.id) if m.message_id == message.message_id)
        backwards.append(message.text or "")
    assert backwards[::-1] == texts
    return texts


async def create_seminar(
    bot: BotHarness,
    author: FakeUser,
    *,
    audience: str | None = None,
    title: str = "SMM <basics>",
    start: str = "01.10.2026 10:00",
    capacity: str = "2",
) -> list[SentMessage]:
    """Walk /seminar_new as a Russian-speaking coordinator: the default academic hours,
    and as the audience the territory named `audience` (None: nothing narrowed, everyone
    the coordinator may invite); returns the preview's messages."""
    await bot.send(author, "/seminar_new")
    await bot.send(author, title)
    await bot.send(author, "Как вести госпаблик & не выгореть")
    await bot.send(author, start)
    await bot.click(author, "90 мин")
    await bot.click(author, "✅ 2 (по умолчанию)")
    await bot.send(author, "https://example.org/room?a=1&b=2")
    await bot.send(author, capacity)
    if audience is not None:
        await bot.click(author, "🗺 Территория")
        await bot.click(author, audience)
        await bot.click(author, "⬅️ Готово")
    return await bot.click(author, "✅ Готово")


async def territory_name(bot: BotHarness, territory_id: int, locale: str = "ru") -> str:
    async with bot.db.read() as repos:
        territory = await repos.territories.get(territory_id)
    assert territory is not None
    return territory.name(locale)


def announcements(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if (m.text or "").startswith("📣")]


async def announced_seminar(bot: BotHarness, *registering: FakeUser, capacity: str = "2") -> None:
    """The superadmin announces `create_seminar`'s seminar to everyone; each of
    `registering` then taps "I will attend" on their announcement."""
    await bot.send(SUPER, "/start")
    await create_seminar(bot, SUPER, capacity=capacity)
    await bot.click(SUPER, "📣 Объявить")
    await bot.drain()
    for admin in registering:
        await bot.click(admin, "✅ I will attend", announcements(bot.fake, admin)[0])
