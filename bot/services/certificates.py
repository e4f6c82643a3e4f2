"""Certificates of attendance: issued to those who came to a seminar that has ended,
verified by anyone who has the id, revoked by a coordinator who oversees the seminar.

Every rule is checked here, on the server side, whatever the buttons said: a certificate
is issued only for a seminar that exists, was not cancelled and has ended, to a person
marked as having come (a `seminar_attendance` row), and only once per person and
seminar, with the name and the academic hours printed on it kept as printed.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audit import AuditAction, AuditDetail, Subject, SubjectKind
from bot.domain.certificates import clean_name, name_problem, new_certificate_id
from bot.domain.roles import Actor
from bot.services.audit import record
from bot.services.clock import Clock
from bot.services.errors import (
    CertificateNameRefused,
    CertificateNotFound,
    CertificateRevoked,
    NotAllowed,
    NotAttended,
    SeminarCancelled,
    SeminarNotEnded,
    SeminarNotFound,
)
from bot.services.seminars import audited_territory, coordinator_manages
from bot.storage.certificates import Certificate
from bot.storage.database import Database
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar

#: How many times a fresh id is drawn before giving up (each draw collides with
#: probability below 10**-9 while fewer than a million certificates exist).
_ID_DRAWS = 5


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and the seminar it is for."""

    certificate: Certificate
    seminar: Seminar


@dataclass(frozen=True, slots=True)
class Verification:
    """What the bot knows of a certificate id: the certificate and its seminar (None for
    both: no such certificate), and whether the asker may revoke it."""

    certificate: Certificate | None
    seminar: Seminar | None
    can_revoke: bool = False


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    """A person's training: the seminars they came to (not cancelled, latest first),
    their academic hours in all, their certificates by seminar id, and the name printed
    on new certificates (None: not given yet), as of `now`."""

    seminars: list[Seminar]
    certificates: dict[int, Certificate]
    name: str | None
    now: int  # Unix seconds: when the record was read

    @property
    def certifiable(self) -> list[Seminar]:
        """The seminars attended that have ended and whose certificate was not revoked:
        each has a certificate to get."""
        return [
            seminar
            for seminar in self.seminars
            if seminar.ends_at <= self.now and not self.revoked(seminar.id)
        ]

    def revoked(self, seminar_id: int) -> bool:
        """Whether the certificate for `seminar_id` (if any) was revoked."""
        certificate = self.certificates.get(seminar_id)
        return certificate is not None and certificate.revoked_at is not None

    @property
    def hours(self) -> int:
        """Academic hours (45 minutes each) of the seminars attended, in all."""
        return sum(seminar.academic_hours for seminar in self.seminars)

    @property
    def empty(self) -> bool:
        """Nothing to show: no seminar attended and no certificate (/mypages omits it)."""
        return not self.seminars and not self.certificates


