"""What a seminar's registered people read before it (reminders) and its attendees after
it (the rating question), and what its coordinators read of the ratings."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.i18n import locale_of, speaking
from bot.services.feedback import FeedbackQuestion, FeedbackSummary
from bot.services.seminar_reminders import SeminarReminderText
from bot.storage.records import User
from bot.storage.seminars import Seminar
from bot.texts.formats import moment, number

#: The buttons under a seminar's reminder or rating question, for one seminar.
SeminarButtons = Callable[[Seminar], InlineKeyboardMarkup]


def time_left(seconds: int) -> str:
    """How soon a seminar starts, `seconds` ahead: "in 24 hours", "in 1 hour", "in 45
    minutes" (whole hours from 55 minutes on, the local time beside it says the minute)."""
    minutes = max(1, round(seconds / 60))
    if minutes >= 55:
        hours = max(1, round(minutes / 60))
        return ngettext("in {count} hour", "in {count} hours", hours).format(count=hours)
    return ngettext("in {count} minute", "in {count} minutes", minutes).format(count=minutes)


def seminar_reminder(seminar: Seminar, now: int, tz: ZoneInfo, locale: str, i18n: I18n) -> str:
    """The reminder of `seminar`, sent at `now` (Unix seconds), in `locale` (HTML): how
    soon it starts, its local start (in `tz`), its place or link. User texts escaped."""
    with speaking(i18n, locale):
        return "\n".join(
            [
                _("⏰ <b>{title}</b> starts {left}.").format(
                    title=escape(seminar.title), left=time_left(seminar.starts_at - now)
                ),
                _("🗓 {start}, {minutes} min").format(
                    start=moment(seminar.starts_at, tz, locale),
                    minutes=seminar.duration_minutes,
                ),
                _("📍 {place}").format(place=escape(seminar.place)),
                "",
                _("If you cannot come, tap the button below: your seat goes to someone else."),
            ]
        )


def seminar_reminder_text(
    i18n: I18n, tz: ZoneInfo, keyboard: SeminarButtons
) -> SeminarReminderText:
    """The renderer `SeminarReminderService` calls for each registered person: the
    reminder and its "I can't come" button, in the person's language."""

    def render(user: User, seminar: Seminar, now: int) -> tuple[str, InlineKeyboardMarkup]:
        locale = locale_of(user, i18n)
        with speaking(i18n, locale):
            return seminar_reminder(seminar, now, tz, locale, i18n), keyboard(seminar)

    return render


def feedback_question(seminar: Seminar, tz: ZoneInfo, locale: str, i18n: I18n) -> str:
    """The question to an attendee of `seminar`, in `locale` (HTML)."""
    with speaking(i18n, locale):
        return _(
            "🙏 How was the seminar <b>{title}</b> of {start}? Rate it from 1 (poor) to "
            "5 (excellent): your answer helps make the next ones better."
        ).format(title=escape(seminar.title), start=moment(seminar.starts_at, tz, locale))


def feedback_question_text(i18n: I18n, tz: ZoneInfo, keyboard: SeminarButtons) -> FeedbackQuestion:
    """The renderer `FeedbackService` calls for each attendee: the question and the
    rating buttons, in the attendee's language."""

    def render(user: User, seminar: Seminar) -> tuple[str, InlineKeyboardMarkup]:
        locale = locale_of(user, i18n)
        with speaking(i18n, locale):
            return feedback_question(seminar, tz, locale, i18n), keyboard(seminar)

    return render


def rated(seminar: Seminar, rating: int) -> str:
    """The answer to a rating, in the current language: thanks, and the comment's offer."""
    return _(
        "Thank you! You rated <b>{title}</b> {rating} of 5. If you wish, write a comment "
        "in one message (what was useful, what to improve), or tap «Skip»."
    ).format(title=escape(seminar.title), rating=rating)


def stars(rating: int) -> str:
    """A rating as stars: "★★★★☆"."""
    return "★" * rating + "☆" * (5 - rating)


def feedback_summary(summary: FeedbackSummary, locale: str, i18n: I18n) -> str:
    """A seminar's feedback for its coordinators, in `locale` (HTML, one tag-closed line
    per comment, so `split_message` may cut it): the average, how many rated of how many
    asked, and every comment, escaped."""
    stats = summary.stats
    with speaking(i18n, locale):
        lines = [_("⭐ Feedback on <b>{title}</b>").format(title=escape(summary.seminar.title))]
        asked = ngettext("{count} attendee asked", "{count} attendees asked", stats.asked).format(
            count=number(stats.asked, locale)
        )
        if stats.average is None:
            lines.append(_("No ratings yet ({asked}).").format(asked=asked))
            return "\n".join(lines)
        lines.append(
            _("Average rating: <b>{average}</b> of 5").format(
                average=format_decimal(stats.average, format="0.0", locale=locale)
            )
        )
        lines.append(
            ngettext("{count} rating ({asked}).", "{count} ratings ({asked}).", stats.rated).format(
                count=number(stats.rated, locale), asked=asked
            )
        )
        if stats.comments:
            lines += ["", _("Comments:")]
            lines += [
                f"{stars(rating)} {escape(' '.join(comment.split()))}"
                for rating, comment in stats.comments
            ]
        return "\n".join(lines)
