"""The weekly digest's text, in each recipient's language.

Every line of a digest is HTML that stands on its own (each tag closed on its line):
`DigestService` cuts a long digest between lines into messages Telegram accepts.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.digests import SILENT_DAYS, Overview, PageFigures, PageMention
from bot.i18n import locale_of, speaking
from bot.services.digests import Digest, DigestRenderer
from bot.services.seminars import SeminarView
from bot.storage.records import Territory
from bot.texts.formats import date, moment, number, signed
from bot.texts.labels import THEME_LABELS, label
from bot.texts.milestones import forecast_text
from bot.texts.training import digest_training_lines


@lru_cache(maxsize=65_536)
def _number(value: int, locale: str) -> str:
    # A run renders the same ranks and counts thousands of times; Babel is not fast.
    return number(value, locale)


@lru_cache(maxsize=1024)
def _date(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    return date(timestamp, tz, locale)


def _signed(value: int, locale: str) -> str:
    if value > 0:
        return "+" + _number(value, locale)
    if value < 0:
        return "−" + _number(-value, locale)
    return signed(0, locale)


class _Lines:
    """A digest being written: its locale, time zone and territory names."""

    def __init__(self, digest: Digest, locale: str, i18n: I18n, tz: ZoneInfo) -> None:
        self.digest = digest
        self.locale = locale
        self.i18n = i18n
        self.tz = tz
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def gap(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def num(self, value: int) -> str:
        return _number(value, self.locale)

    def sign(self, value: int) -> str:
        return _signed(value, self.locale)

    def territory(self, territory_id: int) -> str:
        found: Territory | None = self.digest.territories.get(territory_id)
        return escape(found.name(self.locale)) if found is not None else "?"

    def mention(self, page: PageMention, *, territory: bool) -> str:
        if not territory:
            return _("• {title}").format(title=escape(page.title))
        return _("• {title} ({territory})").format(
            title=escape(page.title), territory=self.territory(page.territory_id)
        )


def render_digest(digest: Digest, locale: str, i18n: I18n, tz: ZoneInfo, region_name: str) -> str:
    """The digest as HTML lines in `locale`, dates in `tz`; `region_name` (not escaped)
    names the region in that language. User texts are escaped."""
    with speaking(i18n, locale):
        return _render(digest, locale, i18n, tz, region_name)


def _render(digest: Digest, locale: str, i18n: I18n, tz: ZoneInfo, region_name: str) -> str:
    out = _Lines(digest, locale, i18n, tz)
    out.add(
        _("📰 <b>Weekly digest</b>, {start} – {end}").format(
            start=_date(digest.since, tz, locale), end=_date(digest.until, tz, locale)
        )
    )
    if digest.overview is not None:
        _overview(out, digest.overview, region_name)
    if digest.training is not None:
        out.gap()
        out.add(*digest_training_lines(digest.training, locale))
    if digest.pages:
        _pages(out, digest.pages)
    if digest.seminars:
        _seminars(out, digest.seminars)
    out.gap()
    out.add(_("<i>The digest comes every week; switch it off or on in /settings.</i>"))
    return "\n".join(out.lines)


def _overview(out: _Lines, overview: Overview, region_name: str) -> None:
    out.gap()
    if overview.territory_id is None:
        out.add(_("📊 <b>{region}</b>").format(region=escape(region_name)))
    else:
        out.add(
            _("<b>Your territory: {name}</b>").format(name=out.territory(overview.territory_id))
        )
    out.add(
        ngettext(
            "Subscriptions: {total} on {pages} page",
            "Subscriptions: {total} on {pages} pages",
            overview.pages,
        ).format(total=out.num(overview.subscribers), pages=out.num(overview.pages)),
        _("Change over the week: {change}").format(change=out.sign(overview.change)),
    )
    if overview.territory_id is not None:
        out.add(
            ngettext(
                "The region: {total} subscription",
                "The region: {total} subscriptions",
                overview.region_subscribers,
            ).format(total=out.num(overview.region_subscribers))
        )
    out.add(
        _("{left} to go to {milestone}").format(
            left=out.num(overview.next_milestone - overview.region_subscribers),
            milestone=out.num(overview.next_milestone),
        )
    )
    if overview.forecast is not None:
        out.add(forecast_text(overview.forecast, overview.next_milestone, out.locale, out.i18n))

    out.gap()
    out.add(_("<b>Fastest-growing pages this week</b>"))
    if not overview.top_pages:
        out.add(_("No page reported growth this week."))
    for place, page in enumerate(overview.top_pages, 1):
        out.add(
            _("{place}. {title} ({territory}): {change}, now {figure}").format(
                place=place,
                title=escape(page.title),
                territory=out.territory(page.territory_id),
                change=out.sign(page.change),
                figure=out.num(page.figure),
            )
        )
    if overview.top_territories:
        out.gap()
        out.add(_("<b>Fastest-growing territories this week</b>"))
        for place, territory in enumerate(overview.top_territories, 1):
            out.add(
                _("{place}. {territory}: {change}").format(
                    place=place,
                    territory=out.territory(territory.territory_id),
                    change=out.sign(territory.change),
                )
            )

    out.gap()
    out.add(_("<b>New pages this week</b>"))
    out.add(_("Registered: {count}").format(count=out.num(overview.registered)))
    _listed(out, overview.registered_listed, overview.registered)
    out.add(_("Approved: {count}").format(count=out.num(overview.approved)))
    _listed(out, overview.approved_listed, overview.approved)
    out.gap()
    out.add(
        # TRANSLATORS: pages whose every administrator left or blocked the bot this week.
        _("Left without an administrator this week: {count} (see /pending)").format(
            count=out.num(overview.orphaned)
        )
    )
    if overview.flagged:
        out.add(
            # TRANSLATORS: reports far from the platform's figure, or sudden jumps.
            _("Figures flagged this week: {count} (see /pending)").format(
                count=out.num(overview.flagged)
            )
        )

    _newcomers(out, overview)

    if overview.silent:
        out.gap()
        out.add(
            # TRANSLATORS: the form follows {count}, the number of pages; {days} is the
            # same in every digest (30).
            ngettext(
                "<b>No report for {days} days or more: {count} page</b>",
                "<b>No report for {days} days or more: {count} pages</b>",
                overview.silent,
            ).format(days=SILENT_DAYS, count=out.num(overview.silent))
        )
        for group in overview.silent_groups:
            out.add(
                _("<i>{territory}</i>: {count}").format(
                    territory=out.territory(group.territory_id), count=out.num(group.count)
                )
            )
            _listed(out, group.listed, group.count, territory=False)


#: Sources named in the digest's newcomers line; the rest are counted together.
NEWCOMER_SOURCES = 8


def _newcomers(out: _Lines, overview: Overview) -> None:
    """One line: how many users first came this week, and from which campaign links."""
    out.gap()
    count = overview.newcomer_count
    if not count:
        out.add(_("New this week: {count}").format(count=out.num(0)))
        return
    parts = [
        # TRANSLATORS: users who first came through one campaign link (its label), or
        # "direct" for those who came without one.
        _("{source}: {count}").format(
            # TRANSLATORS: newcomers who opened the bot without a campaign link.
            source=escape(source) if source is not None else _("direct"),
            count=out.num(number),
        )
        for source, number in overview.newcomers[:NEWCOMER_SOURCES]
    ]
    rest = sum(number for _source, number in overview.newcomers[NEWCOMER_SOURCES:])
    if rest:
        # TRANSLATORS: newcomers from the campaign links not named in the line, together.
        parts.append(_("other: {count}").format(count=out.num(rest)))
    out.add(
        _("New this week: {count} ({sources})").format(
            count=out.num(count), sources=", ".join(parts)
        )
    )


def _listed(out: _Lines, pages: list[PageMention], count: int, *, territory: bool = True) -> None:
    out.add(*(out.mention(page, territory=territory) for page in pages))
    if count > len(pages):
        out.add(_("…and {count} more").format(count=out.num(count - len(pages))))


def _pages(out: _Lines, pages: list[PageFigures]) -> None:
    out.gap()
    out.add(_("<b>Your pages</b>"))
    for page in pages:
        title = escape(page.title)
        if not page.approved:
            out.add(_("<b>{title}</b>: waiting for approval").format(title=title))
            continue
        if page.figure is None:
            out.add(_("<b>{title}</b>: no figure yet").format(title=title))
        elif page.change is None:
            out.add(_("<b>{title}</b>: {figure}").format(title=title, figure=out.num(page.figure)))
        else:
            out.add(
                _("<b>{title}</b>: {figure} ({change} over the week)").format(
                    title=title, figure=out.num(page.figure), change=out.sign(page.change)
                )
            )
        if page.theme_rank is not None and page.territory_rank is not None:
            out.add(
                _(
                    "Place {theme_rank} of {theme_pages} in the theme «{theme}», "
                    "{territory_rank} of {territory_pages} in {territory}"
                ).format(
                    theme_rank=out.num(page.theme_rank),
                    theme_pages=out.num(page.theme_pages),
                    theme=escape(label(THEME_LABELS, page.theme)),
                    territory_rank=out.num(page.territory_rank),
                    territory_pages=out.num(page.territory_pages),
                    territory=out.territory(page.territory_id),
                )
            )
        if page.silent:
            out.add(
                ngettext(
                    "⚠️ No report for {days} day or more: send the figure with /report {id}",
                    "⚠️ No report for {days} days or more: send the figure with /report {id}",
                    SILENT_DAYS,
                ).format(days=SILENT_DAYS, id=page.page_id)
            )


def _seminars(out: _Lines, seminars: list[SeminarView]) -> None:
    out.gap()
    out.add(_("🎓 <b>Upcoming seminars</b>"))
    for view in seminars:
        seminar = view.seminar
        start = moment(seminar.starts_at, out.tz, out.locale)
        title = escape(seminar.title)
        count = out.num(view.registered)
        if seminar.capacity is None and view.mine:
            line = _("• {start}: <b>{title}</b> (registered: {count}) ✅ you are registered")
        elif seminar.capacity is None:
            line = _("• {start}: <b>{title}</b> (registered: {count})")
        elif view.mine:
            line = _(
                "• {start}: <b>{title}</b> (registered: {count} of {capacity}) "
                "✅ you are registered"
            )
        else:
            line = _("• {start}: <b>{title}</b> (registered: {count} of {capacity})")
        capacity = out.num(seminar.capacity) if seminar.capacity is not None else ""
        line = line.format(start=start, title=title, count=count, capacity=capacity)
        out.add(line)
    if any(not view.mine and not view.full for view in seminars):
        out.add(_("Register with /seminars."))


def digest_renderer(i18n: I18n, settings: Settings) -> DigestRenderer:
    """The renderer `DigestService` calls for each digest: the digest in its recipient's
    language, dates in the region's time zone."""
    tz = settings.tz

    def render(digest: Digest) -> str:
        locale = locale_of(digest.user, i18n)
        return render_digest(digest, locale, i18n, tz, settings.region_name_in(locale))

    return render
