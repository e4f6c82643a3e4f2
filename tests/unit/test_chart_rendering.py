"""The chart renderer: valid PNGs in either language, whatever the titles hold."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.charts import amount, render_png
from tests.checks import assert_png


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("length", [0, 1, 2, 30, 365])
def test_the_renderer_draws_a_valid_png(length: int, locale: str) -> None:
    today = dt.date(2026, 9, 21)
    points = [
        (today - dt.timedelta(days=length - 1 - i), 600_000 + 1_000 * i) for i in range(length)
    ]
    png = render_png(points, title="Пензенская область", next_milestone=1_000_000, locale=locale)
    width, height = assert_png(png)
    assert width > 400
    assert height > 200


def test_the_renderer_survives_titles_its_font_cannot_draw() -> None:
    """Emoji would warn about missing glyphs and `$...$` would be parsed as maths."""
    png = render_png(
        [(dt.date(2026, 9, 21), 5)],
        title="🎉 Клуб $100$ \\frac{ «Дом» " + "очень длинное название " * 10,
        next_milestone=None,
        locale="ru",
    )
    assert_png(png)


def test_numbers_on_a_chart_follow_the_users_language() -> None:
    assert amount(987_000, "ru") == "987\xa0000"
    assert amount(987_000, "en") == "987,000"
    assert amount(1_234.6, "en") == "1,235"
