"""Each business rule has one definition: the services enforce the domain's text limits and
the registration rule, whatever the handler in front of them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.limits import PAGE_TITLE, REJECT_REASON, SEMINAR_PLACE, SEMINAR_TITLE
from bot.domain.links import Platform
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.domain.segments import Segment
from bot.services.errors import NotRegistered, TextRefused
from bot.services.registry import PageDraft
from bot.services.seminars import SeminarDraft
from tests.builders import KUZNETSK, seed_admins
from tests.clock import START
from tests.fakes.bot_api import FakeUser
from tests.harness import BotHarness

SUPER = Actor(100, Role.SUPERADMIN)


async def test_registered_means_the_same_to_total_digest_and_charts(bot: BotHarness) -> None:
    """A user with no page, an administrator of a pending page, an administrator of an
    approved one and a coordinator: /total, /digest and the charts let in the same ones."""
    services = bot.app.dispatcher
    [approved] = await seed_admins(bot, 1, KUZNETSK, 1000)
    nobody = bot.fake.add_user(FakeUser(id=1100, first_name="Nobody"))
    pending = bot.fake.add_user(FakeUser(id=1200, first_name="Pending"))
    for user in (nobody, pending, FakeUser(id=100, first_name="Ольга")):
        await bot.send(user, "/start")
    draft = PageDraft(
        url="https://vk.com/club555",
        link_key="vk.com/club555",
        platform=Platform.VK,
        title="Ожидает",
        territory_id=KUZNETSK,
        level=Level.MUNICIPAL,
        theme=Theme.CULTURE,
    )
    await services["registry"].register(Actor(pending.id, Role.USER), draft)

    async def admitted(user_id: int, role: Role) -> list[bool]:
        actor = Actor(user_id, role)
        results = []
        for attempt in (
            services["totals"].region(actor),
            services["digests"].compose(user_id),
            services["charts"].ensure_registered(actor),
        ):
            try:
                await attempt
            except NotRegistered:
                results.append(False)
            else:
                results.append(True)
        return results

    assert await admitted(nobody.id, Role.USER) == [False] * 3
    assert await admitted(pending.id, Role.USER) == [True] * 3
    assert await admitted(approved.id, Role.USER) == [True] * 3
    assert await admitted(100, Role.SUPERADMIN) == [True] * 3


async def test_services_refuse_texts_beyond_their_limits(bot: BotHarness) -> None:
    """The handlers ask again at once; the services refuse whatever called them."""
    services = bot.app.dispatcher
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    draft = PageDraft(
        url="https://vk.com/club556",
        link_key="vk.com/club556",
        platform=Platform.VK,
        title="Я" * (PAGE_TITLE.max_length + 1),
        territory_id=KUZNETSK,
        level=Level.MUNICIPAL,
        theme=Theme.CULTURE,
    )
    with pytest.raises(TextRefused):
        await services["registry"].register(Actor(admin.id, Role.USER), draft)

    page = await services["registry"].register(
        Actor(admin.id, Role.USER), replace(draft, title="Я")
    )
    assert page.status is PageStatus.PENDING
    with pytest.raises(TextRefused):
        await services["registry"].reject(
            SUPER, page.id, "x" * (REJECT_REASON.max_length + 1), lambda _user, _page: ""
        )

    seminar = SeminarDraft(
        title="С" * (SEMINAR_TITLE.max_length + 1),
        description="",
        starts_at=START + 3 * DAY,
        duration_minutes=60,
        place="Пенза",
        capacity=None,
        academic_hours=1,
        segment=Segment(),
    )
    with pytest.raises(TextRefused):
        await services["seminars"].create(SUPER, seminar)
    with pytest.raises(TextRefused):
        await services["seminars"].create(
            SUPER,
            replace(seminar, title="С", place="П" * (SEMINAR_PLACE.max_length + 1)),
        )
