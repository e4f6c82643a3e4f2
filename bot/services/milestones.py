"""Milestone alerts: a report or a decision that carries a figure across a threshold.

Called inside the unit of work that changes the figures, so the milestone, its alerts and
the change commit together or not at all; the caller wakes the delivery worker after the
commit. Each milestone is recorded once (scope, subject, threshold): a figure hovering
around a threshold, a report delivered twice or a restart never alert twice.

Who hears about what:

- a page's milestone: its administrators, and the coordinators who oversee the page
  (the whole region's, the page's territory's) and the superadmins;
- a territory's milestone: the coordinators who oversee it and the superadmins;
- the region's milestone: every registered user (administrators of pages that are not
  rejected), every coordinator and superadmin; the region's goal is a celebration.

A jump across several thresholds records all of them and alerts the highest (the goal,
if it is among them). A page's first figure is a baseline: its thresholds are recorded
without an alert, since nothing was crossed that anyone saw.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.domain.milestones import Ladders, crossed
from bot.services.delivery import Priority
from bot.storage.milestones import REGION_SUBJECT, Figures, MilestoneScope
from bot.storage.outbox import OutboxKind, text_payload
from bot.storage.records import Page, Territory, User
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

#: At most this many thresholds are recorded for one change of one figure (the highest).
MAX_CROSSED = 100


class Recipient(StrEnum):
    ADMIN = "admin"  # administers the page
    COORDINATOR = "coordinator"  # oversees the page, the territory or the region
    EVERYONE = "everyone"  # a region's milestone, to every registered user


@dataclass(frozen=True, slots=True)
class Milestone:
    scope: MilestoneScope
    threshold: int
    figure: int  # the page's, territory's or region's figure after the change
    page: Page | None = None  # page scope
    territory: Territory | None = None  # page and territory scope
    pages: int = 0  # region scope: approved pages counted
    goal: int = 0  # region scope: the region's goal

    @property
    def is_goal(self) -> bool:
        return self.scope is MilestoneScope.REGION and self.threshold == self.goal


# Renders the alert one user gets about a milestone, in their language (HTML, with every
# user-supplied string escaped). Injected from the handler layer.
MilestoneText = Callable[[User, Milestone, Recipient], str]


class MilestoneService:
    def __init__(
        self, ladders: Ladders, *, goal: int, superadmins: Collection[int], text: MilestoneText
    ) -> None:
        self._ladders = {
            MilestoneScope.PAGE: ladders.page,
            MilestoneScope.TERRITORY: ladders.territory,
            MilestoneScope.REGION: ladders.region,
        }
        self._goal = goal
        self._superadmins = frozenset(superadmins)
        self._text = text

    @staticmethod
    async def figures(repos: Repositories, territory_id: int) -> Figures:
        """The totals to compare: read before and after the change, in its unit of work."""
        return await repos.milestones.figures(territory_id)

    async def page_changed(
        self, repos: Repositories, page: Page, old: int | None, new: int, *, now: int
    ) -> int:
        """A page's figure went from `old` (None: no figure yet) to `new`; returns how
        many alerts were queued."""
        fresh = await self._record(repos, MilestoneScope.PAGE, page.id, old or 0, new, now)
        if old is None or not fresh:
            return 0
        territory = await repos.territories.get(page.territory_id)
        milestone = Milestone(MilestoneScope.PAGE, fresh[-1], new, page=page, territory=territory)
        recipients: dict[int, tuple[User, Recipient]] = {
            user.id: (user, Recipient.ADMIN)
            for user in await repos.users.many(await repos.pages.admin_ids(page.id))
        }
        for user in await self._watchers(repos, page.territory_id):
            recipients.setdefault(user.id, (user, Recipient.COORDINATOR))
        return await self._queue(repos, milestone, recipients.values(), now)

    async def totals_changed(
        self, repos: Repositories, territory_id: int, before: Figures, after: Figures, *, now: int
    ) -> int:
        """The counted totals moved from `before` to `after` (a report or an approval in
        `territory_id`); returns how many alerts were queued."""
        queued = 0
        fresh = await self._record(
            repos, MilestoneScope.TERRITORY, territory_id, before.territory, after.territory, now
        )
        if fresh:
            milestone = Milestone(
                MilestoneScope.TERRITORY,
                fresh[-1],
                after.territory,
                territory=await repos.territories.get(territory_id),
            )
            watchers = await self._watchers(repos, territory_id)
            queued += await self._queue(
                repos, milestone, [(user, Recipient.COORDINATOR) for user in watchers], now
            )
        fresh = await self._record(
            repos, MilestoneScope.REGION, REGION_SUBJECT, before.region, after.region, now
        )
        if fresh:
            threshold = self._goal if self._goal in fresh else fresh[-1]
            milestone = Milestone(
                MilestoneScope.REGION,
                threshold,
                after.region,
                pages=after.region_pages,
                goal=self._goal,
            )
            everyone = {user.id: user for user in await repos.users.registered()}
            for user in await self._watchers(repos, None):
                everyone.setdefault(user.id, user)
            queued += await self._queue(
                repos,
                milestone,
                [(user, Recipient.EVERYONE) for _, user in sorted(everyone.items())],
                now,
            )
        return queued

    async def _record(
        self,
        repos: Repositories,
        scope: MilestoneScope,
        subject_id: int,
        old: int,
        new: int,
        now: int,
    ) -> list[int]:
        """Of the thresholds of `scope`'s ladder crossed when the subject's figure went
        from `old` to `new` (the highest MAX_CROSSED), those recorded now for the first
        time, ascending."""
        return [
            threshold
            for threshold in crossed(self._ladders[scope], old, new, limit=MAX_CROSSED)
            if await repos.milestones.record(scope, subject_id, threshold, now)
        ]

    async def _watchers(self, repos: Repositories, territory_id: int | None) -> list[User]:
        """Superadmins and the coordinators who oversee `territory_id` (None: the region,
        which every coordinator hears about)."""
        found = {user.id: user for user in await repos.users.many(self._superadmins)}
        for user in await repos.users.coordinators():
            scope = user.coordinator_territory_id
            if territory_id is None or scope is None or scope == territory_id:
                found.setdefault(user.id, user)
        return [found[user_id] for user_id in sorted(found)]

    async def _queue(
        self,
        repos: Repositories,
        milestone: Milestone,
        recipients: Collection[tuple[User, Recipient]],
        now: int,
    ) -> int:
        # Recipients sharing a language share one payload object: encoded once.
        payloads: dict[str, dict[str, Any]] = {}
        messages = []
        for user, recipient in recipients:
            if not user.reachable:
                continue
            text = self._text(user, milestone, recipient)
            messages.append((user.id, payloads.setdefault(text, text_payload(text))))
        count = await repos.outbox.add_many(
            OutboxKind.TEXT, messages, priority=Priority.ALERT, now=now
        )
        log.info(
            "Milestone %s %s reached: %d alerts queued",
            milestone.scope.value,
            milestone.threshold,
            count,
        )
        return count
