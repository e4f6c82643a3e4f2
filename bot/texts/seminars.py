"""A seminar's card, and the announcement invited administrators get."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.seminars import SeminarInputError, SeminarInputInvalid
from bot.i18n import locale_of, speaking
from bot.services.seminars import AnnouncementRenderer, SeminarView
from bot.storage.records import User
from bot.texts.formats import moment, number

#: The buttons under a seminar's card (the handlers' register / cancel), for one view.
SeminarKeyboard = Callable[[SeminarView], InlineKeyboardMarkup]


def seminar_card(view: SeminarView, tz: ZoneInfo, locale: str, i18n: I18n) -> str:
    """A seminar as HTML lines in `locale`: title, description, start (in `tz`) and
    length, place, seats, the viewer's own registration. User texts are escaped."""
    seminar = view.seminar
    with speaking(i18n, locale):
        lines = [_("🎓 <b>{title}</b>").format(title=escape(seminar.title))]
        if seminar.description:
            lines.append(escape(seminar.description))
        lines.append(
            # TRANSLATORS: the seminar's start and length; "min" is minutes.
            _("🗓 {start}, {minutes} min").format(
                start=moment(seminar.starts_at, tz, locale), minutes=seminar.duration_minutes
            )
        )
        lines.append(_("📍 {place}").format(place=escape(seminar.place)))
        lines.append(
            ngettext(
                "🎓 {hours} academic hour", "🎓 {hours} academic hours", seminar.academic_hours
            ).format(hours=seminar.academic_hours)
        )
        if seminar.capacity is None:
            lines.append(_("👥 Registered: {count}").format(count=number(view.registered, locale)))
        else:
            lines.append(
                _("👥 Registered: {count} of {capacity}").format(
                    count=number(view.registered, locale),
                    capacity=number(seminar.capacity, locale),
                )
            )
        if seminar.cancelled_at is not None:
            lines.append(_("❌ <b>Cancelled</b>"))
        elif view.mine:
            lines.append(_("✅ You are registered."))
        elif view.waiting is not None:
            lines.append(waiting_line(view.waiting))
        elif view.full:
            lines.append(_("No seats left."))
        return "\n".join(lines)


def waiting_line(position: int) -> str:
    """The viewer's place in a seminar's waiting list (1: first in line), in the current
    language."""
    if position == 1:
        return _("⏳ You are first on the waiting list: the next free seat is yours.")
    ahead = position - 1
    return ngettext(
        "⏳ You are number {position} on the waiting list: {count} person ahead of you.",
        "⏳ You are number {position} on the waiting list: {count} people ahead of you.",
        ahead,
    ).format(position=position, count=ahead)


def announcement_header(locale: str, i18n: I18n) -> str:
    """The line above a seminar's card that makes it an announcement (HTML)."""
    with speaking(i18n, locale):
        return _("📣 <b>New seminar</b>")


def seminar_announcement(
    i18n: I18n, tz: ZoneInfo, keyboard: SeminarKeyboard
) -> AnnouncementRenderer:
    """The renderer `SeminarService` calls for each invited administrator: the
    announcement and its buttons (as Bot API JSON), in the administrator's language."""
    return headed_card(i18n, tz, keyboard, announcement_header)


def headed_card(
    i18n: I18n, tz: ZoneInfo, keyboard: SeminarKeyboard, header: Callable[[str, I18n], str]
) -> AnnouncementRenderer:
    """A renderer of messages about a seminar that `SeminarService` queues: `header`
    (HTML, in the given locale), a blank line, the card, and the card's buttons (as Bot
    API JSON), in the language of the user it goes to."""

    def render(user: User, view: SeminarView) -> tuple[str, dict[str, object]]:
        locale = locale_of(user, i18n)
        with speaking(i18n, locale):
            markup = keyboard(view)
        text = header(locale, i18n) + "\n\n" + seminar_card(view, tz, locale, i18n)
        return text, markup.model_dump(mode="json", exclude_none=True)

    return render


def input_error_text(error: SeminarInputInvalid, zone: str) -> str:
    """Why the /seminar_new wizard refused a start, a duration or a number of seats, in the
    current language; clock changes are told in the wall time of `zone` (the region's)."""
    change = error.change
    # Clock changes are told in the zone's wall time; 24-hour in both languages.
    clock_from = f"{change.clock_from:%H:%M}" if change else ""
    clock_to = f"{change.clock_to:%H:%M}" if change else ""
    texts = {
        SeminarInputError.BAD_START: _(
            "I did not understand the date. Send it as 25.12.2026 10:00 ({zone})."
        ).format(zone=zone),
        SeminarInputError.START_IN_PAST: _("This moment has passed. Send a future date and time."),
        SeminarInputError.START_TOO_FAR: _("Seminars are scheduled at most a year ahead."),
        SeminarInputError.NONEXISTENT_START: _(
            "There is no such time in {zone}: the clocks go forward from {clock_from} "
            "to {clock_to} that night. Send a time before {clock_from} or from {clock_to} on."
        ).format(zone=zone, clock_from=clock_from, clock_to=clock_to),
        SeminarInputError.AMBIGUOUS_START: _(
            "This time happens twice in {zone}: the clocks go back from {clock_from} "
            "to {clock_to} that night. Send a time before {clock_to} or from {clock_from} on."
        ).format(zone=zone, clock_from=clock_from, clock_to=clock_to),
        SeminarInputError.BAD_DURATION: _(
            "Send the duration in minutes (for example 90) or tap a button; at most 12 hours."
        ),
        SeminarInputError.BAD_CAPACITY: _(
            "Send the number of seats (1 to 10000), or tap «No limit»."
        ),
        SeminarInputError.BAD_HOURS: _(
            "Send the academic hours as a whole number from 1 to 24, or tap the default."
        ),
        SeminarInputError.BAD_LINK: _(
            "This link does not look right. Send a link such as https://example.org/room, "
            "or an address."
        ),
        SeminarInputError.BELOW_REGISTERED: _(
            "More people are registered already than this number of seats."
        ),
    }
    return texts[error.reason]
