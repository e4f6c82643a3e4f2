"""What users read about figures observed on the platforms: the verified line of a page,
a discrepancy, the collection's progress and summary, and the coordinators' lists of
flagged, uncollectable and duplicate pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.domain.crosscheck import FlagKind
from bot.domain.messages import list_page
from bot.domain.observations import Uncollectable
from bot.i18n import locale_of, speaking
from bot.services.collect import CollectProgress, CollectSummary, DiscrepancyNotice, Review
from bot.storage.observations import FlaggedPage
from bot.storage.records import Page, User
from bot.texts.formats import date, number
from bot.texts.labels import PLATFORM_LABELS, label

REASON_LABELS: dict[str, LazyProxy] = {
    Uncollectable.GONE: __("deleted or blocked"),
    Uncollectable.PRIVATE: __("private"),
    Uncollectable.UNKNOWN: __("not found on the platform"),
    Uncollectable.NOT_A_COMMUNITY: __("not a community"),
    Uncollectable.NO_ACCESS: __("the bot has no access"),
}


def discrepancy_line(observed: int, locale: str) -> str:
    """What the platform shows, under a report that differs from it (HTML). Call within
    the reader's language."""
    return _(
        "⚠️ The platform's own figure today: {observed}. Please check yours: "
        "coordinators see the difference."
    ).format(observed=number(observed, locale))


def discrepancy_notice(i18n: I18n) -> DiscrepancyNotice:
    """The renderer `CollectService` calls for each administrator of a page whose report
    of the day differs from the figure collected: in the administrator's language."""

    def render(user: User, page: Page, reported: int, observed: int) -> str:
        locale = locale_of(user, i18n)
        with speaking(i18n, locale):
            head = _("Your figure for <b>{title}</b> today: {reported}.").format(
                reported=number(reported, locale), title=escape(page.title)
            )
            return f"{head}\n{discrepancy_line(observed, locale)}"

    return render


def figure_is_observed(page: Page) -> bool:
    """Whether the page's current figure is its latest observation: one taken no earlier
    than the latest report (the rule `ObservationRepository.observe` applies)."""
    return page.observed_at is not None and (
        page.last_report_at is None or page.last_report_at <= page.observed_at
    )


def observed_lines(page: Page, tz: ZoneInfo, locale: str) -> list[str]:
    """A page card's lines about the platform's figure: the verified figure and its
    day when a newer report is the current figure (the card itself names a current
    figure that is the platform's), and why the page could not be collected (HTML; the
    platform's words escaped). Call within the reader's language."""
    lines = []
    observed, day = page.observed_figure, page.observed_at
    if observed is not None and day is not None and not figure_is_observed(page):
        lines.append(
            _("✅ Verified on the platform: {figure} ({day})").format(
                figure=number(observed, locale), day=date(day, tz, locale)
            )
        )
    if page.collect_status is not None:
        lines.append(uncollectable_line(page))
    return lines


def uncollectable_line(page: Page) -> str:
    """Why the platform gave no figure for the page, with its own words (HTML)."""
    reason = label(REASON_LABELS, page.collect_status or "")
    if page.collect_detail:
        return _("Not collected: {reason} ({detail})").format(
            reason=reason, detail=escape(page.collect_detail)
        )
    return _("Not collected: {reason}").format(reason=reason)


def progress_text(progress: CollectProgress, locale: str, i18n: I18n) -> str:
    """The /collect progress message."""
    with speaking(i18n, locale):
        return _("Collecting subscriber counts: {done} of {total} pages…").format(
            done=number(progress.done, locale), total=number(progress.total, locale)
        )


