"""What a coordinator reads while composing and sending a broadcast: the segment's
description and choices, the draft's summary and preview, album refusals, the list of
broadcasts and the progress edited in place while one is sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.albums import MAX_ALBUM_ITEMS, AlbumProblem
from bot.domain.catalog import Level, Theme
from bot.domain.links import Platform
from bot.domain.messages import ListPage, list_page
from bot.domain.segments import Dimension, Segment
from bot.i18n import locale_of, speaking
from bot.services.broadcasts import Progress
from bot.services.progress import ProgressRender
from bot.storage.broadcasts import BroadcastStatus
from bot.storage.records import Territory, User
from bot.texts.formats import number
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label
from bot.texts.training import segment_training_parts


def segment_choices(
    dimension: Dimension, territories: list[Territory], locale: str, i18n: I18n
) -> list[tuple[str, str]]:
    """The values a segment can take in `dimension`, as (code, label in `locale`) pairs:
    territories by id, levels, themes and platforms by code, in the catalogue's order."""
    if dimension is Dimension.TERRITORY:
        return [(str(t.id), t.name(locale)) for t in territories]
    with speaking(i18n, locale):
        if dimension is Dimension.LEVEL:
            return [(str(value), label(LEVEL_LABELS, value)) for value in Level]
        if dimension is Dimension.THEME:
            return [(str(value), label(THEME_LABELS, value)) for value in Theme]
        return [(str(value), label(PLATFORM_LABELS, value)) for value in Platform]


def silence_choice(days: int, locale: str, i18n: I18n) -> str:
    """The label of a "has not reported for" choice: "Any" for 0, else "7+ days"."""
    with speaking(i18n, locale):
        if days == 0:
            # TRANSLATORS: a choice of "has not reported for": any time at all.
            return _("Any")
        return ngettext("{days}+ day", "{days}+ days", days).format(days=days)


def describe(
    segment: Segment,
    territories: list[Territory],
    locale: str,
    i18n: I18n,
    seminar_title: str | None = None,
) -> str:
    """Who `segment` reaches, in `locale`, as plain text (escape it for HTML);
    `seminar_title` names the seminar a segment narrowed to one has."""
    with speaking(i18n, locale):
        if segment.is_everyone:
            return _("all administrators")
        headings = {
            Dimension.TERRITORY: _("territory"),
            Dimension.LEVEL: _("level"),
            Dimension.THEME: _("theme"),
            Dimension.PLATFORM: _("platform"),
        }
        parts = []
        for dimension in Dimension:
            chosen = segment.chosen(dimension)
            if chosen:
                choices = segment_choices(dimension, territories, locale, i18n)
                names = [name for value, name in choices if value in chosen]
                parts.append(f"{headings[dimension]}: {', '.join(names) or '—'}")
        if segment.silent_days:
            parts.append(
                # TRANSLATORS: part of a segment's description: administrators whose pages
                # have had no report for that many days or more.
                ngettext(
                    "no report for {days}+ day", "no report for {days}+ days", segment.silent_days
                ).format(days=segment.silent_days)
            )
        parts += segment_training_parts(segment, seminar_title)
        return "; ".join(parts)


def album_line(items: int, locale: str, i18n: I18n) -> str:
    """The line saying that the draft is an album of `items` items: "Album: 3 items"."""
    with speaking(i18n, locale):
        return ngettext("Album: {count} item", "Album: {count} items", items).format(
            count=number(items, locale)
        )


def album_refusal(problem: AlbumProblem, items: int, locale: str, i18n: I18n) -> str:
    """Why an album of `items` items cannot be broadcast, and what to do instead."""
    with speaking(i18n, locale):
        if problem is AlbumProblem.TOO_MANY:
            reason = ngettext(
                "it has {count} item, and an album holds at most {limit}.",
                "it has {count} items, and an album holds at most {limit}.",
                items,
            ).format(count=number(items, locale), limit=MAX_ALBUM_ITEMS)
        elif problem is AlbumProblem.MIXED:
            reason = _(
                "Telegram groups documents only with documents and audio files only with "
                "audio files; only photos and videos can be mixed in one album."
            )
        elif problem is AlbumProblem.UNSUPPORTED:
            reason = _("an album can hold only photos, videos, documents or audio files.")
        else:
            reason = _(
                "one broadcast carries one message or one album of at most {limit} items, and "
                "you sent more (Telegram sends more than {limit} items as several albums)."
            ).format(limit=MAX_ALBUM_ITEMS)
        return _(
            "This album cannot be broadcast: {reason}\n\nNothing was sent. Send the message "
            "to broadcast again, or tap Cancel."
        ).format(reason=reason)


@dataclass(frozen=True, slots=True)
class Reach:
    """Whom a draft reaches: its `segment` as the author may reach it, `count`
    administrators, and its album's size (`album_items` 0: one message)."""

    segment: Segment
    count: int
    territories: list[Territory]
    album_items: int = 0
    seminar_title: str | None = None  # of the seminar the segment narrows to, if any


def _with_album(reach: Reach, text: str, locale: str, i18n: I18n) -> str:
    """`text` under the line with the album's size, if the draft is an album."""
    if not reach.album_items:
        return text
    return f"{album_line(reach.album_items, locale, i18n)}\n{text}"


