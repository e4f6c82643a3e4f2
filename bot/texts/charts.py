"""Growth charts as users see them: the title drawn on the PNG, the caption under it, and
the chart that follows a coordinator's weekly digest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.i18n import locale_of, speaking
from bot.services.charts import DEFAULT_PERIOD, ChartService, Point, render_png
from bot.services.digests import DigestPhoto
from bot.storage.records import Territory, User
from bot.texts.formats import number, signed

# A caption holds 1,024 characters: a long title (escaped, it may grow fivefold) is cut.
CAPTION_SUBJECT_LIMIT = 100

#: The period buttons under a digest's chart (the handlers' keyboard): the region's
#: (`territory` None) or a territory's chart, the period of `days` marked as shown.
PeriodKeyboard = Callable[[Territory | None, int], InlineKeyboardMarkup]


@dataclass(frozen=True, slots=True)
class Series:
    """What one chart shows: whose growth (`subject`, plain text), over how many `days`,
    the daily `points` (oldest first), and the next milestone (None: none)."""

    subject: str
    days: int
    points: list[Point]
    milestone: int | None


def chart_title(subject: str, days: int, locale: str, i18n: I18n) -> str:
    """The title drawn on the chart (plain text): "Penza region · 30 days"."""
    with speaking(i18n, locale):
        period = ngettext("{days} day", "{days} days", days).format(days=days)
    return f"{subject} · {period}"


def chart_caption(series: Series, locale: str, i18n: I18n) -> str:
    """The photo's HTML caption in `locale`: what (escaped, cut to CAPTION_SUBJECT_LIMIT
    characters), over how many days, the figure now and its change, the next milestone.
    The series' points must not be empty."""
    subject, days, points, milestone = series.subject, series.days, series.points, series.milestone
    if len(subject) > CAPTION_SUBJECT_LIMIT:
        subject = subject[: CAPTION_SUBJECT_LIMIT - 1] + "…"
    with speaking(i18n, locale):
        lines = [
            ngettext(
                "📈 <b>{subject}</b>, the last {days} day",
                "📈 <b>{subject}</b>, the last {days} days",
                days,
            ).format(subject=escape(subject), days=days),
            _("Now: {value} ({change} over the period)").format(
                value=number(points[-1][1], locale),
                change=signed(points[-1][1] - points[0][1], locale),
            ),
        ]
        if milestone is not None:
            lines.append(
                _("Next milestone: {milestone}").format(milestone=number(milestone, locale))
            )
    return "\n".join(lines)


def chart_empty(subject: str, locale: str, i18n: I18n) -> str:
    """What is shown instead of a chart with no figures yet (HTML; `subject` escaped)."""
    with speaking(i18n, locale):
        return _("<b>{title}</b>: no figures reported yet.").format(title=escape(subject))


async def draw(series: Series, locale: str, i18n: I18n) -> bytes:
    """The chart's PNG bytes, titled in `locale`. Drawing takes a CPU for a moment: it
    runs in a thread, so other users' updates go on meanwhile."""
    title = chart_title(series.subject, series.days, locale, i18n)
    return await asyncio.to_thread(
        render_png, series.points, title=title, next_milestone=series.milestone, locale=locale
    )


class DigestCharts:
    """The chart after a coordinator's weekly digest: the region's, or a scoped
    coordinator's territory's, over the last DEFAULT_PERIOD days, with the buttons that
    redraw it over another period (the `DigestChart` that `DigestService` receives)."""

    def __init__(
        self, charts: ChartService, i18n: I18n, settings: Settings, periods: PeriodKeyboard
    ) -> None:
        self._charts = charts
        self._i18n = i18n
        self._settings = settings
        self._periods = periods

    def locale(self, user: User) -> str:
        """The language `user`'s chart is drawn in."""
        return locale_of(user, self._i18n)

    async def draw(self, territory: Territory | None, locale: str) -> DigestPhoto:
        """The region's chart (`territory` None) or the territory's, drawn and captioned
        in `locale`."""
        days = DEFAULT_PERIOD
        if territory is None:
            subject = self._settings.region_name_in(locale)
            points = await self._charts.region(days)
            milestone = self._charts.region_milestone(points[-1][1])
        else:
            subject = territory.name(locale)
            points = await self._charts.territory(territory.id, days)
            milestone = self._charts.territory_milestone(points[-1][1])
        series = Series(subject, days, points, milestone)
        png = await draw(series, locale, self._i18n)
        with speaking(self._i18n, locale):
            markup = self._periods(territory, days)
        return DigestPhoto(
            png=png,
            caption=chart_caption(series, locale, self._i18n),
            reply_markup=markup.model_dump(mode="json", exclude_none=True),
        )
