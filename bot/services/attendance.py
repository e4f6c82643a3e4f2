"""Attendance at seminars, two ways: a coordinator marks who came on the list of those
registered (and adds who came unregistered), or each participant checks in with the
seminar's short code (typed, or read from its QR code).

When: from CHECKIN_OPENS_MINUTES before the start; self check-in ends
CHECKIN_CLOSES_MINUTES after the end, a coordinator may correct the list later. Who:
coordinators who manage the seminar (`bot.services.seminars.coordinator_manages`) mark;
those in the seminar's audience or registered for it check in. Every rule is checked
here, whatever the buttons said. A cancelled seminar records no attendance.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.attendance import (
    CheckinRules,
    CheckinWindow,
    new_checkin_code,
    normalize_checkin_code,
)
from bot.domain.roles import Actor
from bot.services.clock import Clock
from bot.services.errors import (
    CheckinClosed,
    CheckinCodeUnknown,
    CheckinNotOpen,
    NotInAudience,
    NotOnRoster,
    SeminarCancelled,
    UserNotFound,
)
from bot.services.seminars import overseen_seminar
from bot.storage.attendance import AttendanceSource, RosterEntry
from bot.storage.database import Database
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar


@dataclass(frozen=True, slots=True)
class Roster:
    """A seminar's attendance list: everyone registered or marked as having come."""

    seminar: Seminar
    entries: list[RosterEntry]

    def count(self, *, registered: bool, came: bool | None = None) -> int:
        """How many on the list were (or were not) `registered` and, unless `came` is
        None, did (or did not) come: those who came out of those registered are
        `count(registered=True, came=True)`, those who came unregistered
        `count(registered=False, came=True)`."""
        return sum(
            entry.registered == registered and came in (None, entry.came) for entry in self.entries
        )


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A participant's check-in: at `seminar`; `already` if they had been recorded before."""

    seminar: Seminar
    already: bool


#: Fresh codes tried before giving up: with 595 million codes, a second try is rare.
_CODE_TRIES = 8
#: Telegram user ids have at most this many digits (they fit 52 bits).
_ID_DIGITS = 16
#: A wrong code is repeated in the refusal up to this many characters.
_ECHOED_CODE = 32


