"""Segments: typed values, validated choices, and the stored form that must keep loading."""

from __future__ import annotations

import pytest

from bot.domain.catalog import Level, Theme
from bot.domain.links import Platform
from bot.domain.segments import Dimension, Segment

# A segment as `to_json` writes it today, stored with broadcasts and seminars.
STORED = (
    '{"territories":[3,12],"levels":["municipal","settlement"],"themes":["culture"],'
    '"platforms":["tg","vk"],"silent_days":14}'
)


def test_a_stored_segment_still_loads_and_is_written_back_the_same() -> None:
    segment = Segment.from_json(STORED)
    assert segment == Segment(
        territories=frozenset({3, 12}),
        levels=frozenset({Level.MUNICIPAL, Level.SETTLEMENT}),
        themes=frozenset({Theme.CULTURE}),
        platforms=frozenset({Platform.TELEGRAM, Platform.VK}),
        silent_days=14,
    )
    assert all(isinstance(level, Level) for level in segment.levels)
    assert segment.to_json() == STORED


def test_an_empty_stored_segment_is_everyone() -> None:
    assert Segment.from_json("{}").is_everyone
    assert Segment.from_json(Segment().to_json()) == Segment()


@pytest.mark.parametrize(
    ("dimension", "value", "expected"),
    [
        (Dimension.TERRITORY, "7", Segment(territories=frozenset({7}))),
        (Dimension.LEVEL, "federal", Segment(levels=frozenset({Level.FEDERAL}))),
        (Dimension.THEME, "sport", Segment(themes=frozenset({Theme.SPORT}))),
        (Dimension.PLATFORM, "ok", Segment(platforms=frozenset({Platform.OK}))),
    ],
)
def test_toggling_switches_a_value_on_and_off(
    dimension: Dimension, value: str, expected: Segment
) -> None:
    on = Segment().toggled(dimension, value)
    assert on == expected
    assert on.chosen(dimension) == {value}
    assert on.toggled(dimension, value) == Segment()


@pytest.mark.parametrize(
    ("dimension", "value"),
    [
        (Dimension.TERRITORY, "x"),
        (Dimension.TERRITORY, "-1"),
        (Dimension.LEVEL, "galactic"),
        (Dimension.THEME, "federal"),
        (Dimension.PLATFORM, "myspace"),
    ],
)
def test_a_forged_value_is_refused(dimension: Dimension, value: str) -> None:
    with pytest.raises(ValueError, match=r"not a (valid|territory)"):
        Segment().toggled(dimension, value)


def test_silence_zero_means_any_page() -> None:
    assert Segment().with_silence(30).silent_days == 30
    assert Segment().with_silence(30).with_silence(0) == Segment()