class CertificateService:
    """Certificates: the name printed on them, issuing, verification, revocation and the
    training record. Its dependencies: the database and the clock (Unix seconds)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def name(self, actor: Actor) -> str | None:
        """The full name printed on the actor's certificates; None until they give one."""
        async with self._db.read() as repos:
            return await repos.certificates.name(actor.user_id)

    async def set_name(self, actor: Actor, text: str) -> str:
        """Keep `text` (spaces folded) as the full name printed on the actor's new
        certificates (those issued keep theirs); returns it. Raises
        CertificateNameRefused: empty, too long (bot.domain.certificates.CERTIFICATE_NAME)
        or without a letter."""
        name = clean_name(text)
        problem = name_problem(name)
        if problem is not None:
            raise CertificateNameRefused(problem)
        async with self._db.write() as repos:
            await repos.certificates.set_name(actor.user_id, name)
        return name

    async def issue(self, actor: Actor, seminar_id: int) -> Issued | None:
        """The actor's certificate for `seminar_id`: the one issued before, else a new one
        with a fresh id, the name they gave and the seminar's academic hours. None when
        they have not given their name yet (ask it, then call again). Raises
        SeminarNotFound, SeminarCancelled, SeminarNotEnded (before `Seminar.ends_at`),
        NotAttended (no `seminar_attendance` row) and CertificateRevoked (the one issued
        was revoked: a revoked certificate is never handed out again as if valid)."""
        now = self._clock.now()
        async with self._db.write() as repos:
            seminar = await repos.seminars.get(seminar_id)
            if seminar is None:
                raise SeminarNotFound
            if seminar.cancelled_at is not None:
                raise SeminarCancelled
            if not await repos.attendance.came(seminar_id, actor.user_id):
                raise NotAttended
            if seminar.ends_at > now:
                raise SeminarNotEnded
            found = await repos.certificates.of_attendee(seminar_id, actor.user_id)
            if found is not None and found.revoked_at is not None:
                raise CertificateRevoked(found.id, found.revoked_at)
            if found is not None:
                return Issued(found, seminar)
            name = await repos.certificates.name(actor.user_id)
            if name is None:
                return None
            certificate = await self._add(repos, seminar, actor.user_id, name, now=now)
        return Issued(certificate, seminar)

    @staticmethod
    async def _add(
        repos: Repositories, seminar: Seminar, user_id: int, name: str, *, now: int
    ) -> Certificate:
        """A new certificate with an id no other has (drawn again on a collision)."""
        for _draw in range(_ID_DRAWS):
            code = new_certificate_id()
            if await repos.certificates.get(code) is None:
                break
        else:
            raise RuntimeError("no free certificate id")
        certificate = Certificate(code, seminar.id, user_id, name, seminar.academic_hours, now)
        added = await repos.certificates.add(certificate)
        assert added, "the writer's transaction saw no certificate a moment ago"
        return certificate

    async def verify(self, actor: Actor, certificate_id: str | None) -> Verification:
        """What the bot knows of `certificate_id` (None: not the shape of an id, so
        unknown); anyone may ask. `can_revoke` for a coordinator who manages its
        seminar (`coordinator_manages`), while it is not revoked."""
        if certificate_id is None:
            return Verification(None, None)
        async with self._db.read() as repos:
            certificate = await repos.certificates.get(certificate_id)
            if certificate is None:
                return Verification(None, None)
            seminar = await repos.seminars.get(certificate.seminar_id)
        assert seminar is not None, "a certificate's seminar is never deleted"
        can_revoke = certificate.revoked_at is None and coordinator_manages(actor, seminar)
        return Verification(certificate, seminar, can_revoke)

    async def revocable(self, actor: Actor, certificate_id: str) -> Issued:
        """The certificate the actor asks to revoke, and its seminar. Raises
        CertificateNotFound, NotAllowed (not a coordinator who manages its seminar:
        `coordinator_manages`)."""
        async with self._db.read() as repos:
            return await self._revocable(repos, actor, certificate_id)

    @staticmethod
    async def _revocable(repos: Repositories, actor: Actor, certificate_id: str) -> Issued:
        certificate = await repos.certificates.get(certificate_id)
        if certificate is None:
            raise CertificateNotFound
        seminar = await repos.seminars.get(certificate.seminar_id)
        assert seminar is not None, "a certificate's seminar is never deleted"
        if not coordinator_manages(actor, seminar):
            raise NotAllowed
        return Issued(certificate, seminar)

    async def revoke(self, actor: Actor, certificate_id: str) -> Issued:
        """Revoke the certificate and audit it (CERTIFICATE_REVOKED on its seminar, with
        the id and the holder), in one transaction; returns it as it is now. Revoking one
        already revoked changes nothing. Raises what `revocable` raises."""
        now = self._clock.now()
        async with self._db.write() as repos:
            issued = await self._revocable(repos, actor, certificate_id)
            certificate, seminar = issued.certificate, issued.seminar
            if await repos.certificates.revoke(certificate.id, by=actor.user_id, now=now):
                territory = await audited_territory(repos, actor, seminar)
                details = {
                    AuditDetail.CERTIFICATE: certificate.id,
                    AuditDetail.HOLDER: certificate.user_id,
                }
                await record(
                    repos,
                    actor,
                    AuditAction.CERTIFICATE_REVOKED,
                    Subject(SubjectKind.SEMINAR, seminar.id, territory),
                    now=now,
                    details=details,
                )
            revoked = await repos.certificates.get(certificate.id)
        assert revoked is not None
        return Issued(revoked, seminar)

    async def training_record(self, actor: Actor) -> TrainingRecord:
        """The actor's training record (see `TrainingRecord`)."""
        now = self._clock.now()
        async with self._db.read() as repos:
            seminars = await repos.certificates.attended_seminars(actor.user_id)
            certificates = await repos.certificates.of_user(actor.user_id)
            name = await repos.certificates.name(actor.user_id)
        return TrainingRecord(seminars, {c.seminar_id: c for c in certificates}, name, now)
