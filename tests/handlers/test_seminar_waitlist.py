"""The waiting list of a full seminar: joining it, leaving it, promotion of the first in
line (told through the delivery queue), no overbooking under concurrent taps, and
registration closed at the start and for a cancelled seminar."""

from __future__ import annotations

import asyncio
from typing import NoReturn

import pytest

from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.handlers.callbacks import SeminarAction, SeminarCb
from bot.services.errors import SeminarCancelled, SeminarStarted
from bot.services.seminars import AnnouncementRenderer, SeminarService, SeminarView
from bot.storage.database import Database
from bot.storage.outbox import OutboxStatus
from bot.storage.records import User
from tests.builders import (
    KUZNETSK,
    add_page,
    add_seminar,
    add_user,
    open_database,
    outbox_row,
    seed_admins,
)
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import alert
from tests.harness import BotHarness
from tests.users import SUPER

SOON = START + 10 * DAY
JOIN, WAIT, LEAVE = "✅ I will attend", "⏳ Join the waiting list", "✖️ Cancel my registration"
CALENDAR = "📅 Add to calendar"


class Refused(Exception):
    pass


def fail(*_args: object) -> NoReturn:
    raise Refused


def notice(user: User, view: SeminarView) -> tuple[str, dict[str, object]]:
    return f"seat for {user.id} at {view.seminar.id}", {}


def service(
    db: Database, clock: FakeClock, *, promoted: AnnouncementRenderer = notice
) -> SeminarService:
    return SeminarService(db, clock, notice, lambda: None, promoted=promoted)


def member(user_id: int) -> Actor:
    return Actor(user_id, Role.USER)


async def seminar_with_admins(
    db: Database, count: int, *, capacity: int | None
) -> tuple[int, list[int]]:
    """A seminar starting at SOON with `capacity` seats, and `count` administrators of
    approved pages (ids from 1000) invited to it."""
    user_ids = list(range(1000, 1000 + count))
    async with db.write() as repos:
        await add_user(repos, SUPER)
        for user_id in user_ids:
            await add_user(repos, FakeUser(id=user_id, first_name=f"Admin {user_id}"))
            await add_page(repos, f"vk.com/page{user_id}", created_by=user_id)
        seminar = await add_seminar(repos, created_by=SUPER.id, starts_at=SOON, capacity=capacity)
    return seminar, user_ids


async def registered(db: Database, seminar: int) -> int:
    async with db.read() as repos:
        return (await repos.seminars.registered_counts([seminar]))[seminar]


# --------------------------------------------------------------------------- the service


async def test_concurrent_taps_in_two_processes_never_overbook(
    db: Database, clock: FakeClock
) -> None:
    seminar, user_ids = await seminar_with_admins(db, 10, capacity=3)
    # A second process: its own connections to the same database, its own service.
    async with open_database(db.url) as other:
        here, there = service(db, clock), service(other, clock)
        views = await asyncio.gather(
            *(
                (here if n % 2 else there).register(member(user_id), seminar)
                for n, user_id in enumerate(user_ids)
            )
        )
    assert sum(view.mine for view in views) == 3
    assert await registered(db, seminar) == 3
    # Everyone else is in line, each at a place of their own.
    assert sorted(view.waiting or 0 for view in views if not view.mine) == list(range(1, 8))
    for user_id, view in zip(user_ids, views, strict=True):
        now = await here.view(member(user_id), seminar)
        assert (now.mine, now.waiting, now.registered) == (view.mine, view.waiting, 3)


