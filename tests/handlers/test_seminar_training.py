"""Training figures through the bot: /training against a hand-computed example, a scoped
coordinator, the digest's training block, the training segments of /broadcast, and the
role checks."""

from __future__ import annotations

import pytest

from bot.domain.catalog import PageStatus
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.domain.segments import Segment, SeminarGroup
from bot.services.broadcasts import BroadcastService
from bot.services.errors import SeminarNotFound
from bot.storage.seminars import Seminar
from tests.builders import KUZNETSK, PENZA, add_page, add_user, mark_attended
from tests.clock import START
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import alert, compose, send_draft
from tests.harness import BotHarness
from tests.users import SUPER

COORD = FakeUser(id=600, first_name="Cora", language_code="en")
COORD_PENZA = FakeUser(id=700, first_name="Pete", language_code="en")
# Administrators: 1, 2 and 7 of pages in Penza; 3, 4, 5 and 8 in Kuznetsk. Walk-in 6
# administers nothing.
PEOPLE = {
    n: FakeUser(id=1000 + n, first_name=f"Person {n}", language_code="en") for n in range(1, 9)
}
PAGES = {1: PENZA, 2: PENZA, 7: PENZA, 3: KUZNETSK, 4: KUZNETSK, 5: KUZNETSK, 8: KUZNETSK}
LAST_YEAR_END = 1_765_360_800  # 2025-12-10 10:00 UTC


def uid(n: int) -> int:
    return PEOPLE[n].id


async def seed(bot: BotHarness) -> dict[str, int]:
    """The hand-computed example (now is START, 2026-09-21):

    - S1, Penza, 2 academic hours, ended 10 days ago: registered 1, 2, 3; came 1, 3 and
      walk-in 6; rated 5 (by 1) and 4 (by 3), 6 asked and not rated;
    - S2, the whole region, 3 hours, ended 5 days ago: registered 2, 5; came 5; rated 3;
    - S3, Kuznetsk, cancelled, ended 3 days ago: registered and came 4 (never counts);
    - S4, Penza, starts in 2 days: registered 2;
    - S5, Penza, 4 hours, ended on 10 December 2025: came 2 (unregistered).
    """
    for user in (COORD, COORD_PENZA, *PEOPLE.values()):
        bot.fake.add_user(user)
    old = START - 400 * DAY
    async with bot.db.write() as repos:
        for user in (SUPER, COORD, COORD_PENZA, *PEOPLE.values()):
            await add_user(repos, user, now=old)
        await repos.users.set_coordinator(COORD.id, is_coordinator=True, territory_id=None)
        await repos.users.set_coordinator(COORD_PENZA.id, is_coordinator=True, territory_id=PENZA)
        for n, territory in PAGES.items():
            await add_page(
                repos, f"vk.com/p{n}", created_by=uid(n), territory_id=territory, now=old
            )
        await add_page(  # pending: never counted
            repos, "vk.com/pending", created_by=uid(1), territory_id=PENZA,
            status=PageStatus.PENDING,
        )  # fmt: skip

        async def seminar(
            title: str, ends: int, hours: int, audience: Segment, cancelled: bool = False
        ) -> int:
            return await repos.seminars.create(
                Seminar(
                    id=0, title=title, description="", starts_at=ends - 90 * 60,
                    duration_minutes=90, place="Zoom", capacity=None, segment=audience,
                    created_by=SUPER.id, created_at=old, academic_hours=hours,
                    cancelled_at=ends - DAY if cancelled else None,
                )
            )  # fmt: skip

        penza, kuznetsk = (
            Segment(territories=frozenset({PENZA})),
            Segment(territories=frozenset({KUZNETSK})),
        )
        ids = {
            "s1": await seminar("One <first>", START - 10 * DAY, 2, penza),
            "s2": await seminar("Two", START - 5 * DAY, 3, Segment()),
            "s3": await seminar("Three", START - 3 * DAY, 1, kuznetsk, cancelled=True),
            "s4": await seminar("Four", START + 2 * DAY, 1, penza),
            "s5": await seminar("Five", LAST_YEAR_END, 4, penza),
        }
        for name, people in {"s1": (1, 2, 3), "s2": (2, 5), "s3": (4,), "s4": (2,)}.items():
            for n in people:
                await repos.seminars.register(ids[name], uid(n), now=old)
    came = {"s1": (1, 3, 6), "s2": (5,), "s3": (4,), "s5": (2,)}
    ends = {"s1": START - 10 * DAY, "s2": START - 5 * DAY, "s3": START - 3 * DAY}
    ends["s5"] = LAST_YEAR_END
    for name, people in came.items():
        for n in people:
            await mark_attended(bot.db, ids[name], uid(n), now=ends[name])
    asked = START - 9 * DAY
    async with bot.db.write() as repos:
        await repos.feedback.ask(ids["s1"], uid(6), now=asked)
        for held, n, rating, at in [
            ("s1", 1, 5, asked),
            ("s1", 3, 4, asked),
            ("s2", 5, 3, START - 4 * DAY),
        ]:
            await repos.feedback.rate(ids[held], uid(n), rating, now=at)
    return ids


