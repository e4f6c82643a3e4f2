"""Every privileged action is audited in its own unit of work: the action and its entry
commit together, and an action that fails leaves no entry."""

from __future__ import annotations

from typing import NoReturn

import pytest

from bot.domain.audit import AuditAction, AuditDetail, SubjectKind
from bot.domain.catalog import PageStatus
from bot.domain.roles import Actor, Role
from bot.domain.segments import Segment
from bot.services.broadcasts import BroadcastService
from bot.services.registry import RegistryService
from bot.services.seminars import SeminarDraft, SeminarService, SeminarView
from bot.services.users import UserService
from bot.storage.audit import AuditEntry
from bot.storage.database import Database
from bot.storage.records import Page, User
from tests.builders import KUZNETSK, PENZA, add_page, add_user
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeUser
from tests.users import ADMIN, OTHER, SUPER

COORDINATOR = Actor(SUPER.id, Role.SUPERADMIN)


class Refused(Exception):
    """What a failing step inside a unit of work raises."""


def fail(*_args: object) -> NoReturn:
    raise Refused


def notice(_user: User, page: Page) -> str:
    return page.title


async def entries(db: Database) -> list[AuditEntry]:
    async with db.read() as repos:
        return await repos.audit.latest(limit=100)


async def admin_page(
    db: Database,
    territory_id: int,
    *,
    status: PageStatus = PageStatus.APPROVED,
    author: FakeUser = SUPER,
) -> int:
    """ADMIN's page in `territory_id` (approved unless told); ADMIN and `author` (who
    acts: a broadcast's or seminar's author) are stored as users. Returns its id."""
    async with db.write() as repos:
        await add_user(repos, author)
        await add_user(repos, ADMIN)
        return await add_page(
            repos, "vk.com/club1", created_by=ADMIN.id, territory_id=territory_id, status=status
        )


async def page_status(db: Database, page_id: int) -> PageStatus:
    async with db.read() as repos:
        page = await repos.pages.get(page_id)
    assert page is not None
    return page.status


async def test_a_decision_that_fails_leaves_no_entry_and_one_that_commits_has_one(
    db: Database, clock: FakeClock
) -> None:
    page = await admin_page(db, KUZNETSK, status=PageStatus.PENDING)
    registry = RegistryService(
        db, clock, invite_ttl_days=7, hand_over_notice=fail, claim_notice=fail
    )
    with pytest.raises(Refused):
        await registry.approve(COORDINATOR, page, fail)
    assert await page_status(db, page) is PageStatus.PENDING
    assert await entries(db) == []

    await registry.reject(COORDINATOR, page, "Не госпаблик", notice)
    [entry] = await entries(db)
    assert (entry.at, entry.actor_id, entry.action) == (
        clock.now(),
        SUPER.id,
        AuditAction.PAGE_REJECTED,
    )
    assert (entry.subject_kind, entry.subject_id, entry.territory_id) == (
        SubjectKind.PAGE,
        page,
        KUZNETSK,
    )
    assert entry.details == {AuditDetail.REASON: "Не госпаблик"}


async def test_an_approval_is_recorded_once(db: Database, clock: FakeClock) -> None:
    page = await admin_page(db, PENZA, status=PageStatus.PENDING)
    registry = RegistryService(
        db, clock, invite_ttl_days=7, hand_over_notice=fail, claim_notice=fail
    )
    await registry.approve(COORDINATOR, page, notice)
    [entry] = await entries(db)
    assert (entry.action, entry.subject_id, entry.territory_id, entry.details) == (
        AuditAction.PAGE_APPROVED,
        page,
        PENZA,
        {},
    )


async def test_grant_and_revoke_are_recorded_under_the_roles_territory(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as repos:
        await add_user(repos, OTHER)
    users = UserService(db, clock, frozenset({SUPER.id}))
    await users.grant(COORDINATOR, "@petr", "Пенза")
    clock.advance(60)
    await users.revoke(COORDINATOR, "@petr")
    revoked, granted = await entries(db)
    assert [
        (e.action, e.subject_kind, e.subject_id, e.territory_id) for e in (granted, revoked)
    ] == [
        (AuditAction.ROLE_GRANTED, SubjectKind.USER, OTHER.id, PENZA),
        (AuditAction.ROLE_REVOKED, SubjectKind.USER, OTHER.id, PENZA),
    ]
    assert revoked.at == granted.at + 60


async def test_a_seminar_whose_announcement_fails_leaves_neither_seminar_nor_entry(
    db: Database, clock: FakeClock
) -> None:
    await admin_page(db, KUZNETSK)
    audience = Segment(territories=frozenset({KUZNETSK}))
    draft = SeminarDraft("SMM", "", clock.now() + 86_400, 60, "online", None, 1, audience)

    def announce(_user: User, view: SeminarView) -> tuple[str, dict[str, object]]:
        return view.seminar.title, {}

    with pytest.raises(Refused):
        await SeminarService(db, clock, fail, lambda: None, promoted=fail).create(
            COORDINATOR, draft
        )
    assert await entries(db) == []
    seminar, invited = await SeminarService(
        db, clock, announce, lambda: None, promoted=announce
    ).create(COORDINATOR, draft)
    [entry] = await entries(db)
    assert (entry.action, entry.subject_kind, entry.subject_id, entry.territory_id) == (
        AuditAction.SEMINAR_CREATED,
        SubjectKind.SEMINAR,
        seminar.id,
        KUZNETSK,
    )
    assert entry.details == {AuditDetail.RECIPIENTS: invited} == {"recipients": 1}


async def test_a_broadcast_start_and_its_stop_are_recorded_and_a_second_stop_is_not(
    db: Database, clock: FakeClock
) -> None:
    await admin_page(db, PENZA, author=OTHER)
    scoped = Actor(OTHER.id, Role.COORDINATOR, PENZA)
    broadcasts = BroadcastService(db, clock, wake=lambda: None)
    broadcast = await broadcasts.start(
        scoped, Segment(), source_chat_id=OTHER.id, source_message_id=1
    )
    await broadcasts.cancel(COORDINATOR, broadcast.id)
    await broadcasts.cancel(COORDINATOR, broadcast.id)
    stopped, started = await entries(db)
    assert [(e.action, e.actor_id, e.subject_id, e.territory_id) for e in (started, stopped)] == [
        (AuditAction.BROADCAST_STARTED, OTHER.id, broadcast.id, PENZA),
        (AuditAction.BROADCAST_STOPPED, SUPER.id, broadcast.id, PENZA),
    ]
    assert started.details == {AuditDetail.RECIPIENTS: 1}
    assert stopped.details == {AuditDetail.CANCELLED: 1}