async def test_a_freed_seat_goes_to_the_first_in_line_in_the_same_transaction(
    db: Database, clock: FakeClock
) -> None:
    seminar, [first, second, third] = await seminar_with_admins(db, 3, capacity=1)
    seminars = service(db, clock)
    for user_id in (first, second, third):
        await seminars.register(member(user_id), seminar)
    assert (await seminars.register(member(third), seminar)).waiting == 2  # a second tap

    # The notice cannot be queued: the seat is not given up either.
    with pytest.raises(Refused):
        await service(db, clock, promoted=fail).unregister(member(first), seminar)
    assert (await seminars.view(member(first), seminar)).mine
    assert (await seminars.view(member(second), seminar)).waiting == 1

    was, now = await seminars.unregister(member(first), seminar)
    assert (was.mine, now.mine, now.waiting, now.registered) == (True, False, None, 1)
    assert (await seminars.view(member(second), seminar)).mine
    assert (await seminars.view(member(third), seminar)).waiting == 1
    async with db.read() as repos:
        assert (await repos.outbox.status_counts())[OutboxStatus.PENDING] == 1
    told = await outbox_row(db, 1)
    assert (told.chat_id, told.payload["text"]) == (second, f"seat for {second} at {seminar}")

    # Leaving the line frees no seat: nobody is told.
    was, now = await seminars.unregister(member(third), seminar)
    assert (was.waiting, now.waiting, now.registered) == (1, None, 1)
    # The last seat given up with nobody in line stays free.
    await seminars.unregister(member(second), seminar)
    assert await registered(db, seminar) == 0
    async with db.read() as repos:
        assert (await repos.outbox.status_counts())[OutboxStatus.PENDING] == 1


async def test_seats_the_line_should_have_had_go_to_it_before_a_newcomer(
    db: Database, clock: FakeClock
) -> None:
    """A line left waiting while seats are free (the limit lifted by an edit): the next
    tap serves the line first, in order, and then the newcomer."""
    seminar, [first, second, newcomer] = await seminar_with_admins(db, 3, capacity=None)
    async with db.write() as repos:
        for user_id in (second, first):
            await repos.waitlist.join(seminar, user_id, now=START)
    view = await service(db, clock).register(member(newcomer), seminar)
    assert (view.mine, view.registered) == (True, 3)
    for user_id in (first, second):
        assert (await service(db, clock).view(member(user_id), seminar)).mine
    told = [await outbox_row(db, row) for row in (1, 2)]
    assert [row.chat_id for row in told] == [second, first]  # the line's order


async def test_registration_closes_at_the_start_and_for_a_cancelled_seminar(
    db: Database, clock: FakeClock
) -> None:
    seminar, [first, second, third] = await seminar_with_admins(db, 3, capacity=1)
    async with db.write() as repos:
        cancelled = await add_seminar(
            repos, created_by=SUPER.id, starts_at=SOON, capacity=5, cancelled_at=START
        )
    seminars = service(db, clock)
    await seminars.register(member(first), seminar)
    await seminars.register(member(second), seminar)
    with pytest.raises(SeminarCancelled):
        await seminars.register(member(first), cancelled)

    clock.current = SOON
    with pytest.raises(SeminarStarted):
        await seminars.register(member(third), seminar)
    with pytest.raises(SeminarStarted):
        await seminars.unregister(member(first), seminar)
    with pytest.raises(SeminarStarted):
        await seminars.unregister(member(second), seminar)
    assert (await seminars.view(member(first), seminar)).mine
    assert (await seminars.view(member(second), seminar)).waiting == 1


# --------------------------------------------------------------------------- the bot


async def seminar_cards(
    bot: BotHarness, users: list[FakeUser], *, capacity: int
) -> tuple[int, dict[int, SentMessage]]:
    """A seminar with `capacity` seats for the whole region, and each user's card of it
    from /seminars."""
    async with bot.db.write() as repos:
        await add_user(repos, SUPER)
        seminar = await add_seminar(
            repos, created_by=SUPER.id, starts_at=SOON, capacity=capacity, title="SMM <b>"
        )
    cards = {}
    for user in users:
        [_count, card] = await bot.send(user, "/seminars")
        cards[user.id] = card
    return seminar, cards


def card_of(fake: FakeBotAPI, user: FakeUser, card: SentMessage) -> SentMessage:
    """The card as it is now (edited by the taps under it)."""
    return next(m for m in fake.messages(user.id) if m.message_id == card.message_id)


