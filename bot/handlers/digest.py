"""/digest, and the weekly digest's text in each recipient's language.

Every line of a digest is HTML that stands on its own (each tag closed on its line):
`DigestService` cuts a long digest between lines into messages Telegram accepts.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.config import Settings
from bot.domain.digests import Overview, PageFigures, PageMention
from bot.domain.roles import Actor
from bot.handlers.callbacks import MenuCb, MenuItem
from bot.handlers.common import reply_target
from bot.handlers.texts import THEME_LABELS, date, label, moment, number, signed
from bot.i18n import locale_of
from bot.services.digests import (
    SILENT_DAYS,
    Digest,
    DigestRenderer,
    DigestService,
)
from bot.services.seminars import SeminarView
from bot.storage.records import Territory


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

    def __init__(self, digest: Digest, locale: str, tz: ZoneInfo) -> None:
        self.digest = digest
        self.locale = locale
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


def render_digest(digest: Digest, locale: str, tz: ZoneInfo, region_name: str) -> str:
    """The digest as HTML lines, in the current locale."""
    out = _Lines(digest, locale, tz)
    out.add(
        _("📰 <b>Weekly digest</b>, {start} – {end}").format(
            start=_date(digest.since, tz, locale), end=_date(digest.until, tz, locale)
        )
    )
    if digest.overview is not None:
        _overview(out, digest.overview, region_name)
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
        _("Subscriptions: {total} on {pages} pages").format(
            total=out.num(overview.subscribers), pages=out.num(overview.pages)
        ),
        _("Change over the week: {change}").format(change=out.sign(overview.change)),
    )
    if overview.territory_id is not None:
        out.add(
            _("The region: {total} subscriptions").format(
                total=out.num(overview.region_subscribers)
            )
        )
    out.add(
        _("{left} to go to {milestone}").format(
            left=out.num(overview.next_milestone - overview.region_subscribers),
            milestone=out.num(overview.next_milestone),
        )
    )
    outlook = overview.forecast
    if outlook is not None:
        if outlook.date is not None:
            out.add(
                _("At the pace of the last 30 days, {milestone} comes around {date}.").format(
                    milestone=out.num(overview.next_milestone),
                    date=format_date(outlook.date, format="medium", locale=out.locale),
                )
            )
        elif outlook.growing:
            out.add(
                _(
                    "At the pace of the last 30 days, {milestone} is more than ten years away."
                ).format(milestone=out.num(overview.next_milestone))
            )
        else:
            out.add(_("The region has not grown over the last 30 days: no forecast."))

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

    _newcomers(out, overview)

    if overview.silent:
        out.gap()
        out.add(
            _("<b>No report for {days} days or more: {count} pages</b>").format(
                days=SILENT_DAYS, count=out.num(overview.silent)
            )
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
        _("{source}: {count}").format(
            source=escape(source) if source is not None else _("direct"), count=out.num(number)
        )
        for source, number in overview.newcomers[:NEWCOMER_SOURCES]
    ]
    rest = sum(number for _source, number in overview.newcomers[NEWCOMER_SOURCES:])
    if rest:
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
                _("⚠️ No report for {days} days or more: send the figure with /report {id}").format(
                    days=SILENT_DAYS, id=page.page_id
                )
            )


def _seminars(out: _Lines, seminars: list[SeminarView]) -> None:
    out.gap()
    out.add(_("🎓 <b>Upcoming seminars</b>"))
    for view in seminars:
        seminar = view.seminar
        line = _("• {start}: <b>{title}</b>").format(
            start=moment(seminar.starts_at, out.tz, out.locale), title=escape(seminar.title)
        )
        if seminar.capacity is None:
            line += " " + _("(registered: {count})").format(count=out.num(view.registered))
        else:
            line += " " + _("(registered: {count} of {capacity})").format(
                count=out.num(view.registered), capacity=out.num(seminar.capacity)
            )
        if view.mine:
            line += " " + _("✅ you are registered")
        out.add(line)
    if any(not view.mine and not view.full for view in seminars):
        out.add(_("Register with /seminars."))


def digest_renderer(i18n: I18n, settings: Settings) -> DigestRenderer:
    """Renders each digest in its recipient's language (for the scheduled run)."""
    tz = settings.tz

    def render(digest: Digest) -> str:
        locale = locale_of(digest.user, i18n)
        with i18n.context(), i18n.use_locale(locale):
            return render_digest(digest, locale, tz, settings.region_name)

    return render


async def send_digest(
    target: Message | InaccessibleMessage, actor: Actor, digests: DigestService
) -> None:
    """This week's digest now, and for coordinators the chart that follows it."""
    for part in await digests.compose(actor.user_id):
        await target.answer(part)
    photo = await digests.compose_chart(actor.user_id)
    if photo is not None:
        markup = photo.reply_markup
        await target.answer_photo(
            BufferedInputFile(photo.png, "chart.png"),
            caption=photo.caption,
            reply_markup=InlineKeyboardMarkup.model_validate(markup) if markup else None,
        )


async def digest(event: Message | CallbackQuery, actor: Actor, digests: DigestService) -> None:
    await send_digest(reply_target(event), actor, digests)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(digest, Command("digest"))
    router.callback_query.register(digest, MenuCb.filter(F.item == MenuItem.DIGEST))
    return router
