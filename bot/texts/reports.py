"""What an administrator reads when reporting a figure: why a figure is refused, and what
was stored."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.figures import MAX_FIGURE, FigureError, FigureErrorReason
from bot.i18n import speaking
from bot.services.reports import ReportOutcome
from bot.texts.formats import number, signed
from bot.texts.observations import discrepancy_line


def figure_error_text(error: FigureError, locale: str, i18n: I18n) -> str:
    """Why a typed figure is refused, in `locale` (HTML: the pieces of the user's text it
    quotes are escaped)."""
    quoted = ", ".join(f"«{escape(piece)}»" for piece in error.unknown)
    with speaking(i18n, locale):
        texts = {
            FigureErrorReason.EMPTY: _("Send the number of subscribers, for example 12 345."),
            FigureErrorReason.NO_DIGITS: _(
                "There is no number written in digits here. "
                "Send the number of subscribers, for example 12 345."
            ),
            FigureErrorReason.MALFORMED: _(
                "I cannot read {digits} as one number. Write it with the digits 0–9 and "
                "one space between thousands, for example 12 345."
            ).format(digits=quoted),
            FigureErrorReason.UNKNOWN_WORDS: _(
                "I understood the number {number} but not {unknown}. "
                "Send just the number of subscribers, for example 12 345 or 12,3 тыс."
            ).format(number=escape(error.understood), unknown=quoted),
            FigureErrorReason.NEGATIVE: _("The number of subscribers cannot be negative."),
            FigureErrorReason.TOO_LARGE: _(
                "That is more than {limit}: please check the number."
            ).format(limit=number(MAX_FIGURE, locale)),
            FigureErrorReason.FRACTIONAL: _(
                "This does not come to a whole number of subscribers. Send the exact number."
            ),
            FigureErrorReason.AMBIGUOUS: _(
                "I cannot tell whether this is a decimal point or a thousands separator. "
                "Send the exact number, for example 12345 or 12 345, or with a unit: 12,3 тыс."
            ),
        }
        return texts[error.reason]


def outcome_text(outcome: ReportOutcome, locale: str, i18n: I18n) -> str:
    """The answer to a stored report in `locale` (HTML): the figure, the change since
    the previous report unless there was none or this one repeats it, and what the
    platform showed the same day when the report differs from it."""
    text = _stored_text(outcome, locale, i18n)
    if outcome.observed is None:
        return text
    with speaking(i18n, locale):
        return f"{text}\n\n{discrepancy_line(outcome.observed, locale)}"


def _stored_text(outcome: ReportOutcome, locale: str, i18n: I18n) -> str:
    with speaking(i18n, locale):
        title = escape(outcome.page.title)
        figure = number(outcome.figure, locale)
        if outcome.previous is not None and not outcome.duplicate:
            return ngettext(
                "Saved: <b>{title}</b> has {figure} subscriber. "
                "Change since the last report: {change}.",
                "Saved: <b>{title}</b> has {figure} subscribers. "
                "Change since the last report: {change}.",
                outcome.figure,
            ).format(
                title=title, figure=figure, change=signed(outcome.figure - outcome.previous, locale)
            )
        return ngettext(
            "Saved: <b>{title}</b> has {figure} subscriber.",
            "Saved: <b>{title}</b> has {figure} subscribers.",
            outcome.figure,
        ).format(title=title, figure=figure)
