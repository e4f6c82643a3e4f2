"""What coordinators and participants read when a seminar is changed or cancelled: the
names of what may change, the notices to those registered or waiting, the refusals of a
new value, and the marks of seminars under way or ended in a coordinator's list."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.seminars import SeminarField, SeminarInputError, SeminarInputInvalid
from bot.i18n import locale_of, speaking
from bot.services.errors import SeminarChangeRefused
from bot.services.seminar_changes import ChangeRenderer, SeminarChange
from bot.storage.records import User
from bot.storage.seminars import Seminar
from bot.texts.formats import moment, number
from bot.texts.seminars import input_error_text


def field_names(field: SeminarField) -> tuple[str, str]:
    """What a coordinator may change, in the current language: its button, and its name
    within a sentence."""
    names = {
        SeminarField.STARTS_AT: (_("🗓 Time"), _("time")),
        SeminarField.PLACE: (_("📍 Place or link"), _("place or link")),
        SeminarField.CAPACITY: (_("👥 Seats"), _("seats")),
        SeminarField.DESCRIPTION: (_("📝 Description"), _("description")),
    }
    return names[field]


def field_label(field: SeminarField) -> str:
    """The name of what a coordinator may change, within a sentence."""
    return field_names(field)[1]


def _new_value(change: SeminarChange, tz: ZoneInfo, locale: str) -> str:
    """The line of a notice saying what the changed field is now (HTML, escaped)."""
    seminar, before = change.seminar, change.before
    if change.field is SeminarField.STARTS_AT:
        return _("🗓 New time: {start} (was {before})").format(
            start=moment(seminar.starts_at, tz, locale),
            before=moment(before.starts_at, tz, locale),
        )
    if change.field is SeminarField.PLACE:
        return _("📍 New place: {place}").format(place=escape(seminar.place))
    if change.field is SeminarField.CAPACITY:
        if seminar.capacity is None:
            return _("👥 Seats: no limit now")
        return _("👥 Seats now: {capacity}").format(capacity=number(seminar.capacity, locale))
    if not seminar.description:
        return _("📝 The description was removed.")
    return _("📝 New description:\n{description}").format(description=escape(seminar.description))


def change_notice(change: SeminarChange, tz: ZoneInfo, locale: str, i18n: I18n) -> str:
    """The notice of a change (or the cancellation) of a seminar in `locale`, for someone
    registered or waiting (HTML; user texts escaped; times in `tz`)."""
    seminar = change.seminar
    with speaking(i18n, locale):
        title = escape(seminar.title)
        start = moment(change.before.starts_at, tz, locale)
        if change.field is None:
            return _("❌ The seminar «{title}» on {start} is cancelled. Sorry!").format(
                title=title, start=start
            )
        return (
            _("✏️ The seminar «{title}» on {start} has changed.").format(title=title, start=start)
            + "\n"
            + _new_value(change, tz, locale)
        )


def change_renderer(i18n: I18n, tz: ZoneInfo) -> ChangeRenderer:
    """The renderer `SeminarChanges` calls for each person concerned: the notice in their
    language, without buttons."""

    def render(user: User, change: SeminarChange) -> tuple[str, None]:
        return change_notice(change, tz, locale_of(user, i18n), i18n), None

    return render


def change_refusal(error: SeminarChangeRefused) -> str:
    """Why a seminar's new value was refused, in the current language."""
    if error.reason is SeminarInputError.BELOW_REGISTERED:
        return ngettext(
            "{count} person is registered already: the seminar needs at least {count} seat. "
            "Send a larger number, or tap «No limit».",
            "{count} people are registered already: the seminar needs at least {count} seats. "
            "Send a larger number, or tap «No limit».",
            error.registered,
        ).format(count=error.registered)
    return input_error_text(SeminarInputInvalid(error.reason), "")


def seminar_phase(seminar: Seminar, now: int) -> str | None:
    """The mark of a seminar in a coordinator's list: under way, or ended (None before it
    starts), in the current language."""
    if seminar.cancelled_at is not None or seminar.starts_at > now:
        return None
    if seminar.ends_at > now:
        return _("⏳ Under way now")
    return _("🏁 Ended: attendance can be marked")


def changed_text(outcome_told: int, field: SeminarField | None) -> str:
    """What the coordinator is told after a change (`field`) or the cancellation (None):
    how many people registered or waiting are told."""
    if field is None:
        return ngettext(
            "The seminar is cancelled; {count} person registered or waiting will be told.",
            "The seminar is cancelled; {count} people registered or waiting will be told.",
            outcome_told,
        ).format(count=outcome_told)
    return ngettext(
        "Saved: the {field} changed; {count} person registered or waiting will be told.",
        "Saved: the {field} changed; {count} people registered or waiting will be told.",
        outcome_told,
    ).format(field=field_label(field), count=outcome_told)