def summary_text(reach: Reach, locale: str, i18n: I18n) -> str:
    """The draft's summary (HTML): who receives it, how many, and the album's size."""
    with speaking(i18n, locale):
        text = _(
            "Who receives it: {segment}\nRecipients: {count}\n\nNarrow the segment or preview."
        ).format(
            segment=escape(
                describe(reach.segment, reach.territories, locale, i18n, reach.seminar_title)
            ),
            count=number(reach.count, locale),
        )
    return _with_album(reach, text, locale, i18n)


def preview_text(reach: Reach, locale: str, i18n: I18n) -> str:
    """The question under a draft's preview (HTML): send it to that many administrators
    of the segment? With the album's size first if it is one."""
    with speaking(i18n, locale):
        text = ngettext(
            "This is how it will look. It goes to {count} administrator ({segment}). Send?",
            "This is how it will look. It goes to {count} administrators ({segment}). Send?",
            reach.count,
        ).format(
            count=number(reach.count, locale),
            segment=escape(
                describe(reach.segment, reach.territories, locale, i18n, reach.seminar_title)
            ),
        )
    return _with_album(reach, text, locale, i18n)


def broadcasts_list(
    items: list[Progress],
    authors: Mapping[int, User],
    territories: list[Territory],
    at: int,
    locale: str,
    i18n: I18n,
) -> ListPage | None:
    """Page `at` (zero-based) of `items`, newest first as given, each with its author
    (by id; the id itself if unknown) and counts; None when there are no broadcasts."""
    if not items:
        return None
    with speaking(i18n, locale):
        lines = []
        for item in items:
            author = authors.get(item.broadcast.author_id)
            segment = Segment.from_json(item.broadcast.segment)
            lines.append(
                _(
                    "#{id}, {author}: {segment}. Delivered {sent} of {total}, "
                    "failed {failed}, blocked {blocked}."
                ).format(
                    id=item.broadcast.id,
                    author=escape(author.full_name if author else str(item.broadcast.author_id)),
                    segment=escape(describe(segment, territories, locale, i18n)),
                    sent=number(item.sent, locale),
                    total=number(item.broadcast.recipients, locale),
                    failed=number(item.failed, locale),
                    blocked=number(item.blocked, locale),
                )
            )
        header = ngettext(
            "<b>{count} broadcast</b>, newest first",
            "<b>{count} broadcasts</b>, newest first",
            len(items),
        ).format(count=len(items))
    return list_page(lines, at, header=header)


def no_broadcasts(locale: str, i18n: I18n) -> str:
    """What /broadcasts says before the first broadcast."""
    with speaking(i18n, locale):
        return _("No broadcasts yet. Start one with /broadcast.")


def progress_text(progress: Progress, locale: str, rate: float, i18n: I18n) -> str:
    """The progress report in `locale`: state, delivered, failed and blocked, and while it
    runs the recipients left and the seconds they take at `rate` messages a second."""
    total = progress.broadcast.recipients
    with speaking(i18n, locale):
        if progress.cancelled or progress.broadcast.status is BroadcastStatus.CANCELLED:
            heading = _("Broadcast #{id} stopped.")
        elif progress.finished:
            heading = _("Broadcast #{id} is finished.")
        else:
            heading = _("Broadcast #{id} is being sent…")
        lines = [
            heading.format(id=progress.broadcast.id),
            _("Delivered: {sent} of {total}").format(
                sent=number(progress.sent, locale), total=number(total, locale)
            ),
            _("Failed: {failed}; blocked the bot or left: {blocked}").format(
                failed=number(progress.failed, locale), blocked=number(progress.blocked, locale)
            ),
        ]
        if progress.cancelled:
            lines.append(
                _("Not sent (stopped): {count}").format(count=number(progress.cancelled, locale))
            )
        if not progress.finished:
            # Each recipient takes a slot of the rate per message: an album's items each.
            messages = progress.left * progress.broadcast.items
            seconds = int(messages / rate) + 1 if rate > 0 else 0
            lines.append(
                # TRANSLATORS: recipients not reached yet, and the time they take; "s" is
                # seconds.
                _("Left: {left}, about {seconds} s").format(
                    left=number(progress.left, locale), seconds=seconds
                )
            )
    return "\n".join(lines)


def progress_renderer(
    i18n: I18n, rate: float, stop_keyboard: Callable[[int], InlineKeyboardMarkup]
) -> ProgressRender:
    """The renderer `ProgressReporter` calls for a broadcast's progress: the report in its
    author's language (the default if the author is unknown), and `stop_keyboard` while
    there is something left to stop."""

    def render(progress: Progress, author: User | None) -> tuple[str, InlineKeyboardMarkup | None]:
        locale = locale_of(author, i18n) if author else i18n.default_locale
        text = progress_text(progress, locale, rate, i18n)
        with speaking(i18n, locale):
            stoppable = not progress.finished and not progress.cancelled
            markup = stop_keyboard(progress.broadcast.id) if stoppable else None
        return text, markup

    return render
