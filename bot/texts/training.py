"""/training's report, the digest's training block and the broadcast's training
choices, in the reader's language. The figures' rules are in `bot.domain.training`."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal, format_percent

from bot.domain.messages import ListPage, list_page
from bot.domain.segments import Segment, SeminarGroup
from bot.domain.training import (
    TERRITORIES_PER_SCREEN,
    Coverage,
    SeminarFigures,
    TrainingPeriod,
    TrainingReport,
    TrainingWeek,
)
from bot.i18n import speaking
from bot.storage.records import Territory
from bot.storage.training import SeminarRef
from bot.texts.formats import day, moment, number, territory_name


def percent(share: float, locale: str) -> str:
    """A share in [0, 1] as the locale writes a whole percentage: "67 %", "67%"."""
    return format_percent(share, format="#,##0%", locale=locale)


def period_label(period: TrainingPeriod) -> str:
    """A period's button label, in the current language."""
    labels = {
        TrainingPeriod.THIS_YEAR: _("This year"),
        TrainingPeriod.LAST_30_DAYS: _("Last 30 days"),
        TrainingPeriod.LAST_QUARTER: _("Last quarter"),
        TrainingPeriod.LAST_YEAR: _("Last year"),
    }
    return labels[period]


def _coverage_text(coverage: Coverage, locale: str) -> str:
    """ "2 of 4 (50 %)", or "—" without approved pages."""
    if coverage.share is None:
        return "—"
    return _("{covered} of {pages} ({share})").format(
        covered=number(coverage.covered, locale),
        pages=number(coverage.pages, locale),
        share=percent(coverage.share, locale),
    )


def _attendance(figures: SeminarFigures, locale: str) -> str:
    rate = figures.attendance_rate
    if rate is None:
        return _("Attendance: nobody registered")
    return ngettext(
        "Attendance: {came} of {registered} registered person came ({rate})",
        "Attendance: {came} of {registered} registered people came ({rate})",
        figures.registered,
    ).format(
        came=number(figures.came, locale),
        registered=number(figures.registered, locale),
        rate=percent(rate, locale),
    )


def _figure_lines(figures: SeminarFigures, locale: str) -> list[str]:
    """Seminars held, people trained, hours, attendance, rating: one line each."""
    average = figures.average_rating
    rating = (
        _("Average rating: no ratings yet")
        if average is None
        else ngettext(
            "Average rating: {average} of 5 ({count} rating)",
            "Average rating: {average} of 5 ({count} ratings)",
            figures.ratings,
        ).format(
            average=format_decimal(round(average, 1), format="0.0", locale=locale),
            count=number(figures.ratings, locale),
        )
    )
    return [
        ngettext(
            "Seminars held: {count} ({hours} academic hour taught)",
            "Seminars held: {count} ({hours} academic hours taught)",
            figures.seminar_hours,
        ).format(
            count=number(figures.seminars, locale), hours=number(figures.seminar_hours, locale)
        ),
        _("People trained: {count}").format(count=number(figures.people, locale)),
        _("Academic hours delivered to participants: {count}").format(
            count=number(figures.person_hours, locale)
        ),
        _attendance(figures, locale),
        rating,
    ]


def training_report(
    report: TrainingReport,
    territories: list[Territory],
    region_name: str,
    at: int,
    tz: ZoneInfo,
    locale: str,
    i18n: I18n,
) -> ListPage:
    """Screen `at` (zero-based, clamped) of /training (HTML): the period's figures, then
    the coverage by territory, worst first, TERRITORIES_PER_SCREEN territories a screen.
    `region_name` is not escaped here."""
    with speaking(i18n, locale):
        where = (
            region_name
            if report.scope is None
            else territory_name(territories, report.scope, locale)
        )
        last_day = max(report.until - 1, report.since)
        head = [
            _("🎓 <b>Training: {where}</b>").format(where=escape(where)),
            _("{period}: {start} – {end}").format(
                period=period_label(report.period),
                start=day(report.since, tz, locale),
                end=day(last_day, tz, locale),
            ),
            "",
            *_figure_lines(report.figures, locale),
            _("Pages with a trained administrator: {coverage}").format(
                coverage=_coverage_text(report.total, locale)
            ),
        ]
        if not report.coverage:
            return list_page([_("No approved pages yet.")], 0, header="\n".join(head))
        head += ["", _("<b>By territory, worst first</b>")]
        items = [
            _("• {territory}: {coverage}").format(
                territory=escape(territory_name(territories, row.territory_id or 0, locale)),
                coverage=_coverage_text(row, locale),
            )
            for row in report.coverage
        ]
        return list_page(items, at, header="\n".join(head), per_page=TERRITORIES_PER_SCREEN)


def digest_training_lines(week: TrainingWeek, locale: str) -> list[str]:
    """The digest's training block, each line standing on its own (HTML), in the current
    language: the week's held seminars, attendance, and the coverage with its change."""
    figures = week.figures
    lines = [_("🎓 <b>Training this week</b>")]
    if figures.seminars:
        lines.append(
            ngettext(
                "{count} seminar held, people trained: {people}",
                "{count} seminars held, people trained: {people}",
                figures.seminars,
            ).format(count=number(figures.seminars, locale), people=number(figures.people, locale))
        )
        lines.append(_attendance(figures, locale))
    else:
        lines.append(_("No seminar was held this week."))
    now, before = week.now, week.before
    if now.share is not None:
        change = (now.share - (before.share or 0.0)) * 100
        lines.append(
            _("Pages with a trained administrator: {coverage}, {change} pp over the week").format(
                coverage=_coverage_text(now, locale),
                change=("+" if change >= 0 else "−")
                + format_decimal(round(abs(change), 1), format="0.0", locale=locale),
            )
        )
    return lines


def group_label(group: SeminarGroup) -> str:
    """A seminar group's button label and description part, in the current language."""
    labels = {
        SeminarGroup.REGISTERED: _("registered"),
        SeminarGroup.ATTENDED: _("attended"),
        SeminarGroup.ABSENT: _("registered but did not come"),
    }
    return labels[group]


def segment_training_parts(segment: Segment, seminar_title: str | None) -> list[str]:
    """The parts of a segment's description its training choices add (plain text, not
    escaped), in the current language; `seminar_title` names the segment's seminar."""
    parts = []
    if segment.seminar_group is not None:
        title = seminar_title if seminar_title is not None else f"#{segment.seminar_id}"
        parts.append(
            # TRANSLATORS: part of a segment's description: {group} is "registered",
            # "attended" or "registered but did not come".
            _("seminar «{title}»: {group}").format(
                title=title, group=group_label(segment.seminar_group)
            )
        )
    if segment.untrained:
        parts.append(_("pages with no trained administrator"))
    return parts


def seminar_choice(seminar: SeminarRef, tz: ZoneInfo, locale: str) -> str:
    """A seminar's button label: "12 October 2026, 10:00 · Title" (plain text)."""
    return f"{moment(seminar.starts_at, tz, locale)} · {seminar.title}"
