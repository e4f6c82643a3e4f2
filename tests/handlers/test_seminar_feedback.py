"""Feedback on seminars through the bot: attendees asked once after the end (also those
marked later, for a week), a rating by buttons and a comment or Skip, forged ratings and
non-attendees refused, and the coordinator's FEEDBACK button with the average."""

from __future__ import annotations

from bot.domain.localtime import DAY
from bot.domain.segments import Segment
from bot.handlers.callbacks import FeedbackRateCb, SeminarAction, SeminarCb
from bot.jobs import Jobs
from tests.builders import KUZNETSK, PENZA, mark_attended, seed_admins, store_seminar
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import alert
from tests.harness import BotHarness
from tests.users import OTHER, SUPER

QUESTION = "🙏 How was the seminar SMM <basics>"


def questions(fake: FakeBotAPI, user: FakeUser) -> int:
    """How many times `user` was asked to rate a seminar (edited answers included)."""
    texts = [
        text
        for message in fake.messages(user.id)
        for text in [*(version.text for version in message.history), message.text]
    ]
    return sum((text or "").startswith(QUESTION) for text in texts)


async def tick(bot: BotHarness) -> None:
    jobs: Jobs = bot.app.dispatcher["jobs"]
    await jobs.tick()
    await bot.drain()


async def test_attendees_rate_once_and_coordinators_read_the_average(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    rater, skipper, absent, later, too_late = await seed_admins(bot, 5, KUZNETSK, 1000)
    start = clock.now() + DAY
    registered = {user.id: clock.now() for user in (rater, skipper, absent)}
    seminar = await store_seminar(
        bot.db,
        starts_at=start,
        created_by=rater.id,
        registered=registered,
        segment=Segment(territories=frozenset({KUZNETSK})),
    )
    for user in (rater, skipper):
        await mark_attended(bot.db, seminar, user.id, now=start + 10 * 60)

    clock.current = start + 89 * 60  # not ended yet
    await tick(bot)
    assert questions(fake, rater) == 0

    clock.current = start + 90 * 60
    await tick(bot)
    await tick(bot)  # asked once, whatever runs the tick again
    assert [questions(fake, user) for user in (rater, skipper, absent)] == [1, 1, 0]
    question = fake.last_message(rater.id)
    assert question.button_texts() == ["1", "2", "3", "4", "5"]

    # A forged rating, and a rating from someone who did not come: refused, nothing stored.
    refusal = "Only those who came to a seminar rate it, once it has ended, from 1 to 5."
    forged = FeedbackRateCb(seminar_id=seminar, rating=9).pack()
    assert await alert(bot, rater, question, forged) == refusal
    not_there = FeedbackRateCb(seminar_id=seminar, rating=5).pack()
    [hello] = await bot.send(absent, "/start")
    assert await alert(bot, absent, hello, not_there) == refusal

    await bot.click(rater, "4", question)
    assert (question.text or "").startswith("Thank you! You rated SMM <basics> 4 of 5.")
    assert question.button_texts() == ["Skip"]
    [thanks] = await bot.send(rater, "Useful <b>examples</b> & tips")
    assert thanks.text == "Thank you for your feedback!"
    await bot.click(skipper, "5")
    await bot.click(skipper, "Skip")
    assert fake.last_message(skipper.id).button_texts() == []
    # Skip ended the wizard: the next message is no comment.
    await bot.send(skipper, "hello")

    # Marked as attended after the end: asked within a week of it, not later.
    await mark_attended(bot.db, seminar, later.id, now=clock.now())
    clock.current = start + 90 * 60 + 6 * DAY
    await tick(bot)
    await mark_attended(bot.db, seminar, too_late.id, now=clock.now())
    clock.current = start + 90 * 60 + 7 * DAY
    await tick(bot)
    assert [questions(fake, user) for user in (later, too_late)] == [1, 0]

    # Ratings close with the questions' window: a week after the end, not later.
    late_question = fake.last_message(later.id)
    clock.current = start + 90 * 60 + 7 * DAY + 1
    assert await alert(bot, later, late_question, not_there) == (
        "Ratings of this seminar closed 7 days after its end."
    )
    async with bot.db.read() as repos:
        stats = await repos.feedback.stats(seminar)
    assert (stats.asked, stats.rated, stats.average) == (3, 2, 4.5)
    assert stats.comments == [(4, "Useful <b>examples</b> & tips")]

    [start_menu] = await bot.send(SUPER, "/start")
    show = SeminarCb(action=SeminarAction.FEEDBACK, seminar_id=seminar).pack()
    before = len(fake.messages(SUPER.id))
    await bot.press(SUPER, start_menu, show)
    [summary] = fake.messages(SUPER.id)[before:]
    text = summary.text or ""
    assert text.startswith("⭐ Отзывы о семинаре SMM <basics>")
    assert "Средняя оценка: 4,5 из 5" in text
    assert "2 оценки (опрошено 3 участника)." in text
    assert "★★★★☆ Useful <b>examples</b> & tips" in text  # escaped: shown as typed

    # Not a coordinator: the role is checked whatever the button says; a coordinator of
    # another territory does not oversee the seminar.
    assert await alert(bot, rater, question, show) == "Sorry, your role does not allow this."
    [other_menu] = await bot.send(OTHER, "/start")
    async with bot.db.write() as repos:
        await repos.users.set_coordinator(OTHER.id, is_coordinator=True, territory_id=PENZA)
    assert await alert(bot, OTHER, other_menu, show) == (
        "Такого семинара для вас нет. Смотрите /seminars."
    )
