"""Long HTML texts cut into messages Telegram accepts, and lists laid out in pages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape, unescape

#: Telegram's limit for the text of one message.
MESSAGE_LIMIT = 4096

_TAG = re.compile(r"<[^>]*>")


def _size(text: str) -> int:
    # Counted on the HTML, which is never shorter than the text Telegram shows, and in
    # UTF-16 code units, never fewer than the characters: within the limit either way.
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut `text` into parts of at most `limit`, between lines.

    Every line must be HTML that stands on its own (each tag closed on the line it
    opens), so every part is valid HTML too. A part ends at the last blank line (a
    section boundary) when that keeps it at least half full. A single line longer than
    the limit loses its tags and is cut into plain-text pieces.
    """
    if _size(text) <= limit:
        return [text]
    parts: list[str] = []
    lines: list[str] = []
    size = 0
    for line in _fitting_lines(text.split("\n"), limit):
        extra = _size(line) + (1 if lines else 0)
        if lines and size + extra > limit:
            lines, size = _flush(parts, lines, limit)
            if lines and size + 1 + _size(line) > limit:
                lines, size = _flush(parts, lines, 0)
            extra = _size(line) + (1 if lines else 0)
        lines.append(line)
        size += extra
    _flush(parts, lines, 0)
    return parts


def _flush(parts: list[str], lines: list[str], limit: int) -> tuple[list[str], int]:
    """Move a full part from `lines` to `parts`; returns the lines carried over and their size."""
    cut = len(lines)
    if limit:
        kept = 0
        for index, line in enumerate(lines):
            kept += _size(line) + 1
            if not line.strip() and index and kept >= limit // 2:
                cut = index
    part = "\n".join(lines[:cut]).strip("\n")
    if part.strip():
        parts.append(part)
    carried = lines[cut:]
    while carried and not carried[0].strip():
        carried.pop(0)
    return carried, (_size("\n".join(carried)) if carried else 0)


def _fitting_lines(lines: list[str], limit: int) -> list[str]:
    fitting: list[str] = []
    for line in lines:
        if _size(line) <= limit:
            fitting.append(line)
        else:
            fitting.extend(_cut_plain(unescape(_TAG.sub("", line)), limit))
    return fitting


def _cut_plain(plain: str, limit: int) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in plain:
        escaped = escape(char, quote=False)
        if size + _size(escaped) > limit:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(escaped)
        size += _size(escaped)
    if current:
        pieces.append("".join(current))
    return pieces


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list: its text and where it sits among the list's pages.

    `number` is zero-based and already clamped into ``range(count)``; `start` and `stop`
    delimit the page's items (``items[start:stop]``), so callers can add a button per item.
    """

    text: str
    number: int
    count: int
    start: int
    stop: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number < self.count - 1


def list_page(
    items: Sequence[str],
    number: int,
    *,
    header: str = "",
    per_page: int | None = None,
    limit: int = MESSAGE_LIMIT,
) -> ListPage:
    """The `number`-th page (zero-based, clamped) of `items` laid out one per line under
    `header`, every page's text at most `limit` (UTF-16 code units of the HTML).

    Pages are filled greedily in order, so every item is on exactly one page and the
    page boundaries depend only on the items. `per_page` caps the items of a page as well
    (for lists that carry a button per item). Each item must be HTML standing on its
    own; an item that cannot fit even alone is cut to plain text ending with "…".
    Raises ValueError if `header` alone leaves no room for an item.
    """
    budget = limit - (_size(header) + 1 if header else 0)
    if budget < 2:
        raise ValueError("the header leaves no room for the list")
    fitted = [_fit_item(item, budget) for item in items]
    bounds: list[tuple[int, int]] = []
    start, size = 0, 0
    for index, item in enumerate(fitted):
        extra = _size(item) + (1 if index > start else 0)
        full = per_page is not None and index - start >= per_page
        if index > start and (size + extra > budget or full):
            bounds.append((start, index))
            start, size = index, _size(item)
        else:
            size += extra
    bounds.append((start, len(fitted)))
    number = min(max(number, 0), len(bounds) - 1)
    first, stop = bounds[number]
    lines = ([header] if header else []) + fitted[first:stop]
    return ListPage("\n".join(lines), number, len(bounds), first, stop)


def _fit_item(item: str, budget: int) -> str:
    if _size(item) <= budget:
        return item
    pieces = _cut_plain(unescape(_TAG.sub("", item.replace("\n", " "))), budget - 1)
    return (pieces[0] if pieces else "") + "…"
