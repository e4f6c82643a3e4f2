"""What coordinators and participants read about attendance: the check-in code's
caption, the attendance list, and the answers to a check-in."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.domain.attendance import CheckinWindow
from bot.services.attendance import CheckIn, Roster
from bot.services.errors import CheckinClosed, CheckinNotOpen
from bot.storage.attendance import RosterEntry
from bot.storage.records import User
from bot.storage.seminars import Seminar
from bot.texts.formats import moment, number, person

#: A name on a button of the attendance list is cut to this many characters.
LABEL_NAME_LENGTH = 40


def checkin_caption(
    seminar: Seminar, code: str, link: str, window: CheckinWindow, tz: ZoneInfo, locale: str
) -> str:
    """The caption of the check-in QR code (HTML, at most about 600 characters with a
    150-character title): the seminar, the code, how to use it, and when it works."""
    return _(
        "🔑 Check-in for <b>{title}</b>\n\n"
        "Code: <code>{code}</code>\n"
        "Show this QR code, or ask participants to send /attend {code} to the bot.\n"
        "Link: {link}\n\n"
        "The code works from {opens} to {closes}."
    ).format(
        title=escape(seminar.title),
        code=code,
        link=escape(link),
        opens=moment(window.opens_at, tz, locale),
        closes=moment(window.closes_at, tz, locale),
    )


def roster_text(roster: Roster, tz: ZoneInfo, locale: str) -> str:
    """The attendance list's message (HTML): the seminar, who came out of those
    registered, who came unregistered, and what a tap does. The names are its buttons."""
    seminar = roster.seminar
    registered = roster.count(registered=True)
    lines = [
        _("📋 Attendance: <b>{title}</b>").format(title=escape(seminar.title)),
        _("🗓 {start}").format(start=moment(seminar.starts_at, tz, locale)),
        ngettext(
            "Came: {came} of {registered} registered",
            "Came: {came} of {registered} registered",
            registered,
        ).format(
            came=number(roster.count(registered=True, came=True), locale),
            registered=number(registered, locale),
        ),
    ]
    if walk_ins := roster.count(registered=False, came=True):
        lines.append(_("Came without registering: {count}").format(count=number(walk_ins, locale)))
    if roster.entries:
        lines.append(_("Tap a name to mark that the person came (✅), tap again to take it back."))
    else:
        lines.append(_("Nobody has registered yet."))
    return "\n".join(lines)


def roster_label(entry: RosterEntry) -> str:
    """A person's button on the attendance list (plain text): ✅ when they came, ➕ for
    someone who came without registering; the name cut to LABEL_NAME_LENGTH."""
    name = entry.full_name or (f"@{entry.username}" if entry.username else str(entry.user_id))
    if len(name) > LABEL_NAME_LENGTH:
        name = name[: LABEL_NAME_LENGTH - 1] + "…"
    mark = "✅" if entry.came else "▫️"
    return f"{mark} {name}" if entry.registered else f"{mark} ➕ {name}"


def toggled(came: bool) -> str:
    """The answer to a tap on a name (plain text: an alert)."""
    return _("Marked: came.") if came else _("Mark taken back.")


def ask_walk_in() -> str:
    """The question for someone who came unregistered: their @username or numeric id."""
    return _(
        "Send the @username or the numeric Telegram id of the person who came without "
        "registering. They must have written to the bot at least once."
    )


def walk_in_marked(user: User, newly: bool) -> str:
    """The answer to a coordinator who named someone who came unregistered (HTML)."""
    if newly:
        return _("{person} is marked as having come.").format(person=person(user))
    return _("{person} was already marked as having come.").format(person=person(user))


def ask_code() -> str:
    """The question /attend alone asks: the check-in code shown at the seminar."""
    return _("Send the check-in code shown at the seminar (6 letters and digits).")


def checked_in(check: CheckIn, tz: ZoneInfo, locale: str) -> str:
    """The answer to a participant's check-in (HTML)."""
    title = escape(check.seminar.title)
    if check.already:
        return _("You are already checked in at <b>{title}</b>.").format(title=title)
    return _("✅ You are checked in at <b>{title}</b> ({start}). Thank you for coming!").format(
        title=title, start=moment(check.seminar.starts_at, tz, locale)
    )


def window_refusal(error: CheckinNotOpen | CheckinClosed) -> str:
    """Why attendance was not recorded at this time: too early for the list or for the
    code, or too late for the code; with the setting's minutes."""
    if isinstance(error, CheckinClosed):
        text = ngettext(
            "Check-in has closed: it ends {count} minute after the seminar. "
            "Ask the coordinator to mark you.",
            "Check-in has closed: it ends {count} minutes after the seminar. "
            "Ask the coordinator to mark you.",
            error.minutes,
        )
    elif error.marking:
        text = ngettext(
            "Attendance is marked from {count} minute before the start on.",
            "Attendance is marked from {count} minutes before the start on.",
            error.minutes,
        )
    else:
        text = ngettext(
            "Check-in has not opened yet: it opens {count} minute before the start.",
            "Check-in has not opened yet: it opens {count} minutes before the start.",
            error.minutes,
        )
    return text.format(count=error.minutes)
