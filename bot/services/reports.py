"""Subscriber figures: checking and storing a report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.catalog import PageStatus
from bot.domain.crosscheck import CrossCheck, FlagKind
from bot.domain.figures import needs_confirmation
from bot.domain.roles import Actor, can_report
from bot.services.clock import Clock
from bot.services.errors import NotAllowed, PageNotApproved, PageNotFound
from bot.services.milestones import MilestoneService
from bot.storage.database import Database
from bot.storage.observations import Flag
from bot.storage.records import Page, Report
from bot.storage.repositories import Repositories


@dataclass(frozen=True, slots=True)
class ReportCheck:
    page: Page
    previous: int | None
    figure: int
    needs_confirmation: bool


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    page: Page
    previous: int | None
    figure: int
    # True when this Telegram update had been stored already: nothing was added.
    duplicate: bool
    # What the platform showed the same day, when the report differs from it beyond
    # DISCREPANCY_THRESHOLD (the page is flagged for coordinators); None otherwise.
    observed: int | None = None


class ReportService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        milestones: MilestoneService | None = None,
        wake: Callable[[], None] = lambda: None,
        check: CrossCheck | None = None,
    ) -> None:
        self._db = db
        # Reports are checked against the same day's observation (bot.domain.crosscheck).
        self._check = check or CrossCheck()
        self._clock = clock
        # Milestone alerts are queued with the report; `wake` sends them after the commit.
        self._milestones = milestones
        self._wake = wake

    async def reportable(self, actor: Actor) -> list[Page]:
        async with self._db.read() as repos:
            pages = await repos.pages.of_admin(actor.user_id)
        return [page for page in pages if page.status is PageStatus.APPROVED]

    async def check(self, actor: Actor, page_id: int, figure: int) -> ReportCheck:
        """Whether this figure may be reported, and whether it looks like a typo."""
        async with self._db.read() as repos:
            page = await self._reportable_page(repos, actor, page_id)
        return ReportCheck(
            page=page,
            previous=page.current_figure,
            figure=figure,
            needs_confirmation=needs_confirmation(page.current_figure, figure),
        )

    async def submit(
        self,
        actor: Actor,
        page_id: int,
        figure: int,
        *,
        update_id: int | None,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> ReportOutcome:
        """Store the report and the page's current figure in one transaction, with the
        alerts of the milestones it reaches. `chat_id` and `message_id` name the message
        the figure was written in, so that an edit of it can be recognised."""
        now = self._clock.now()
        queued = 0
        async with self._db.write() as repos:
            page = await self._reportable_page(repos, actor, page_id)
            report_id = await repos.reports.add(
                page_id=page_id,
                figure=figure,
                reported_by=actor.user_id,
                update_id=update_id,
                now=now,
                chat_id=chat_id,
                message_id=message_id,
            )
            if report_id is None:
                return ReportOutcome(page, page.current_figure, figure, duplicate=True)
            milestones = self._milestones
            if milestones is None:
                await repos.pages.set_current_figure(page_id, figure, now=now)
            else:
                before = await milestones.figures(repos, page.territory_id)
                await repos.pages.set_current_figure(page_id, figure, now=now)
                after = await milestones.figures(repos, page.territory_id)
                queued += await milestones.page_changed(
                    repos, page, page.current_figure, figure, now=now
                )
                queued += await milestones.totals_changed(
                    repos, page.territory_id, before, after, now=now
                )
            observed = await self._cross_check(repos, page, figure, now)
        if queued:
            self._wake()
        return ReportOutcome(page, page.current_figure, figure, duplicate=False, observed=observed)

    async def _cross_check(
        self, repos: Repositories, page: Page, figure: int, now: int
    ) -> int | None:
        """Flag a report far from the same day's observation (returns the observed
        figure), or clear the page's flag when it agrees with an observation of that
        day; a report with no observation of its day leaves the flag as it is."""
        if page.observed_figure is None or page.observed_at is None:
            return None
        figures = {
            "reported": figure,
            "reported_at": now,
            "observed": page.observed_figure,
            "observed_at": page.observed_at,
        }
        if self._check.discrepant(**figures):
            await repos.observations.flag(
                Flag(page.id, FlagKind.DISCREPANCY, figure, page.observed_figure, now)
            )
            return page.observed_figure
        if self._check.agrees(**figures):
            await repos.observations.clear_flag(page.id, FlagKind.DISCREPANCY, now=now)
        return None

    async def reported_in(
        self, actor: Actor, *, chat_id: int, message_id: int
    ) -> tuple[Report, Page] | None:
        """The report the actor stored from this message, with its page; None when the
        message carried no stored report of theirs."""
        async with self._db.read() as repos:
            report = await repos.reports.from_message(
                chat_id=chat_id, message_id=message_id, user_id=actor.user_id
            )
            page = await repos.pages.get(report.page_id) if report is not None else None
        if report is None or page is None:
            return None
        return report, page

    @staticmethod
    async def _reportable_page(repos: Repositories, actor: Actor, page_id: int) -> Page:
        page = await repos.pages.get(page_id)
        if page is None:
            raise PageNotFound
        is_admin = await repos.pages.is_admin(page_id, actor.user_id)
        if not can_report(actor, is_page_admin=is_admin, page_territory_id=page.territory_id):
            # Someone else's page is not even confirmed to exist.
            raise PageNotFound if not actor.is_coordinator else NotAllowed
        if page.status is not PageStatus.APPROVED:
            raise PageNotApproved
        return page
