"""Pure rules: roles and permissions, milestones."""

from __future__ import annotations

import pytest

from bot.domain.albums import AlbumProblem, album_problem
from bot.domain.milestones import Ladder, crossed
from bot.domain.roles import (
    Actor,
    Role,
    can_manage_coordinators,
    can_moderate,
    can_report,
    resolve_role,
)

ADMIN = Actor(1, Role.USER)
REGIONAL = Actor(2, Role.COORDINATOR, None)
SCOPED = Actor(3, Role.COORDINATOR, territory_id=5)
SUPER = Actor(4, Role.SUPERADMIN)


def test_superadmins_come_from_settings_whatever_the_database_says() -> None:
    actor = resolve_role(4, superadmins=frozenset({4}), is_coordinator=False, territory_id=None)
    assert actor.role is Role.SUPERADMIN
    assert actor.scope is None
    plain = resolve_role(1, superadmins=frozenset({4}), is_coordinator=False, territory_id=7)
    assert plain == Actor(1, Role.USER)


def test_a_scoped_superadmin_is_not_limited() -> None:
    actor = resolve_role(4, superadmins=frozenset({4}), is_coordinator=True, territory_id=7)
    assert can_moderate(actor, 1)


@pytest.mark.parametrize(
    ("actor", "territory", "allowed"),
    [
        (ADMIN, 5, False),
        (REGIONAL, 5, True),
        (REGIONAL, 6, True),
        (SCOPED, 5, True),
        (SCOPED, 6, False),
        (SUPER, 6, True),
    ],
)
def test_moderation_rights(actor: Actor, territory: int, allowed: bool) -> None:
    assert can_moderate(actor, territory) is allowed


def test_reporting_rights() -> None:
    assert can_report(ADMIN, is_page_admin=True, page_territory_id=6)
    assert not can_report(ADMIN, is_page_admin=False, page_territory_id=6)
    assert not can_report(SCOPED, is_page_admin=False, page_territory_id=6)
    assert can_report(SCOPED, is_page_admin=False, page_territory_id=5)


def test_only_superadmins_manage_coordinators() -> None:
    assert [can_manage_coordinators(a) for a in (ADMIN, REGIONAL, SCOPED, SUPER)] == [
        False,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, 50_000),
        (49_999, 50_000),
        (50_000, 100_000),
        (987_000, 1_000_000),
        (1_000_000, 1_050_000),
    ],
)
def test_next_milestone(total: int, expected: int) -> None:
    assert Ladder.every(50_000, goal=1_000_000).next_beyond(total) == expected


def test_a_goal_between_steps_comes_first() -> None:
    ladder = Ladder.every(75_000, goal=1_000_000)
    assert ladder.next_beyond(990_000) == 1_000_000
    assert ladder.next_beyond(1_000_000) == 1_050_000


@pytest.mark.parametrize(
    "ladder",
    [
        Ladder.listed_then_every((1_000, 5_000, 10_000, 25_000, 50_000, 100_000), 100_000),
        Ladder.listed_then_every((1_000, 5_000), 0),
        Ladder.every(50_000),
        Ladder.every(75_000, goal=1_000_000),
    ],
)
def test_the_next_milestone_shown_is_the_next_one_alerts_celebrate(ladder: Ladder) -> None:
    """Charts, /total and digests show `next_above`; alerts fire on `crossed`: one rule."""
    for value in (0, 999, 1_000, 4_999, 99_999, 100_000, 250_001, 987_000, 1_000_000):
        celebrated = crossed(ladder, value, 10_000_000)
        assert ladder.next_above(value) == (celebrated[0] if celebrated else None)


@pytest.mark.parametrize(
    ("kinds", "problem"),
    [
        (["photo"], None),
        (["photo", "video", "photo"], None),
        (["document"] * 10, None),
        (["audio", "audio"], None),
        (["photo"] * 11, AlbumProblem.TOO_MANY),
        (["photo", "document"], AlbumProblem.MIXED),
        (["audio", "video"], AlbumProblem.MIXED),
        (["document", "audio"], AlbumProblem.MIXED),
        (["photo", "animation"], AlbumProblem.UNSUPPORTED),
        (["sticker"], AlbumProblem.UNSUPPORTED),
    ],
)
def test_what_telegram_groups_into_an_album(kinds: list[str], problem: AlbumProblem | None) -> None:
    assert album_problem(kinds) == problem
