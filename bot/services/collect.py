"""Collection of subscriber counts from the platforms: runs that survive a crash, the
observations they store, and the cross-check against what administrators report.

A run collects the approved pages of every platform that has a collector, in the order
of their ids, `collector.batch_size` at a time. Each batch is stored in one transaction
with the run's progress, so a run stopped half-way (a crash, a restart) goes on from the
first page it had not stored. The open run is one row: a second process finds it held
and does not run it twice; a run whose holder has stopped renewing it for
STALE_SECONDS is taken over and resumed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.domain.crosscheck import VERIFIED_WINDOW, CrossCheck, FlagKind
from bot.domain.links import Platform
from bot.domain.localtime import cron_fired
from bot.domain.observations import (
    Collector,
    CollectorUnavailable,
    Count,
    Failure,
    Target,
    Uncollectable,
)
from bot.domain.roles import Actor
from bot.services.clock import Clock
from bot.services.delivery import Priority, enqueue_text
from bot.services.errors import CollectBusy, NotAllowed
from bot.storage.database import Database
from bot.storage.observations import COLLECTED, CollectRun, Flag, FlaggedPage
from bot.storage.records import Page, User
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

#: A run whose holder has not renewed it for this long (seconds) is taken over: the
#: holder crashed. Renewed after every batch, which takes seconds even when paced.
STALE_SECONDS = 300

#: The platforms a collector may exist for, in the order runs visit them.
COLLECTABLE = (Platform.VK, Platform.OK, Platform.TELEGRAM, Platform.MAX)

#: What the administrators of a page whose report differs from the platform's figure
#: read: (administrator, page, reported, observed) → HTML.
DiscrepancyNotice = Callable[[User, Page, int, int], str]


@dataclass(frozen=True, slots=True)
class CollectProgress:
    """How far a run is: `done` of `total` pages handled (collected or not)."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class CollectSummary:
    """What a run did: pages collected, pages not collected by reason, the platforms
    without a collector (`skipped`) and those that could not be asked (`unavailable`);
    `resumed`: the run had been started before and stopped half-way."""

    run_id: int
    territory_id: int | None
    collected: int
    failed: dict[Uncollectable, int]
    skipped: list[Platform]
    unavailable: list[Platform]
    resumed: bool = False


Progress = Callable[[CollectProgress], Awaitable[None]]

#: Entries of each of /pending's lists of pages to check.
REVIEW_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Review:
    """What coordinators should look at within their reach: pages flagged by the
    cross-check in the last VERIFIED_WINDOW, pages the platforms could not read, and
    communities registered twice; each list holds at most REVIEW_LIMIT entries, and its
    `_count` how many there are in all."""

    flagged: list[FlaggedPage]
    flagged_count: int
    uncollectable: list[Page]
    uncollectable_count: int
    duplicates: list[list[Page]]
    duplicates_count: int

    @property
    def empty(self) -> bool:
        return not (self.flagged or self.uncollectable or self.duplicates)