@pytest.fixture
async def example(bot: BotHarness) -> dict[str, int]:
    return await seed(bot)


def current(bot: BotHarness, message: SentMessage) -> str:
    """The message's text as it is now (after edits)."""
    [now] = [m for m in bot.fake.messages(message.chat_id) if m.message_id == message.message_id]
    return now.text or ""


def figures(text: str) -> list[str]:
    """The report's six figure lines, from "Seminars held" on."""
    lines = text.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("Seminars held"))
    return lines[first : first + 6]


@pytest.mark.usefixtures("example")
async def test_training_figures_match_the_hand_computed_example(bot: BotHarness) -> None:
    [screen] = await bot.send(COORD, "/training")
    text = screen.text or ""
    assert figures(text) == [
        # Held this year: S1 and S2 (S3 cancelled, S4 not yet, S5 last year).
        "Seminars held: 2 (5 academic hours taught)",
        "People trained: 4",  # 1, 3, walk-in 6 and 5
        "Academic hours delivered to participants: 9",  # 3 × 2 + 1 × 3
        "Attendance: 3 of 5 registered people came (60%)",
        "Average rating: 4.0 of 5 (3 ratings)",  # (5 + 4 + 3) / 3
        # Trained administrators: 1, 3 (S1), 5 (S2), 2 (S5); 4 only at the cancelled S3.
        "Pages with a trained administrator: 4 of 7 (57%)",
    ]
    kuznetsk = text.index("Kuznetsk (city): 2 of 4 (50%)")
    assert kuznetsk < text.index("Penza (city): 2 of 3 (67%)")  # worst first
    assert "✅ This year" in screen.button_texts()
    assert "This year: 1 January 2026 – 21 September 2026" in text  # as a card writes a day

    await bot.click(COORD, "Last year", screen)
    text = current(bot, screen)
    assert figures(text) == [
        "Seminars held: 1 (4 academic hours taught)",
        "People trained: 1",
        "Academic hours delivered to participants: 4",
        "Attendance: nobody registered",
        "Average rating: no ratings yet",
        "Pages with a trained administrator: 1 of 7 (14%)",  # on 1 January only 2's
    ]
    assert text.index("Kuznetsk (city): 0 of 4 (0%)") < text.index("Penza (city): 1 of 3 (33%)")


@pytest.mark.usefixtures("example")
async def test_a_scoped_coordinator_sees_their_territory_only(bot: BotHarness) -> None:
    [screen] = await bot.send(COORD_PENZA, "/training")
    text = screen.text or ""
    assert "Training: Penza (city)" in text
    assert figures(text) == [
        # Only S1 has an audience within Penza: S2 is the region's.
        "Seminars held: 1 (2 academic hours taught)",
        "People trained: 3",
        "Academic hours delivered to participants: 6",
        "Attendance: 2 of 3 registered people came (67%)",
        "Average rating: 4.5 of 5 (2 ratings)",
        "Pages with a trained administrator: 2 of 3 (67%)",
    ]
    assert "Kuznetsk" not in text


@pytest.mark.usefixtures("example")
async def test_the_russian_report_and_its_plurals(bot: BotHarness) -> None:
    [screen] = await bot.send(SUPER, "/training")
    text = screen.text or ""
    assert "Проведено семинаров: 2 (5 академических часов)" in text
    assert "Посещаемость: пришли 3 из 5 записавшихся (60%)" in text
    assert "Средняя оценка: 4,0 из 5 (3 оценки)" in text
    assert "🎓 Обучение" in (await bot.send(SUPER, "/start"))[0].button_texts()


@pytest.mark.usefixtures("example")
async def test_training_is_for_coordinators_only(bot: BotHarness) -> None:
    admin = PEOPLE[1]
    assert await bot.reply_text(admin, "/training") == "Sorry, your role does not allow this."
    [menu] = await bot.send(admin, "/start")
    assert "🎓 Training" not in menu.button_texts()
    for data in ("tr:y:0", "trs:1:registered", "tru:1", "m:trn"):
        assert await alert(bot, admin, menu, data) == "Sorry, your role does not allow this."
    assert "Training" not in bot.last_text(admin)


@pytest.mark.usefixtures("example")
async def test_a_forged_period_changes_nothing(bot: BotHarness) -> None:
    [screen] = await bot.send(COORD_PENZA, "/training")
    before = current(bot, screen)
    await bot.press(COORD_PENZA, screen, "tr:zz:0")
    await bot.press(COORD_PENZA, screen, "tr:y:-5")  # a screen out of range is clamped
    assert current(bot, screen) == before


