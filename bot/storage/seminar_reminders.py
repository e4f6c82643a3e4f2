"""Seminar reminders: which are due, and the record that each went out once.

A reminder is due `lead_minutes` before a seminar's start, for each person registered by
then; `seminar_reminders` keeps one row per (seminar, person, start, lead) queued, so a
second run, a restart or a second process finds nothing left to queue.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from bot.storage.base import Repository, list_param


@dataclass(frozen=True, slots=True)
class DueReminder:
    """One reminder to queue: `lead_minutes` before the seminar's `starts_at`."""

    seminar_id: int
    user_id: int
    starts_at: int
    lead_minutes: int


class SeminarReminderRepository(Repository):
    """Reminders due before seminars' starts, and those sent (seminar_reminders), each
    recorded once per person, seminar, start (a moved seminar is reminded of anew) and
    lead."""

    async def due(self, *, now: int, leads: Collection[int]) -> list[DueReminder]:
        """Reminders due at `now` (Unix seconds) and not queued yet, for the `leads`
        (minutes before the start): seminars not cancelled and not started, people
        registered no later than the moment the reminder fell due. Ordered by seminar,
        person, then lead (smallest first)."""
        if not leads:
            return []
        rows = await self._all(
            "SELECT s.id, r.user_id, s.starts_at, lead.value"
            " FROM seminars s"
            " JOIN seminar_registrations r ON r.seminar_id = s.id"
            f" JOIN {self._list_values('leads')} lead"
            "   ON s.starts_at - lead.value * 60 <= :now"
            "  AND r.registered_at <= s.starts_at - lead.value * 60"
            " WHERE s.cancelled_at IS NULL AND s.starts_at > :now AND s.starts_at <= :horizon"
            "   AND NOT EXISTS (SELECT 1 FROM seminar_reminders m"
            "                    WHERE m.seminar_id = s.id AND m.user_id = r.user_id"
            "                      AND m.starts_at = s.starts_at"
            "                      AND m.lead_minutes = lead.value)"
            " ORDER BY s.id, r.user_id, lead.value",
            {"now": now, "leads": list_param(leads), "horizon": now + max(leads) * 60},
        )
        return [DueReminder(int(s), int(u), int(at), int(lead)) for s, u, at, lead in rows]

    async def mark(self, reminder: DueReminder, *, now: int) -> bool:
        """Record `reminder` as queued at `now`; False if it was recorded already (by
        another run), in which case nothing must be queued for it."""
        return await self._changed(
            "INSERT INTO seminar_reminders"
            " (seminar_id, user_id, starts_at, lead_minutes, queued_at)"
            " VALUES (:seminar_id, :user_id, :starts_at, :lead, :now)"
            " ON CONFLICT (seminar_id, user_id, starts_at, lead_minutes) DO NOTHING",
            {
                "seminar_id": reminder.seminar_id,
                "user_id": reminder.user_id,
                "starts_at": reminder.starts_at,
                "lead": reminder.lead_minutes,
                "now": now,
            },
        )
