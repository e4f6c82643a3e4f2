"""Long texts cut within Telegram's message limit: lists by page, digests between lines."""

from __future__ import annotations

import random

import pytest

from bot.domain.messages import MESSAGE_LIMIT, list_page, split_message
from tests.fakes.bot_api import parse_html


def test_long_digests_are_cut_between_lines_into_valid_html() -> None:
    rng = random.Random(3)
    lines = []
    for n in range(3000):
        kind = rng.random()
        if kind < 0.05:
            lines.append("")
        elif kind < 0.5:
            lines.append(f"<b>Title &amp; {n}</b>: {rng.randint(0, 10**6)}")
        else:
            lines.append(f"• <i>{'слово ' * rng.randint(1, 30)}</i> &lt;{n}&gt;")
    lines.append("<b>" + "x &amp; y " * 1000 + "</b>")  # one line over the limit
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) > 10
    for part in parts:
        assert len(part) <= 4096
        assert part == part.strip("\n")
        plain, _ = parse_html(part, strict_ampersand=True)
        assert plain
    assert split_message("short") == ["short"]


def test_list_page_keeps_every_item_once_and_each_page_within_the_limit() -> None:
    items = [f"<b>{n}</b> " + "я" * (n % 300) for n in range(500)]
    header = "<b>Header</b>"
    first = list_page(items, 0, header=header)
    assert first.count > 1
    assert first.has_next
    assert not first.has_previous
    seen: list[str] = []
    for number in range(first.count):
        page = list_page(items, number, header=header)
        assert len(page.text.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
        assert page.text.startswith(header)
        seen += items[page.start : page.stop]
    assert seen == items
    last = list_page(items, 10_000, header=header)  # clamped: an old button still works
    assert last.number == first.count - 1
    assert not last.has_next
    by_count = list_page(items, 0, per_page=7)
    assert (by_count.start, by_count.stop) == (0, 7)
    huge = list_page(["<b>" + "&lt;" * 5000 + "</b>"], 0)
    assert huge.text.endswith("…")
    assert len(huge.text.encode("utf-16-le")) // 2 <= MESSAGE_LIMIT
    with pytest.raises(ValueError, match="no room"):
        list_page(items, 0, header="x" * MESSAGE_LIMIT)