def summary_text(summary: CollectSummary, locale: str, i18n: I18n) -> str:
    """The final summary of a run: collected, failed by reason, platforms skipped (no
    credentials) and unavailable."""
    with speaking(i18n, locale):
        lines = [
            _("<b>Subscriber counts collected</b>"),
            ngettext(
                "Collected: {count} page", "Collected: {count} pages", summary.collected
            ).format(count=number(summary.collected, locale)),
        ]
        if summary.resumed and summary.territory_id is None:
            # A scoped coordinator may have finished it: the figures are the region's.
            lines.append(_("(a run over the whole region interrupted earlier was finished)"))
        elif summary.resumed:
            lines.append(_("(a run interrupted earlier was finished)"))
        for reason, count in summary.failed.items():
            lines.append(
                _("Not collected, {reason}: {count}").format(
                    reason=label(REASON_LABELS, reason), count=number(count, locale)
                )
            )
        if summary.skipped:
            lines.append(
                _("Skipped (no credentials): {platforms}").format(
                    platforms=_platforms(summary.skipped)
                )
            )
        if summary.unavailable:
            lines.append(
                _("Could not be asked now: {platforms}").format(
                    platforms=_platforms(summary.unavailable)
                )
            )
        return "\n".join(lines)


def _platforms(platforms: Sequence[str]) -> str:
    return ", ".join(str(label(PLATFORM_LABELS, platform)) for platform in platforms)


def flagged_line(item: FlaggedPage, locale: str) -> str:
    """A flagged page in /pending's list (HTML; the title escaped). Call within the
    reader's language."""
    texts: dict[FlagKind, Callable[[], str]] = {
        FlagKind.DISCREPANCY: lambda: _(
            "{title} (#{id}): reported {reported}, the platform shows {observed}"
        ),
        FlagKind.JUMP: lambda: _(
            "{title} (#{id}): grew from {reported} to {observed} in a day, "
            "subscribers may have been bought"
        ),
    }
    return texts[item.flag.kind]().format(
        title=escape(item.page.title),
        id=item.page.id,
        reported=number(item.flag.reported, locale),
        observed=number(item.flag.observed, locale),
    )


def review_text(review: Review, locale: str) -> str:
    """/pending's message of pages whose figures need a look: flagged, uncollectable,
    duplicates (HTML; escaped), cut to one message. Call within the reader's language."""
    lines = [
        *flagged_section(review.flagged, review.flagged_count, locale),
        *uncollectable_section(review.uncollectable, review.uncollectable_count, locale),
        *duplicates_section(review.duplicates, review.duplicates_count, locale),
    ]
    return list_page(lines, 0).text


def section_head(title: str, shown: int, count: int, locale: str) -> str:
    """A /pending section's bold title (HTML), saying how many of `count` entries it
    shows when it cannot show them all. Call within the reader's language."""
    if shown >= count:
        return f"<b>{title}</b>"
    return _("<b>{title}</b> ({shown} of {count} shown)").format(
        title=title, shown=number(shown, locale), count=number(count, locale)
    )


def flagged_section(flagged: list[FlaggedPage], count: int, locale: str) -> list[str]:
    """/pending's section of flagged pages (`count` of them in all); none when there
    are none. Call within the reader's language."""
    if not flagged:
        return []
    return [
        section_head(_("Figures to check"), len(flagged), count, locale),
        *(flagged_line(item, locale) for item in flagged),
    ]


def uncollectable_section(pages: list[Page], count: int, locale: str) -> list[str]:
    """/pending's section of pages the platforms could not read (`count` in all). Call
    within the reader's language."""
    if not pages:
        return []
    return [
        section_head(_("Not collected from the platforms"), len(pages), count, locale),
        *(f"{escape(page.title)} (#{page.id}): {uncollectable_line(page)}" for page in pages),
    ]


def duplicates_section(groups: list[list[Page]], count: int, locale: str) -> list[str]:
    """/pending's section of communities registered more than once (`count` in all).
    Call within the reader's language."""
    if not groups:
        return []
    return [
        section_head(_("One community, several pages"), len(groups), count, locale),
        *("; ".join(f"{escape(page.title)} (#{page.id})" for page in group) for group in groups),
    ]
