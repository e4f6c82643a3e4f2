"""Training's pure parts: the periods' bounds, the figures' ratios, and the training
segments' JSON (old stored segments read and written as before)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.segments import Segment, SeminarGroup
from bot.domain.training import Coverage, SeminarFigures, TrainingPeriod, total_coverage

MSK = ZoneInfo("Europe/Moscow")


def at(year: int, month: int, day: int, hour: int = 0) -> int:
    return int(dt.datetime(year, month, day, hour, tzinfo=MSK).timestamp())


@pytest.mark.parametrize(
    ("period", "now", "since", "until"),
    [
        (TrainingPeriod.THIS_YEAR, at(2026, 9, 21, 12), at(2026, 1, 1), at(2026, 9, 21, 12)),
        (TrainingPeriod.LAST_YEAR, at(2026, 9, 21, 12), at(2025, 1, 1), at(2026, 1, 1)),
        (TrainingPeriod.LAST_QUARTER, at(2026, 9, 21, 12), at(2026, 4, 1), at(2026, 7, 1)),
        (TrainingPeriod.LAST_QUARTER, at(2026, 2, 3), at(2025, 10, 1), at(2026, 1, 1)),
        (TrainingPeriod.LAST_30_DAYS, at(2026, 3, 31), at(2026, 3, 1), at(2026, 3, 31)),
    ],
)
def test_periods_start_and_end_at_local_midnight(
    period: TrainingPeriod, now: int, since: int, until: int
) -> None:
    assert period.bounds(now, MSK) == (since, until)


def test_ratios_are_none_without_a_denominator() -> None:
    assert SeminarFigures().attendance_rate is None
    assert SeminarFigures().average_rating is None
    figures = SeminarFigures(registered=8, came=6, ratings=4, rating_sum=17)
    assert (figures.attendance_rate, figures.average_rating) == (0.75, 4.25)
    assert Coverage(2, 0, 0).share is None
    assert total_coverage([Coverage(2, 3, 2), Coverage(4, 4, 1)]) == Coverage(None, 7, 3)


def test_a_segment_stored_before_the_training_keys_reads_and_writes_the_same() -> None:
    stored = '{"territories":[2],"levels":[],"themes":[],"platforms":["vk"],"silent_days":30}'
    segment = Segment.from_json(stored)
    assert segment.to_json() == stored
    assert (segment.seminar_id, segment.seminar_group, segment.untrained) == (None, None, False)
    assert segment.is_pages_only


@pytest.mark.parametrize(
    "segment",
    [
        Segment().with_seminar(7, SeminarGroup.ABSENT),
        Segment(territories=frozenset({2})).with_untrained(True),
        Segment().with_seminar(3, SeminarGroup.ATTENDED).with_untrained(True).within(4),
    ],
)
def test_training_segments_survive_the_json_round_trip(segment: Segment) -> None:
    assert Segment.from_json(segment.to_json()) == segment
    assert not segment.is_pages_only
    assert not segment.is_everyone


def test_a_seminar_needs_its_group() -> None:
    with pytest.raises(ValueError, match="both"):
        Segment(seminar_id=3)
    with pytest.raises(ValueError, match="both"):
        Segment.from_json('{"seminar_id": 3}')
    with pytest.raises(ValueError, match="absentees"):
        Segment.from_json('{"seminar_id": 3, "seminar_group": "absentees"}')
    assert Segment().with_seminar(3, SeminarGroup.REGISTERED).with_seminar(None, None) == Segment()