@dataclass
class CollectService:
    """Runs collections over `collectors` (one per platform; the rest are skipped).

    `cron` (crontab syntax in `check.tz`) is COLLECT_CRON: the nightly run is due when it
    fired since the newest region-wide run started. `notice` renders what a page's administrators
    read when their report of the day differs from the observation; `wake` sends queued
    notices after the commit.
    """

    db: Database
    clock: Clock
    collectors: Mapping[Platform, Collector]
    cron: str
    check: CrossCheck = field(default_factory=CrossCheck)
    notice: DiscrepancyNotice | None = None
    wake: Callable[[], None] = lambda: None
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    stale_seconds: int = STALE_SECONDS
    # A run going on in this process (the nightly job, or a coordinator's /collect): the
    # open run's row names this holder too, so the row alone cannot tell.
    _running: bool = field(default=False, init=False, repr=False)

    @property
    def skipped(self) -> list[Platform]:
        """The collectable platforms without a collector (no credentials)."""
        return [platform for platform in COLLECTABLE if platform not in self.collectors]

    async def collect(self, actor: Actor, progress: Progress | None = None) -> CollectSummary:
        """/collect: a coordinator's run over their territory (all of it when not
        scoped). Raises NotAllowed for anyone else and CollectBusy while another
        process holds the open run. An open run left by a crash is resumed first: when
        it covers the asked territory (the same one, or the whole region: the summary's
        `territory_id` says which) its summary is the answer; when it covers another
        territory, a run over the asked one follows and gives the summary."""
        if not actor.is_coordinator:
            raise NotAllowed
        return await self._run(actor.scope, actor.user_id, progress)

    async def review(self, actor: Actor) -> Review:
        """/pending's pages to check, within a coordinator's territory (all when not
        scoped). Raises NotAllowed for anyone else."""
        if not actor.is_coordinator:
            raise NotAllowed
        since = self.clock.now() - VERIFIED_WINDOW
        async with self.db.read() as repos:
            found = repos.observations
            duplicates = await found.duplicates(territory_id=actor.scope)
            return Review(
                flagged=await found.flagged(
                    territory_id=actor.scope, since=since, limit=REVIEW_LIMIT
                ),
                flagged_count=await found.count_flagged(territory_id=actor.scope, since=since),
                uncollectable=await found.uncollectable(
                    territory_id=actor.scope, limit=REVIEW_LIMIT
                ),
                uncollectable_count=await found.count_uncollectable(territory_id=actor.scope),
                duplicates=duplicates[:REVIEW_LIMIT],
                duplicates_count=len(duplicates),
            )

    async def run_due(self) -> CollectSummary | None:
        """The nightly job and its catch-up: a region-wide run when COLLECT_CRON fired
        since the newest region-wide run started (or none ever ran; a coordinator's
        run over one territory does not stand for it), or the resumption of a run a
        crash left open (one over a territory is followed by the region-wide run when
        that is due).
        None when nothing is due or another process holds the run."""
        if not self.collectors:
            return None
        now = self.clock.now()
        async with self.db.read() as repos:
            open_run = await repos.observations.open_run()
            last = await repos.observations.last_region_started()
        moment = dt.datetime.fromtimestamp(now, self.check.tz)
        due = last is None or cron_fired(
            self.cron, dt.datetime.fromtimestamp(last + 1, self.check.tz), moment
        )
        if open_run is None and not due:
            return None
        try:
            return await self._run(None, None, None, then_asked=due)
        except CollectBusy:
            log.info("Collection skipped: another process is running it")
            return None

    async def _run(
        self,
        territory_id: int | None,
        started_by: int | None,
        progress: Progress | None,
        *,
        then_asked: bool = True,
    ) -> CollectSummary:
        """A run over `territory_id` (None: the region), or the resumption of a crashed
        one, followed by the asked run (when `then_asked`) if that one covered another
        territory."""
        if self._running:
            raise CollectBusy
        self._running = True
        try:
            summary = await self._collect(territory_id, started_by, progress)
            covered = summary.territory_id in (None, territory_id)
            if summary.resumed and then_asked and not covered:
                # The crashed run covered another territory: finished, now the one asked.
                summary = await self._collect(territory_id, started_by, progress)
            return summary
        finally:
            self._running = False

    async def _collect(
        self, territory_id: int | None, started_by: int | None, progress: Progress | None
    ) -> CollectSummary:
        run, resumed = await self._hold(territory_id, started_by)
        if resumed:
            log.info("Resuming collection run %d", run.id)
        async with self.db.read() as repos:
            total = await repos.observations.count_targets(
                [platform.value for platform in self.collectors], territory_id=run.territory_id
            )
            done = sum((await repos.observations.outcomes(run.id)).values())
            state = await repos.observations.progress(run.id)
        if progress is not None:
            await progress(CollectProgress(done, max(total, done)))
        unavailable: list[Platform] = [
            Platform(p) for p, item in state.items() if item.state == "unavailable"
        ]
        for platform in COLLECTABLE:
            collector = self.collectors.get(platform)
            item = state.get(platform.value)
            if collector is None or (item is not None and item.state != "running"):
                continue
            after = item.last_page_id if item is not None else 0
            while True:
                async with self.db.read() as repos:
                    targets = await repos.observations.targets(
                        platform.value,
                        territory_id=run.territory_id,
                        after=after,
                        limit=collector.batch_size,
                    )
                if not targets:
                    await self._advance(run, platform, after, "done")
                    break
                try:
                    results = await collector.collect(targets)
                except CollectorUnavailable as exc:
                    log.warning("Collection from %s stopped: %s", platform.value, exc)
                    await self._advance(run, platform, after, "unavailable")
                    unavailable.append(platform)
                    break
                after = targets[-1].page_id
                await self._store(run, platform, targets, results)
                done += len(targets)
                if progress is not None:
                    await progress(CollectProgress(done, max(total, done)))
        now = self.clock.now()
        async with self.db.write() as repos:
            await repos.observations.finish_run(run.id, now=now)
            outcomes = await repos.observations.outcomes(run.id)
        return CollectSummary(
            run_id=run.id,
            territory_id=run.territory_id,
            collected=outcomes.get(COLLECTED, 0),
            failed={
                reason: outcomes[reason.value] for reason in Uncollectable if reason in outcomes
            },
            skipped=self.skipped,
            unavailable=unavailable,
            resumed=resumed,
        )

    async def _hold(
        self, territory_id: int | None, started_by: int | None
    ) -> tuple[CollectRun, bool]:
        """Start a run, or take over the open one its holder left (a crash). Raises
        CollectBusy when another live holder has it."""
        now = self.clock.now()
        async with self.db.write() as repos:
            current = await repos.observations.open_run()
            if current is None:
                run = await repos.observations.start_run(
                    holder=self.holder, territory_id=territory_id, started_by=started_by, now=now
                )
                return run, False
            alive = current.heartbeat_at > now - self.stale_seconds
            if current.holder != self.holder and alive:
                raise CollectBusy
            taken = await repos.observations.take_over(current.id, holder=self.holder, now=now)
            assert taken is not None  # open within this transaction
            return taken, True

    async def _advance(self, run: CollectRun, platform: Platform, after: int, state: str) -> None:
        async with self.db.write() as repos:
            await self._renew(repos, run)
            await repos.observations.advance(
                run.id, platform.value, last_page_id=after, state=state
            )

    async def _renew(self, repos: Repositories, run: CollectRun) -> None:
        if not await repos.observations.heartbeat(run.id, holder=self.holder, now=self.clock.now()):
            # Taken over by another process (this one was thought dead): it goes on.
            raise CollectBusy

    async def _store(
        self,
        run: CollectRun,
        platform: Platform,
        targets: list[Target],
        results: list[Count | Failure],
    ) -> None:
        """One batch's results, the run's progress and outcomes, in one transaction."""
        now = self.clock.now()
        outcomes: Counter[str] = Counter()
        queued = 0
        asked = {target.page_id for target in targets}
        unanswered = set(asked)
        async with self.db.write() as repos:
            await self._renew(repos, run)
            for result in results:
                if result.page_id not in unanswered:
                    continue  # not this batch's (or answered twice): not stored
                page = await repos.pages.get(result.page_id)
                if page is None:
                    continue  # removed meanwhile: counted with the unanswered
                unanswered.discard(result.page_id)
                if isinstance(result, Failure):
                    await repos.observations.mark_uncollectable(
                        page.id, reason=result.reason.value, detail=result.detail
                    )
                    outcomes[result.reason.value] += 1
                    continue
                await repos.observations.observe(
                    result, source=platform.value, run_id=run.id, now=now
                )
                outcomes[COLLECTED] += 1
                queued += await self._cross_check(repos, page, result.figure, now)
            await repos.observations.advance(
                run.id, platform.value, last_page_id=targets[-1].page_id
            )
            # A page the collector gave no answer for is unknown to the platform.
            for page_id in sorted(unanswered):
                await repos.observations.mark_uncollectable(
                    page_id, reason=Uncollectable.UNKNOWN.value, detail=""
                )
            outcomes[Uncollectable.UNKNOWN.value] += len(unanswered)
            await repos.observations.add_outcomes(run.id, outcomes)
        if queued:
            self.wake()

    async def _cross_check(self, repos: Repositories, page: Page, figure: int, now: int) -> int:
        """Flag a jump from the previous observation and a discrepancy with the day's
        report, telling the administrators of the latter; clear the page's discrepancy
        flag when the day's report agrees with this observation. Returns the notices
        queued."""
        if self.check.jump_from(page.observed_figure, page.observed_at, figure, now):
            assert page.observed_figure is not None
            await repos.observations.flag(
                Flag(page.id, FlagKind.JUMP, page.observed_figure, figure, now)
            )
        if page.reported_figure is None or page.last_report_at is None:
            return 0
        figures = {
            "reported": page.reported_figure,
            "reported_at": page.last_report_at,
            "observed": figure,
            "observed_at": now,
        }
        if self.check.agrees(**figures):
            await repos.observations.clear_flag(page.id, FlagKind.DISCREPANCY, now=now)
            return 0
        if not self.check.discrepant(**figures):
            return 0
        await repos.observations.flag(
            Flag(page.id, FlagKind.DISCREPANCY, page.reported_figure, figure, now)
        )
        return await notify_discrepancy(repos, self.notice, page, page.reported_figure, figure, now)


async def notify_discrepancy(
    repos: Repositories,
    notice: DiscrepancyNotice | None,
    page: Page,
    reported: int,
    observed: int,
    now: int,
) -> int:
    """Queue, for each administrator of the page, what the platform shows beside what
    was reported; returns how many were queued (none without a `notice`)."""
    if notice is None:
        return 0
    queued = 0
    for user_id in await repos.pages.admin_ids(page.id):
        user = await repos.users.get(user_id)
        if user is None or not user.reachable:
            continue
        text = notice(user, page, reported, observed)
        await enqueue_text(repos, user_id, text, priority=Priority.ALERT, now=now)
        queued += 1
    return queued
