"""The fake Bot API's HTML parser: entities and nesting as Telegram reads them."""

from __future__ import annotations

import pytest

from tests.fakes.bot_api import HtmlParseError, parse_html


def test_parse_html_entities_and_nesting() -> None:
    text, entities = parse_html(
        '😀<a href="https://e.com/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x</code></pre>'
        "<blockquote expandable>q</blockquote>&#x41;&#66;&quot;"
    )

    assert text == '😀link xqAB"'
    assert entities == [
        # offsets are in UTF-16 code units: the emoji takes two
        {"type": "text_link", "offset": 2, "length": 4, "url": "https://e.com/?a=1&b=2"},
        {"type": "pre", "offset": 7, "length": 1, "language": "python"},
        {"type": "expandable_blockquote", "offset": 8, "length": 1},
    ]
    # Telegram itself keeps an unknown "&" as text; the fake does so when asked to.
    assert parse_html("AT&T &copy;", strict_ampersand=False) == ("AT&T &copy;", [])
    with pytest.raises(HtmlParseError, match="Unexpected end tag at byte offset 0"):
        parse_html("</b>")
