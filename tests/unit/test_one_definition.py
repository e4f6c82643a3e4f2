"""Each business rule has one definition: these tests fail when a second one appears in the code."""

from __future__ import annotations

import re

import pytest

from bot.config import PACKAGE_DIR


@pytest.mark.parametrize(
    ("pattern", "home"),
    [
        (r"\b86_?400\b", "bot/domain/localtime.py"),  # seconds in a day
        (r"\b4_?096\b", "bot/domain/messages.py"),  # Telegram's message length
        (r"(?<!def )resolve_role\(", "bot/services/access.py"),  # the role of a stored user
        (r"(?<!def )administers_any\(", "bot/services/access.py"),  # who is registered
        (r"\.last_report_at, \{?\w+\}?\.decided_at", "bot/storage/silence.py"),  # silent page
        (r"TextLimit\(\d", "bot/domain/limits.py"),  # how long typed texts may be
        # Did they attend: one query, AttendanceRepository.attended.
        (
            r'SELECT (1|seminar_id|EXISTS \(SELECT 1) FROM seminar_attendance"',
            "bot/storage/attendance.py",
        ),
    ],
)
def test_a_rule_is_written_in_one_place(pattern: str, home: str) -> None:
    places = {place.rsplit(":", 1)[0] for place in definitions(pattern)}
    assert places == {home}, definitions(pattern)


def test_milestone_ladders_are_built_in_one_place() -> None:
    uses = definitions(r"Ladder\.(every|listed_then_every)\(")
    assert {place.rsplit(":", 1)[0] for place in uses} == {"bot/domain/milestones.py"}, uses


def test_the_scan_reads_the_bot_itself() -> None:
    """A scan that found nothing would pass every test above."""
    [place] = definitions(r"^DAY: Final = 86_400$")
    assert place.startswith("bot/domain/localtime.py:")
    assert len(definitions(r"^from __future__ import annotations$")) > 50


def definitions(pattern: str) -> list[str]:
    """`path:line` of every line of the bot's code matching `pattern`."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{number}")
    return found
