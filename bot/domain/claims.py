"""Who looks after a page, and when a page may be claimed: pure rules, no I/O.

A page is *administered* while at least one of its administrators can be reached. One
that had administrators, all of whom left or blocked the bot, is *orphaned*; one that never
had any (a page of the imported registry nobody has claimed yet) is *unclaimed*. An
approved page that is orphaned or unclaimed may be claimed through /register; a
coordinator confirms the claim. `bot.storage.orphans` applies the same rule in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domain.catalog import PageStatus


class Custody(StrEnum):
    ADMINISTERED = "administered"
    UNCLAIMED = "unclaimed"
    ORPHANED = "orphaned"


class ClaimStatus(StrEnum):
    """What `page_claims.status` stores."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Keepers:
    """A page's administrators now, reachable and not, and how many ever left it."""

    reachable: int
    unreachable: int
    departed: int


def custody(keepers: Keepers) -> Custody:
    """Administered while one administrator can be reached (Telegram has not answered
    403 since they last wrote); otherwise orphaned if it ever had one, unclaimed if not."""
    if keepers.reachable:
        return Custody.ADMINISTERED
    if keepers.unreachable or keepers.departed:
        return Custody.ORPHANED
    return Custody.UNCLAIMED


def claimable(status: PageStatus, keepers: Keepers) -> bool:
    """Whether someone may claim the page: approved, and nobody reachable administers it.
    A pending page is decided first; a rejected one is no page any more."""
    return status is PageStatus.APPROVED and custody(keepers) is not Custody.ADMINISTERED
