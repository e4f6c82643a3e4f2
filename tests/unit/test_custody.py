"""Who looks after a page, and which pages may be claimed (bot.domain.claims)."""

from __future__ import annotations

import pytest

from bot.domain.catalog import PageStatus
from bot.domain.claims import Custody, Keepers, claimable, custody


@pytest.mark.parametrize(
    ("keepers", "expected"),
    [
        (Keepers(reachable=1, unreachable=0, departed=0), Custody.ADMINISTERED),
        # One reachable administrator is enough, whoever else left or blocked the bot.
        (Keepers(reachable=1, unreachable=3, departed=2), Custody.ADMINISTERED),
        # Imported and never administered.
        (Keepers(reachable=0, unreachable=0, departed=0), Custody.UNCLAIMED),
        # The only administrator left.
        (Keepers(reachable=0, unreachable=0, departed=1), Custody.ORPHANED),
        # Still listed, but every administrator blocked the bot.
        (Keepers(reachable=0, unreachable=2, departed=0), Custody.ORPHANED),
        (Keepers(reachable=0, unreachable=1, departed=4), Custody.ORPHANED),
    ],
)
def test_custody(keepers: Keepers, expected: Custody) -> None:
    assert custody(keepers) is expected


@pytest.mark.parametrize(
    ("status", "keepers", "expected"),
    [
        (PageStatus.APPROVED, Keepers(0, 0, 0), True),  # unclaimed
        (PageStatus.APPROVED, Keepers(0, 1, 1), True),  # orphaned
        (PageStatus.APPROVED, Keepers(1, 0, 0), False),  # its administrator invites
        # A pending page is decided first, whoever administers it; a rejected one is gone.
        (PageStatus.PENDING, Keepers(0, 0, 1), False),
        (PageStatus.PENDING, Keepers(0, 0, 0), False),
        (PageStatus.REJECTED, Keepers(0, 0, 0), False),
    ],
)
def test_only_approved_pages_nobody_reachable_administers_are_claimable(
    status: PageStatus, keepers: Keepers, expected: bool
) -> None:
    assert claimable(status, keepers) is expected
