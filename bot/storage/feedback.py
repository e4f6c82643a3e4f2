"""Ratings of seminars by those who came: asked once per person, rated 1–5, commented."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import Repository


@dataclass(frozen=True, slots=True)
class FeedbackStats:
    """What a seminar's attendees said: how many were asked and rated, the average rating
    (None before the first), and the non-empty comments with their ratings, newest first."""

    asked: int
    rated: int
    average: float | None
    comments: list[tuple[int, str]]


class FeedbackRepository(Repository):
    """Feedback on seminars (seminar_feedback): who was asked when, their rating (1–5)
    and comment, and the figures coordinators read."""

    async def due(self, *, now: int, since: int) -> list[tuple[int, int]]:
        """(seminar, person) pairs to ask now: attendees of seminars not cancelled that
        ended in (since, now] (Unix seconds) and were never asked. Ordered by seminar."""
        rows = await self._all(
            "SELECT s.id, a.user_id FROM seminars s"
            " JOIN seminar_attendance a ON a.seminar_id = s.id"
            " WHERE s.cancelled_at IS NULL"
            "   AND s.starts_at + s.duration_minutes * 60 <= :now"
            "   AND s.starts_at + s.duration_minutes * 60 > :since"
            "   AND s.starts_at <= :now"
            "   AND NOT EXISTS (SELECT 1 FROM seminar_feedback f"
            "                    WHERE f.seminar_id = s.id AND f.user_id = a.user_id)"
            " ORDER BY s.id, a.user_id",
            {"now": now, "since": since},
        )
        return [(int(seminar), int(user)) for seminar, user in rows]

    async def ask(self, seminar_id: int, user_id: int, *, now: int) -> bool:
        """Record that the person is asked at `now`; False if they were asked already (by
        another run), in which case they must not be asked again."""
        return await self._changed(
            "INSERT INTO seminar_feedback (seminar_id, user_id, asked_at)"
            " VALUES (:seminar_id, :user_id, :now)"
            " ON CONFLICT (seminar_id, user_id) DO NOTHING",
            {"seminar_id": seminar_id, "user_id": user_id, "now": now},
        )

    async def rate(self, seminar_id: int, user_id: int, rating: int, *, now: int) -> None:
        """Store the person's `rating` (1–5, checked by the table too) at `now`; a second
        rating replaces the first. Asked at `now` if they had not been asked yet."""
        await self._run(
            "INSERT INTO seminar_feedback (seminar_id, user_id, asked_at, rating, rated_at)"
            " VALUES (:seminar_id, :user_id, :now, :rating, :now)"
            " ON CONFLICT (seminar_id, user_id)"
            " DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
            {"seminar_id": seminar_id, "user_id": user_id, "rating": rating, "now": now},
        )

    async def comment(self, seminar_id: int, user_id: int, comment: str) -> bool:
        """Store the comment of a person who rated the seminar; False if they had not."""
        return await self._changed(
            "UPDATE seminar_feedback SET comment = :comment"
            " WHERE seminar_id = :seminar_id AND user_id = :user_id AND rating IS NOT NULL",
            {"seminar_id": seminar_id, "user_id": user_id, "comment": comment},
        )

    async def stats(self, seminar_id: int) -> FeedbackStats:
        """The seminar's feedback so far (see FeedbackStats)."""
        row = await self._one(
            "SELECT count(*), count(rating), avg(rating) FROM seminar_feedback"
            " WHERE seminar_id = :seminar_id",
            {"seminar_id": seminar_id},
        )
        asked, rated, average = row if row is not None else (0, 0, None)
        comments = await self._all(
            "SELECT rating, comment FROM seminar_feedback"
            " WHERE seminar_id = :seminar_id AND rating IS NOT NULL AND comment <> ''"
            " ORDER BY rated_at DESC, user_id",
            {"seminar_id": seminar_id},
        )
        return FeedbackStats(
            asked=int(asked),
            rated=int(rated),
            average=None if average is None else float(average),
            comments=[(int(rating), str(text)) for rating, text in comments],
        )
