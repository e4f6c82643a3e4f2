"""Growth charts: the series of the region, a territory or a page, and their PNG.

matplotlib is imported inside `render_png` only: importing it costs start-up time, and
most runs of the bot never draw a chart.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Sequence

from babel.dates import format_date
from babel.numbers import format_decimal

from bot.config import Settings
from bot.domain.milestones import Ladders
from bot.domain.roles import Actor
from bot.services.access import ensure_registered
from bot.services.clock import Clock
from bot.storage.database import Database

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = PERIODS[0]
TITLE_LIMIT = 70

Point = tuple[dt.date, int]


class ChartService:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._tz = settings.tz
        self._ladders = Ladders.from_settings(settings)

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self._clock.now(), self._tz).date()

    def _first_day(self, days: int) -> dt.date:
        if days not in PERIODS:
            raise ValueError(f"a chart covers one of {PERIODS} days, not {days}")
        return self.today() - dt.timedelta(days=days - 1)

    async def ensure_registered(self, actor: Actor) -> None:
        """Region and territory charts are for anyone registered, as /total is."""
        async with self._db.read() as repos:
            await ensure_registered(repos, actor)

    async def region(self, days: int) -> list[Point]:
        return await self._totals(days, None)

    async def territory(self, territory_id: int, days: int) -> list[Point]:
        return await self._totals(days, territory_id)

    async def _totals(self, days: int, territory_id: int | None) -> list[Point]:
        """Finished days from the nightly snapshots, today from the live aggregates."""
        first, today = self._first_day(days), self.today()
        async with self._db.read() as repos:
            rows = await repos.charts.daily(
                since_day=first.isoformat(), before_day=today.isoformat(), territory_id=territory_id
            )
            live = await repos.charts.live(territory_id=territory_id)
        points = [(dt.date.fromisoformat(day), value) for day, value in rows]
        points.append((today, live))
        return points

    async def page(self, page_id: int, days: int) -> list[Point]:
        """The page's figure at the end of each day: its latest report by then, carried
        forward over the days without one. Empty before the first report."""
        first, today = self._first_day(days), self.today()
        since = int(dt.datetime.combine(first, dt.time(), self._tz).timestamp())
        async with self._db.read() as repos:
            carried = await repos.charts.figure_before(page_id, since)
            reports = await repos.charts.reports_since(page_id, since)
        latest: dict[dt.date, int] = {}
        for reported_at, figure in reports:  # oldest first: the day's last report wins
            latest[dt.datetime.fromtimestamp(reported_at, self._tz).date()] = figure
        points: list[Point] = []
        current = carried
        day = first
        while day <= today:
            current = latest.get(day, current)
            if current is not None:
                points.append((day, current))
            day += dt.timedelta(days=1)
        return points

    # The next milestones are the thresholds milestone alerts celebrate.
    def region_milestone(self, value: int) -> int:
        return self._ladders.region.next_beyond(value)

    def territory_milestone(self, value: int) -> int:
        return self._ladders.territory.next_beyond(value)

    def page_milestone(self, value: int) -> int | None:
        """None past the listed thresholds when PAGE_MILESTONE_STEP is 0."""
        return self._ladders.page.next_above(value)


def amount(value: float, locale: str) -> str:
    """A chart's number in the user's way: 987 000 in Russian, 987,000 in English."""
    return format_decimal(round(value), locale=locale)


def _drawable(text: str) -> str:
    """Drop what the chart's font cannot draw (emoji, joiners, variation selectors)."""
    kept = (
        char
        for char in text
        if ord(char) < 0x1F000 and unicodedata.category(char) not in {"Cf", "Cs", "Co", "Mn"}
    )
    result = " ".join("".join(kept).split())
    return result if len(result) <= TITLE_LIMIT else result[: TITLE_LIMIT - 1] + "…"


def render_png(
    points: Sequence[Point], *, title: str, next_milestone: int | None, locale: str
) -> bytes:
    """The series as a line, the next milestone as a dashed line; PNG bytes.

    CPU-bound (tens to hundreds of milliseconds): call it with `asyncio.to_thread`. It
    uses no pyplot state, so charts may be drawn in several threads at once.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, date2num, num2date
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(10, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(_drawable(title), loc="left", fontsize=14, parse_math=False)
    axes.grid(True, alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)

    if points:
        # matplotlib.dates has no annotations: its three calls are typed by hand.
        xs = [float(date2num(day)) for day, _ in points]  # type: ignore[no-untyped-call]
        ys = [value for _, value in points]
        axes.plot(xs, ys, color="#2a6fdb", linewidth=2.2, marker="o" if len(xs) <= 31 else "")
        axes.fill_between(xs, ys, min(ys), color="#2a6fdb", alpha=0.08)
        if len(xs) == 1:
            axes.set_xlim(xs[0] - 1, xs[0] + 1)
        span = xs[-1] - xs[0]
        pattern = "d MMM" if span <= 120 else "LLL yyyy"
        if span < 7:
            axes.set_xticks(xs)  # one tick a day: finer ticks would repeat the dates
        else:
            locator = AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
            axes.xaxis.set_major_locator(locator)

        def day_label(x: float, _: int | None) -> str:
            day: dt.date = num2date(x).date()  # type: ignore[no-untyped-call]
            return format_date(day, pattern, locale=locale)

        axes.xaxis.set_major_formatter(FuncFormatter(day_label))
        last_x, last_y = xs[-1], ys[-1]
        axes.annotate(
            amount(last_y, locale),
            (last_x, last_y),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=11,
            color="#2a6fdb",
            annotation_clip=False,
        )
    else:
        axes.set_xticks([])

    if next_milestone is not None:
        axes.axhline(next_milestone, color="#d9480f", linestyle="--", linewidth=1.5)
        axes.text(
            0.01,
            next_milestone,
            amount(next_milestone, locale),
            transform=axes.get_yaxis_transform(),
            ha="left",
            va="bottom",
            color="#d9480f",
            fontsize=11,
            parse_math=False,
        )
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: amount(y, locale)))
    if not points and next_milestone is None:
        axes.set_yticks([])

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