async def test_two_taps_for_the_last_seat_at_once(bot: BotHarness, fake: FakeBotAPI) -> None:
    first, second, third = await seed_admins(bot, 3, KUZNETSK, 1000)
    seminar, cards = await seminar_cards(bot, [first, second, third], capacity=2)
    await bot.click(first, JOIN, cards[first.id])

    data = SeminarCb(action=SeminarAction.JOIN, seminar_id=seminar).pack()
    taps = [fake.callback_update(user, cards[user.id], data) for user in (second, third)]
    await asyncio.gather(*(bot.feed(tap) for tap in taps))

    answers = [fake.answer_for(tap) for tap in taps]
    assert sorted((a.text or "", a.show_alert) for a in answers if a is not None) == [
        (
            "All seats are taken, so you are on the waiting list.\n"
            "⏳ You are first on the waiting list: the next free seat is yours.",
            True,
        ),
        ("You are registered. See you there!", False),
    ]
    assert await registered(bot.db, seminar) == 2
    texts = sorted(card_of(fake, u, cards[u.id]).text or "" for u in (second, third))
    assert all("Registered: 2 of 2" in text for text in texts)
    assert sum("first on the waiting list" in text for text in texts) == 1
    buttons = sorted(card_of(fake, u, cards[u.id]).button_texts()[0] for u in (second, third))
    assert buttons == ["✖️ Cancel my registration", "✖️ Leave the waiting list"]


async def test_the_line_moves_up_and_the_first_in_line_is_told(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    seated, first = await seed_admins(bot, 2, KUZNETSK, 1000)
    russians = [
        fake.add_user(FakeUser(id=3000 + n, first_name=f"Админ {n}", language_code="ru"))
        for n in range(2)
    ]
    async with bot.db.write() as repos:
        for user in russians:
            await add_user(repos, user)
            await add_page(repos, f"vk.com/page{user.id}", created_by=user.id)
    second, third = russians
    seminar, cards = await seminar_cards(bot, [seated, first, second, third], capacity=1)

    await bot.click(seated, JOIN, cards[seated.id])
    # The others' cards still say "I will attend": the answer tells them the seats are gone.
    await bot.click(first, JOIN, cards[first.id])
    await bot.click(second, "✅ Я приду", cards[second.id])
    update = fake.callback_update(
        third, cards[third.id], str(SeminarCb(action=SeminarAction.JOIN, seminar_id=seminar).pack())
    )
    await bot.feed(update)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == (
        "Все места заняты, поэтому вы записаны в лист ожидания.\n"
        "⏳ Вы — номер 3 в листе ожидания: перед вами 2 человека."
    )
    card = card_of(fake, second, cards[second.id])
    assert "⏳ Вы — номер 2 в листе ожидания: перед вами 1 человек." in (card.text or "")
    assert "Записались: 1 из 1" in (card.text or "")
    assert card.button_texts() == ["✖️ Выйти из листа ожидания", "📅 В календарь"]

    [refreshed] = (await bot.send(first, "/seminars"))[1:]
    assert "⏳ You are first on the waiting list" in (refreshed.text or "")
    before = {user.id: len(fake.messages(user.id)) for user in (first, second, third)}
    await bot.click(seated, LEAVE, cards[seated.id])
    await bot.drain()

    [told] = fake.messages(first.id)[before[first.id] :]
    assert (told.text or "").startswith("🎉 A seat is yours: a seat became free or was added")
    assert "SMM <b>" in (told.text or "")  # escaped on the way, shown as typed
    assert "You are registered." in (told.text or "")
    assert told.button_texts() == [LEAVE, CALENDAR]
    for user in (second, third):  # moved up, not told
        assert len(fake.messages(user.id)) == before[user.id]
    [card] = (await bot.send(second, "/seminars"))[1:]
    assert "⏳ Вы — номер 1 в листе ожидания" in (card.text or "")

    assert (
        await alert(
            bot,
            third,
            card_of(fake, third, cards[third.id]),
            SeminarCb(action=SeminarAction.LEAVE, seminar_id=seminar).pack(),
        )
        == "Вы вышли из листа ожидания."
    )
    card = card_of(fake, seated, cards[seated.id])
    assert "Registered: 1 of 1" in (card.text or "")
    assert card.button_texts() == [WAIT, CALENDAR]  # full now: the line is open to join

    # A forged button for a seminar that does not exist: refused on the server.
    forged = SeminarCb(action=SeminarAction.LEAVE, seminar_id=999).pack()
    assert "no such seminar" in await alert(bot, seated, card, forged)
