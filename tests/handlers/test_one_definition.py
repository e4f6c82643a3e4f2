"""Each business rule has one definition: these tests fail when a second one appears or
when the places that use a rule stop agreeing."""

from __future__ import annotations

import re

import pytest

from bot.config import PACKAGE_DIR
from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.limits import PAGE_TITLE, REJECT_REASON, SEMINAR_PLACE, SEMINAR_TITLE
from bot.domain.links import Platform
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.services.errors import NotRegistered, TextRefused
from bot.services.registry import PageDraft
from bot.services.seminars import SeminarDraft
from tests.builders import KUZNETSK, seed_admins
from tests.clock import START
from tests.fakes.bot_api import FakeUser
from tests.harness import BotHarness

SUPER = Actor(100, Role.SUPERADMIN)


def definitions(pattern: str) -> list[str]:
    """`path:line` of every line of the bot's code matching `pattern`."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{number}")
    return found


@pytest.mark.parametrize(
    ("pattern", "home"),
    [
        (r"\b86_?400\b", "bot/domain/localtime.py"),  # seconds in a day
        (r"\b4_?096\b", "bot/domain/messages.py"),  # Telegram's message length
        (r"(?<!def )resolve_role\(", "bot/services/access.py"),  # the role of a stored user
        (r"(?<!def )administers_any\(", "bot/services/access.py"),  # who is registered
        (r"\.last_report_at, \{?\w+\}?\.decided_at", "bot/storage/silence.py"),  # silent page
        (r"TextLimit\(\d", "bot/domain/limits.py"),  # how long typed texts may be
    ],
)
def test_a_rule_is_written_in_one_place(pattern: str, home: str) -> None:
    places = {place.rsplit(":", 1)[0] for place in definitions(pattern)}
    assert places == {home}, definitions(pattern)


def test_milestone_ladders_are_built_in_one_place() -> None:
    uses = definitions(r"Ladder\.(every|listed_then_every)\(")
    assert {place.rsplit(":", 1)[0] for place in uses} == {"bot/domain/milestones.py"}, uses


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
        Actor(admin.id, Role.USER), draft.__class__(**{**_fields(draft), "title": "Я"})
    )
    assert page.status is PageStatus.PENDING
    with pytest.raises(TextRefused):
        await services["registry"].reject(
            SUPER, page.id, "x" * (REJECT_REASON.max_length + 1), lambda user, page: ""
        )

    seminar = SeminarDraft(
        title="С" * (SEMINAR_TITLE.max_length + 1),
        description="",
        starts_at=START + 3 * DAY,
        duration_minutes=60,
        place="Пенза",
        capacity=None,
        territory_id=None,
    )
    with pytest.raises(TextRefused):
        await services["seminars"].create(SUPER, seminar)
    with pytest.raises(TextRefused):
        await services["seminars"].create(
            SUPER,
            SeminarDraft(
                **{**_fields(seminar), "title": "С", "place": "П" * (SEMINAR_PLACE.max_length + 1)}
            ),
        )


def _fields(draft: object) -> dict[str, object]:
    return {name: getattr(draft, name) for name in draft.__slots__}  # type: ignore[attr-defined]


def test_the_scan_reads_the_bot_itself() -> None:
    """A scan that found nothing would pass every test above."""
    [place] = definitions(r"^DAY: Final = 86_400$")
    assert place.startswith("bot/domain/localtime.py:")
    assert len(definitions(r"^from __future__ import annotations$")) > 50
