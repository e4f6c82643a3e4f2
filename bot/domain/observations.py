"""Subscriber counts read from the platforms: what a collector is asked and answers.

A collector reads the member counts of communities on one platform (VK, Odnoklassniki,
Telegram, MAX) through that platform's public API. What it reads is an observation,
stored beside the administrators' own reports and never over them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.domain.links import Platform


@dataclass(frozen=True, slots=True)
class Target:
    """One approved page to collect: its stored link and, once learnt, the community's
    own id on the platform (VK: the numeric group id, without a minus sign)."""

    page_id: int
    url: str
    platform_id: str | None = None


@dataclass(frozen=True, slots=True)
class Count:
    """The platform's member count of a page's community; `platform_id` is the
    community's id as the platform gave it (for duplicates of one community)."""

    page_id: int
    figure: int
    platform_id: str | None = None


class Uncollectable(StrEnum):
    """Why the platform gave no count for a page."""

    #: Deleted, banned or blocked community (VK error 15/18, OK's "group not found").
    GONE = "gone"
    #: Private: a closed group or a channel without a public username.
    PRIVATE = "private"
    #: The platform does not know the link (no such screen name or chat).
    UNKNOWN = "unknown"
    #: The link names no community the platform can count (a profile, a post).
    NOT_A_COMMUNITY = "not_a_community"
    #: The bot has no access (MAX: the bot was not added to the channel).
    NO_ACCESS = "no_access"


@dataclass(frozen=True, slots=True)
class Failure:
    """A page the platform gave no count for, with the reason and the platform's own
    words (an error message) for coordinators."""

    page_id: int
    reason: Uncollectable
    detail: str = ""


class CollectorUnavailable(RuntimeError):
    """The platform could not be asked now (network, 5xx, rate limit beyond the retries,
    a rejected credential); the batch stays to collect later."""


class Collector(Protocol):
    """Reads member counts from one platform, a batch at a time, paced to its limits."""

    platform: Platform
    #: How many targets one `collect` call takes at most (VK: 500 per groups.getById).
    batch_size: int

    async def collect(self, targets: Sequence[Target]) -> list[Count | Failure]:
        """One result per target, in any order. Raises CollectorUnavailable when the
        platform cannot answer for the batch as a whole."""
        ...