@pytest.mark.usefixtures("example")
async def test_the_digest_has_a_training_block(bot: BotHarness) -> None:
    texts = [m.text or "" for m in await bot.send(COORD, "/digest")]
    [digest] = [text for text in texts if "Training this week" in text]
    # Last week: S2 (S3 was cancelled, S1 ended ten days ago).
    assert "1 seminar held, people trained: 1" in digest
    assert "Attendance: 1 of 2 registered people came (50%)" in digest
    # A week ago 1, 2 and 3 had been trained (3 of 7); now 5 too (4 of 7).
    assert "Pages with a trained administrator: 4 of 7 (57%), +14.3 pp over the week" in digest

    texts = [m.text or "" for m in await bot.send(COORD_PENZA, "/digest")]
    [digest] = [text for text in texts if "Training this week" in text]
    assert "No seminar was held this week." in digest
    assert "Pages with a trained administrator: 2 of 3 (67%), +0.0 pp over the week" in digest

    admin_texts = [m.text or "" for m in await bot.send(PEOPLE[1], "/digest")]
    assert not any("Training this week" in text for text in admin_texts)


async def test_training_segments_reach_the_right_people(
    bot: BotHarness, example: dict[str, int]
) -> None:
    s1 = example["s1"]
    async with bot.db.read() as repos:

        async def reach(segment: Segment) -> list[int]:
            return await repos.audience.recipients(segment, now=START)

        group = Segment().with_seminar
        assert await reach(group(s1, SeminarGroup.REGISTERED)) == [uid(1), uid(2), uid(3)]
        # Walk-in 6 administers no page: a segment reaches page administrators.
        assert await reach(group(s1, SeminarGroup.ATTENDED)) == [uid(1), uid(3)]
        assert await reach(group(s1, SeminarGroup.ABSENT)) == [uid(2)]
        # 4 came only to the cancelled S3; 7 and 8 never came.
        assert await reach(Segment(untrained=True)) == [uid(4), uid(7), uid(8)]
        within = Segment(untrained=True).within(PENZA)
        assert await reach(within) == [uid(7)]
        assert (
            await repos.audience.count(group(s1, SeminarGroup.ABSENT).within(KUZNETSK), now=START)
            == 0
        )


@pytest.mark.usefixtures("example")
async def test_a_broadcast_to_those_who_did_not_come(bot: BotHarness, fake: FakeBotAPI) -> None:
    await compose(bot, COORD, "Sorry we missed you")
    [summary] = [m for m in fake.messages(COORD.id) if "Who receives it" in (m.text or "")]
    await bot.click(COORD, "🎓 Training", summary)
    labels = bot.with_button(COORD, "⬅️ Done").button_texts()
    # The last 90 days' seminars, latest first; S5 is older.
    assert [label.split(" · ")[-1] for label in labels if " · " in label] == [
        "Four", "Three", "Two", "One <first>",
    ]  # fmt: skip
    [first] = [label for label in labels if label.endswith("One <first>")]
    await bot.click(COORD, first, summary)
    await bot.click(COORD, "Registered but did not come", summary)
    assert "✅ " + first in current_buttons(bot, summary)
    await bot.click(COORD, "⬅️ Done", summary)
    text = current(bot, summary)
    assert "seminar «One <first>»: registered but did not come" in text
    assert "Recipients: 1" in text
    await send_draft(bot, COORD, "en")
    received = [m for user in PEOPLE.values() for m in fake.messages(user.id)]
    assert [(m.chat_id, m.text) for m in received] == [(uid(2), "Sorry we missed you")]


def current_buttons(bot: BotHarness, message: SentMessage) -> list[str]:
    [now] = [m for m in bot.fake.messages(message.chat_id) if m.message_id == message.message_id]
    return now.button_texts()


async def test_a_seminar_outside_the_territory_is_refused(
    bot: BotHarness, fake: FakeBotAPI, example: dict[str, int]
) -> None:
    await compose(bot, COORD_PENZA, "Hello")
    [summary] = [m for m in fake.messages(COORD_PENZA.id) if "Who receives it" in (m.text or "")]
    await bot.click(COORD_PENZA, "🎓 Training", summary)
    offered = [label for label in current_buttons(bot, summary) if " · " in label]
    assert not any(label.endswith("Three") for label in offered)  # Kuznetsk's
    forged = f"trs:{example['s3']}:registered"
    assert await alert(bot, COORD_PENZA, summary, forged) == (
        "There is no such seminar for you. See /seminars."
    )
    await bot.click(COORD_PENZA, "⬅️ Done", summary)
    assert "seminar" not in current(bot, summary)

    # The service checks again when sending, whatever the draft says.
    broadcasts: BroadcastService = bot.app.dispatcher["broadcasts"]
    actor = Actor(COORD_PENZA.id, Role.COORDINATOR, PENZA)
    segment = Segment().with_seminar(example["s3"], SeminarGroup.REGISTERED)
    with pytest.raises(SeminarNotFound):
        await broadcasts.start(actor, segment, source_chat_id=COORD_PENZA.id, source_message_id=1)
    with pytest.raises(SeminarNotFound):
        await broadcasts.count(actor, segment)
