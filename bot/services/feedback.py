"""Feedback on seminars: after the end, each attendee is asked once to rate it 1–5 and may
add a comment; coordinators who oversee the seminar read the average and the comments.

Asking is driven by data, like reminders: the minute tick (bot.jobs) finds attendees
(seminar_attendance) of seminars that ended in the last FEEDBACK_WINDOW_DAYS days and were
never asked, and records the question (seminar_feedback.asked_at) in the transaction that
queues it, so each person is asked once, also when marked as attended after the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.limits import FEEDBACK_COMMENT
from bot.domain.localtime import DAY
from bot.domain.roles import Actor
from bot.services.clock import Clock
from bot.services.errors import FeedbackClosed, FeedbackRefused, SeminarNotFound, require_text
from bot.services.seminar_reminders import PersonalMessage, queue_to_people
from bot.services.seminars import managed_seminar
from bot.storage.database import Database
from bot.storage.feedback import FeedbackStats
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar

#: Attendees marked up to this many days after a seminar's end are still asked.
FEEDBACK_WINDOW_DAYS = 7
#: The ratings offered: 1 (poor) to 5 (excellent).
RATINGS = range(1, 6)

# Renders the question to one attendee: HTML text and the rating buttons, in their language.
FeedbackQuestion = PersonalMessage


@dataclass(frozen=True, slots=True)
class FeedbackSummary:
    """A seminar's feedback as its coordinators read it."""

    seminar: Seminar
    stats: FeedbackStats


@dataclass(frozen=True, slots=True)
class FeedbackService:
    """Its dependencies: the database, the clock, the question's renderer, and `wake`,
    which tells the delivery worker that questions were queued."""

    db: Database
    clock: Clock
    question: FeedbackQuestion
    wake: Callable[[], None]

    async def ask_due(self) -> int:
        """Ask every attendee not asked yet of the seminars (not cancelled) that ended in
        the last FEEDBACK_WINDOW_DAYS days; returns how many were asked. Running it again,
        or in a second process, asks nobody twice."""
        now = self.clock.now()
        async with self.db.write() as repos:
            due = await repos.feedback.due(now=now, since=now - FEEDBACK_WINDOW_DAYS * DAY)

            async def claim(seminar_id: int, user_id: int) -> bool:
                return await repos.feedback.ask(seminar_id, user_id, now=now)

            asked = await queue_to_people(repos, due, claim, self.question, now=now)
        if asked:
            self.wake()
        return asked

    async def rate(self, actor: Actor, seminar_id: int, rating: int) -> Seminar:
        """Store the actor's rating of the seminar (a second one replaces the first);
        returns the seminar. Raises FeedbackRefused for a rating outside 1–5 (a forged
        button), a seminar not ended or cancelled, or someone who did not attend;
        FeedbackClosed more than FEEDBACK_WINDOW_DAYS days after its end (the window the
        questions are asked in); SeminarNotFound if there is no such seminar."""
        if rating not in RATINGS:
            raise FeedbackRefused
        now = self.clock.now()
        async with self.db.write() as repos:
            seminar = await self._attended(repos, actor, seminar_id)
            if seminar.ends_at > now:
                raise FeedbackRefused
            if now > seminar.ends_at + FEEDBACK_WINDOW_DAYS * DAY:
                raise FeedbackClosed(FEEDBACK_WINDOW_DAYS)
            await repos.feedback.rate(seminar_id, actor.user_id, rating, now=now)
        return seminar

    async def comment(self, actor: Actor, seminar_id: int, text: str) -> Seminar:
        """Store the actor's comment on a seminar they rated (trimmed; at most
        FEEDBACK_COMMENT characters, else TextRefused); returns the seminar. Raises
        FeedbackRefused if they did not attend or have not rated it."""
        comment = text.strip()
        require_text(FEEDBACK_COMMENT, comment)
        async with self.db.write() as repos:
            seminar = await self._attended(repos, actor, seminar_id)
            if not await repos.feedback.comment(seminar_id, actor.user_id, comment):
                raise FeedbackRefused
        return seminar

    async def summary(self, actor: Actor, seminar_id: int) -> FeedbackSummary:
        """The seminar's feedback for a coordinator who manages it (cancelled ones too:
        `bot.services.seminars.managed_seminar`, whose errors it raises)."""
        async with self.db.read() as repos:
            seminar = await managed_seminar(repos, actor, seminar_id)
            return FeedbackSummary(seminar, await repos.feedback.stats(seminar_id))

    @staticmethod
    async def _attended(repos: Repositories, actor: Actor, seminar_id: int) -> Seminar:
        """The seminar, if held (not cancelled) and attended by the actor; else
        SeminarNotFound (no such seminar) or FeedbackRefused."""
        seminar = await repos.seminars.get(seminar_id)
        if seminar is None:
            raise SeminarNotFound
        if seminar.cancelled_at is not None or not await repos.attendance.came(
            seminar_id, actor.user_id
        ):
            raise FeedbackRefused
        return seminar