class AttendanceService:
    """Attendance at seminars: the coordinator's list and walk-ins, the check-in code and
    its QR payload, self check-in. Its dependencies: the database, the clock and the
    check-in window's rules (CHECKIN_OPENS_MINUTES, CHECKIN_CLOSES_MINUTES)."""

    def __init__(self, db: Database, clock: Clock, rules: CheckinRules) -> None:
        self._db = db
        self._clock = clock
        self._rules = rules

    def window(self, seminar: Seminar) -> CheckinWindow:
        """When attendance of `seminar` is recorded (see CheckinRules)."""
        return self._rules.window(seminar.starts_at, seminar.ends_at)

    async def checkin_code(self, actor: Actor, seminar_id: int) -> tuple[Seminar, str]:
        """The seminar's check-in code, made the first time it is asked for (random,
        unique, then never changed). Raises NotAllowed (not a coordinator),
        SeminarNotFound (not one they oversee), SeminarCancelled."""
        async with self._db.write() as repos:
            seminar = await overseen_seminar(repos, actor, seminar_id)
            if seminar.checkin_code is not None:
                return seminar, seminar.checkin_code
            for _ in range(_CODE_TRIES):
                code = new_checkin_code()
                if await repos.attendance.set_code(seminar_id, code):
                    return seminar, code
        raise RuntimeError("no free check-in code found")

    async def roster(self, actor: Actor, seminar_id: int) -> Roster:
        """The attendance list, for a coordinator who oversees the seminar, once its
        check-in window has opened. Raises NotAllowed, SeminarNotFound, SeminarCancelled,
        CheckinNotOpen (marking=True)."""
        async with self._db.read() as repos:
            seminar = await self._markable(repos, actor, seminar_id)
            return Roster(seminar, await repos.attendance.roster(seminar_id))

    async def toggle(self, actor: Actor, seminar_id: int, user_id: int) -> tuple[Roster, bool]:
        """Mark the person as having come, or take it back if they were marked; returns
        the list afterwards and whether they are marked now. Only people on the list
        (registered or marked): NotOnRoster otherwise; the errors of `roster` too."""
        async with self._db.write() as repos:
            seminar = await self._markable(repos, actor, seminar_id)
            entries = await repos.attendance.roster(seminar_id)
            entry = next((e for e in entries if e.user_id == user_id), None)
            if entry is None:
                raise NotOnRoster
            if entry.came:
                await repos.attendance.unmark(seminar_id, user_id)
            else:
                await repos.attendance.mark(
                    seminar_id,
                    user_id,
                    AttendanceSource.COORDINATOR,
                    marked_by=actor.user_id,
                    now=self._clock.now(),
                )
            return Roster(seminar, await repos.attendance.roster(seminar_id)), not entry.came

    async def add(self, actor: Actor, seminar_id: int, reference: str) -> tuple[User, bool]:
        """Mark someone who came without registering, named by `reference`: "@username"
        or a numeric Telegram id of a user who has written to the bot. Returns the user
        and False if they were marked already. Raises UserNotFound (unknown to the bot),
        and the errors of `roster`."""
        async with self._db.write() as repos:
            await self._markable(repos, actor, seminar_id)
            user = await self._known_user(repos, reference.strip())
            marked = await repos.attendance.mark(
                seminar_id,
                user.id,
                AttendanceSource.COORDINATOR,
                marked_by=actor.user_id,
                now=self._clock.now(),
            )
        return user, marked

    async def check_in(self, actor: Actor, typed: str) -> CheckIn:
        """Check the actor in with a seminar's code as typed (any letter case, spaces and
        hyphens ignored), once. Raises CheckinCodeUnknown (no seminar has it),
        SeminarCancelled, CheckinNotOpen, CheckinClosed (outside the window),
        NotInAudience (neither invited nor registered)."""
        now = self._clock.now()
        code = normalize_checkin_code(typed)
        async with self._db.write() as repos:
            seminar_id = None if code is None else await repos.attendance.seminar_of_code(code)
            seminar = None if seminar_id is None else await repos.seminars.get(seminar_id)
            if seminar is None:
                raise CheckinCodeUnknown(typed.strip()[:_ECHOED_CODE])
            if seminar.cancelled_at is not None:
                raise SeminarCancelled
            if await repos.attendance.came(seminar.id, actor.user_id):
                return CheckIn(seminar, already=True)
            window = self.window(seminar)
            if now < window.opens_at:
                raise CheckinNotOpen(self._rules.opens_minutes)
            if now > window.closes_at:
                raise CheckinClosed(self._rules.closes_minutes)
            registered = await repos.seminars.registrations([seminar.id], [actor.user_id])
            if not registered and not await repos.audience.includes(
                seminar.segment, actor.user_id, now=now
            ):
                raise NotInAudience
            await repos.attendance.mark(
                seminar.id, actor.user_id, AttendanceSource.CODE, marked_by=None, now=now
            )
        return CheckIn(seminar, already=False)

    async def _markable(self, repos: Repositories, actor: Actor, seminar_id: int) -> Seminar:
        """`overseen_seminar`, and the check-in window has opened: nobody is marked as having
        come to a seminar still ahead (CheckinNotOpen, marking=True)."""
        seminar = await overseen_seminar(repos, actor, seminar_id)
        if self._clock.now() < self.window(seminar).opens_at:
            raise CheckinNotOpen(self._rules.opens_minutes, marking=True)
        return seminar

    @staticmethod
    async def _known_user(repos: Repositories, reference: str) -> User:
        """A user who has written to the bot, by "@username" or numeric id; UserNotFound
        otherwise (nobody is created here, unlike /grant)."""
        found = None
        if reference.startswith("@") and len(reference) > 1:
            found = await repos.users.by_username(reference[1:])
        elif reference.isdigit() and len(reference) <= _ID_DIGITS:
            found = await repos.users.get(int(reference))
        if found is None:
            raise UserNotFound(reference[:_ECHOED_CODE])
        return found
