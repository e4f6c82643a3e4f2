"""Certificates as people read them: the PDF's lines, the message that carries it, the
answer to a verification link, the training record in /mypages. Call these in the
reader's language (a handler's, or within `bot.i18n.speaking`)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.domain.certificates import NameProblem
from bot.domain.limits import CERTIFICATE_NAME
from bot.services.certificate_pdf import CertificateSheet
from bot.services.certificates import Issued, TrainingRecord, Verification
from bot.storage.seminars import Seminar
from bot.texts.formats import day, number

#: The training record lists this many certificates (the latest); the rest are counted.
RECORD_CERTIFICATES = 10


def name_refusal(problem: NameProblem) -> str:
    """Why a typed full name was refused, and what to send instead."""
    match problem:
        case NameProblem.EMPTY:
            return _("Please send your full name as text.")
        case NameProblem.TOO_LONG:
            return _("The full name must be at most {limit} characters long.").format(
                limit=CERTIFICATE_NAME.max_length
            )
        case NameProblem.NO_LETTERS:
            return _("A full name must contain letters. Please send it again.")


def not_attended() -> str:
    """Why someone not marked as having come gets no certificate."""
    return _(
        "Certificates are for those marked as having come to the seminar. If you were "
        "there, ask its coordinator to mark you."
    )


def academic_hours(hours: int, locale: str) -> str:
    """ "2 academic hours", the plural as the language wants it."""
    return ngettext("{count} academic hour", "{count} academic hours", hours).format(
        count=number(hours, locale)
    )


def certificate_sheet(
    issued: Issued, link: str, issuer: str, tz: ZoneInfo, locale: str
) -> CertificateSheet:
    """The lines of the certificate's PDF (plain text): the name and hours as printed
    when it was issued, the seminar's title and date (its start's day in `tz`), `issuer`
    (the region's name) and the verification `link`."""
    certificate, seminar = issued.certificate, issued.seminar
    return CertificateSheet(
        heading=_("CERTIFICATE"),
        certifies=_("This is to certify that"),
        name=certificate.full_name,
        attended=_("attended the seminar"),
        seminar=seminar.title,
        when=day(seminar.starts_at, tz, locale),
        hours=_("Length: {hours}").format(hours=academic_hours(certificate.academic_hours, locale)),
        issuer=issuer,
        id_line=_("Certificate № {id}").format(id=certificate.id),
        verify=_("To check that it is genuine, scan the code or open:"),
        link=link,
    )


def certificate_file_name(issued: Issued) -> str:
    """The PDF's file name: "certificate_<id>.pdf"."""
    return f"certificate_{issued.certificate.id}.pdf"


def certificate_caption(issued: Issued) -> str:
    """The caption of the message that sends the PDF (HTML): the id and the seminar."""
    return _(
        "🎓 Your certificate № <code>{id}</code> for the seminar «{title}». "
        "Anyone can check it by the link or the QR code on it."
    ).format(id=issued.certificate.id, title=escape(issued.seminar.title))


def _details(issued: Issued, tz: ZoneInfo, locale: str) -> list[str]:
    certificate, seminar = issued.certificate, issued.seminar
    return [
        _("Issued to: <b>{name}</b>").format(name=escape(certificate.full_name)),
        _("Seminar: «{title}»").format(title=escape(seminar.title)),
        _("Date: {date}").format(date=day(seminar.starts_at, tz, locale)),
        _("Length: {hours}").format(hours=academic_hours(certificate.academic_hours, locale)),
    ]


def verification_text(
    verification: Verification, asked: str | None, tz: ZoneInfo, locale: str
) -> str:
    """The answer to a verification link (HTML): genuine with what the certificate
    says, revoked (when, in `tz`) with the same, or unknown. `asked`: the id as it came
    in the link (None: not the shape of an id)."""
    certificate, seminar = verification.certificate, verification.seminar
    if certificate is None or seminar is None:
        if asked is None:
            return _("❓ This link holds no certificate id. Check the link and try again.")
        return _(
            "❓ There is no certificate № <code>{id}</code>. It may have been mistyped; "
            "a certificate with this id was never issued."
        ).format(id=escape(asked))
    details = _details(Issued(certificate, seminar), tz, locale)
    if certificate.revoked_at is not None:
        head = _("⛔ Certificate № <code>{id}</code> was revoked on {date}.").format(
            id=certificate.id, date=day(certificate.revoked_at, tz, locale)
        )
    else:
        head = _("✅ Certificate № <code>{id}</code> is genuine.").format(id=certificate.id)
    return "\n".join([head, "", *details])


def revoke_question(issued: Issued) -> str:
    """The question a coordinator confirms before revoking (HTML, names escaped)."""
    return _(
        "Revoke certificate № <code>{id}</code> of {name} for «{title}»? "
        "Its link will say it was revoked."
    ).format(
        id=issued.certificate.id,
        name=escape(issued.certificate.full_name),
        title=escape(issued.seminar.title),
    )


def revoked_text(issued: Issued, tz: ZoneInfo, locale: str) -> str:
    """That the certificate is revoked, and since when (its day in `tz`); it must be."""
    revoked_at = issued.certificate.revoked_at
    assert revoked_at is not None
    return _("⛔ Certificate № <code>{id}</code> is revoked (since {date}).").format(
        id=issued.certificate.id, date=day(revoked_at, tz, locale)
    )


def revoked_refusal(certificate_id: str, revoked_at: int, tz: ZoneInfo, locale: str) -> str:
    """Why a revoked certificate is not sent again (HTML): its id and the day it was
    revoked (in `tz`)."""
    return _(
        "⛔ Your certificate № <code>{id}</code> was revoked on {date}: it is no longer "
        "valid and is not sent again. Ask the seminar's coordinator if this is a mistake."
    ).format(id=certificate_id, date=day(revoked_at, tz, locale))


def _certificate_line(seminar: Seminar, record: TrainingRecord, tz: ZoneInfo, locale: str) -> str:
    certificate = record.certificates[seminar.id]
    line = _("№ <code>{id}</code>: «{title}», {date}").format(
        id=certificate.id, title=escape(seminar.title), date=day(seminar.starts_at, tz, locale)
    )
    if certificate.revoked_at is not None:
        line += " " + _("(revoked)")
    return line


def training_record_text(record: TrainingRecord, tz: ZoneInfo, locale: str) -> str:
    """The person's training record (HTML): seminars attended, academic hours in all,
    their certificates (the latest RECORD_CERTIFICATES), the name printed on new ones."""
    lines = [
        _("🎓 <b>Your training</b>"),
        _("Seminars attended: {count}").format(count=number(len(record.seminars), locale)),
        _("Academic hours: {hours}").format(hours=number(record.hours, locale)),
    ]
    with_certificate = [s for s in record.seminars if s.id in record.certificates]
    if with_certificate:
        lines.append(_("Certificates: {count}").format(count=number(len(with_certificate), locale)))
        lines += [
            _certificate_line(seminar, record, tz, locale)
            for seminar in with_certificate[:RECORD_CERTIFICATES]
        ]
    if record.name is not None:
        lines.append(_("Name on certificates: {name}").format(name=escape(record.name)))
    return "\n".join(lines)
