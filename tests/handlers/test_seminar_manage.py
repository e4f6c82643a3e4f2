"""A seminar managed after its announcement, through the bot: the wizard's academic hours
and segment audience, changes and cancellation told to everyone registered or waiting,
the coordinators' list of seminars lately held, and the refusals of forged buttons."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from bot.domain.audit import AuditAction, AuditDetail
from bot.domain.catalog import Level
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.domain.segments import Dimension, Segment
from bot.domain.seminars import SeminarField
from bot.handlers.callbacks import (
    SegmentChoice,
    SegmentOpenCb,
    SegmentToggleCb,
    SeminarAction,
    SeminarCancelCb,
    SeminarCb,
    SeminarEditCb,
    SeminarStep,
    SeminarWizardCb,
)
from bot.services.seminar_changes import SeminarChange, SeminarChanges
from bot.services.seminars import SeminarView
from bot.storage.attendance import AttendanceSource
from bot.storage.database import Database
from bot.storage.dialect import create_engine
from bot.storage.records import User
from bot.storage.seminars import Seminar
from tests.builders import (
    KUZNETSK,
    PENZA,
    add_page,
    add_user,
    make_coordinator,
    seed_admins,
    seed_admins_of_both,
)
from tests.builders import add_seminar as store_seminar
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import announced_seminar, announcements, territory_name
from tests.harness import BotHarness
from tests.users import SUPER

HOUR = 3600


async def stored(bot: BotHarness, seminar_id: int = 1) -> Seminar:
    async with bot.db.read() as repos:
        seminar = await repos.seminars.get(seminar_id)
    assert seminar is not None
    return seminar


async def add_seminar(
    bot: BotHarness, *, starts_at: int, title: str = "Seminar", territory: int | None = None
) -> int:
    """A seminar stored as the wizard would store it, for `territory` (None: everyone)."""
    segment = Segment(territories=frozenset({territory}) if territory else frozenset())
    async with bot.db.write() as repos:
        return await repos.seminars.create(
            Seminar(0, title, "", starts_at, 90, "online", 10, segment, SUPER.id, START)
        )


async def alert(
    bot: BotHarness, fake: FakeBotAPI, user: FakeUser, message: SentMessage, data: str
) -> str:
    """The alert a tap with (possibly forged) `data` on `message` is answered with."""
    answer = fake.answer_for(await bot.press(user, message, data))
    assert answer is not None
    return answer.text or ""


async def test_the_wizard_takes_academic_hours_and_a_segment_audience(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [municipal] = await seed_admins(bot, 1, KUZNETSK, 1000)
    [regional] = await seed_admins(bot, 1, PENZA, 2000)
    async with bot.db.write() as repos:
        await add_page(
            repos, "vk.com/regional", created_by=regional.id, territory_id=PENZA, level="regional"
        )
    await bot.send(SUPER, "/start")
    await bot.send(SUPER, "/seminar_new")
    await bot.send(SUPER, "Title")
    await bot.click(SUPER, "Пропустить")
    await bot.send(SUPER, "01.10.2026 10:00")
    [hours] = await bot.click(SUPER, "90 мин")
    assert hours.button_texts() == ["✅ 2 (по умолчанию)", "Отмена"]  # 90 minutes: 2 hours
    [refused] = await bot.send(SUPER, "25")
    assert "от 1 до 24" in (refused.text or "")
    assert refused.button_texts() == ["✅ 2 (по умолчанию)", "Отмена"]
    await bot.send(SUPER, "3")
    [bad_link] = await bot.send(SUPER, "https://exa mple.org/room")
    assert "не похожа на правильную" in (bad_link.text or "")
    await bot.send(SUPER, "www.example.org/room")
    [audience] = await bot.send(SUPER, "5")
    assert "все администраторы, человек: 2" in (audience.text or "")

    # The days of silence are a broadcast's, not a seminar's: a forged screen is refused.
    forged = SegmentOpenCb(choice=SegmentChoice.SILENCE).pack()
    assert await alert(bot, fake, SUPER, audience, forged) == "Неизвестный вариант."
    await bot.click(SUPER, "🏛 Уровень")
    [screen] = [m for m in fake.messages(SUPER.id) if m.message_id == audience.message_id]
    assert "Региональный" in screen.button_texts()
    await bot.click(SUPER, "Региональный")
    toggled = SegmentToggleCb(dimension=Dimension.LEVEL, value="ministerial").pack()
    assert await alert(bot, fake, SUPER, screen, toggled) == "Неизвестный вариант."
    await bot.click(SUPER, "⬅️ Готово")
    assert "уровень: Региональный, человек: 1" in (screen.text or "")
    [preview] = await bot.click(SUPER, "✅ Готово")
    text = preview.text or ""
    assert "🎓 3 академических часа" in text
    assert "https://www.example.org/room" in text
    assert "Приглашены: уровень: Региональный, человек: 1" in text
    await bot.click(SUPER, "📣 Объявить")
    seminar = await stored(bot)
    assert (seminar.academic_hours, seminar.segment) == (
        3,
        Segment(levels=frozenset({Level.REGIONAL})),
    )
    await bot.drain()
    assert len(announcements(fake, regional)) == 1
    assert announcements(fake, municipal) == []


async def test_a_change_is_checked_saved_and_told_to_everyone_concerned(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    first, second, waiting = await seed_admins(bot, 3, KUZNETSK, 1000)
    await announced_seminar(bot, first, second)
    async with bot.db.write() as repos:
        await repos.waitlist.join(1, waiting.id, now=START)

    [_header, card] = await bot.send(SUPER, "/seminars")
    assert card.button_texts() == [
        "⏳ Встать в лист ожидания",  # the seats are taken
        "📅 В календарь",
        "✏️ Изменить",
        "❌ Отменить семинар",
        "🔑 Код отметки",
        "📋 Посещаемость",
        "⭐ Отзывы",
    ]
    await bot.click(SUPER, "✏️ Изменить", card)
    [question] = await bot.click(SUPER, "🗓 Время")
    assert "Сейчас: 1 октября 2026, 10:00" in (question.text or "")
    [impossible] = await bot.send(SUPER, "31.02.2027 10:00")
    assert "Не понял дату" in (impossible.text or "")
    [past] = await bot.send(SUPER, "01.09.2026 10:00")
    assert "уже прошло" in (past.text or "")
    [saved, changed] = await bot.send(SUPER, "02.10.2026 12:30")
    assert "сообщим 3 людям" in (saved.text or "")
    assert "2 октября 2026, 12:30" in (changed.text or "")
    assert "✏️ Изменить" in changed.button_texts()

    await bot.click(SUPER, "✏️ Изменить", changed)
    [seats] = await bot.click(SUPER, "👥 Места")
    assert "записались 2 человека" in (seats.text or "")
    [below] = await bot.send(SUPER, "1")
    assert "Уже записались 2 человека: мест нужно не меньше 2" in (below.text or "")
    await bot.send(SUPER, "4")

    await bot.click(SUPER, "✏️ Изменить", changed)
    await bot.click(SUPER, "📍 Место или ссылка")
    [bad_link] = await bot.send(SUPER, "https://")
    assert "не похожа на правильную" in (bad_link.text or "")
    await bot.send(SUPER, "Пенза, ул. <Московская>, 1")

    await bot.click(SUPER, "✏️ Изменить", changed)
    [description] = await bot.click(SUPER, "📝 Описание")
    no_limit = SeminarWizardCb(step=SeminarStep.NO_LIMIT).pack()  # the seats' button
    assert await alert(bot, fake, SUPER, description, no_limit) == "Неизвестный вариант."
    await bot.click(SUPER, "Убрать описание", description)

    seminar = await stored(bot)
    assert (seminar.capacity, seminar.place, seminar.description, seminar.revision) == (
        4,
        "Пенза, ул. <Московская>, 1",
        "",
        4,
    )
    await bot.drain()
    for person in (first, second, waiting):
        notices = [m.text or "" for m in fake.messages(person.id) if (m.text or "").startswith("✏️")]
        assert notices == [
            "✏️ The seminar «SMM <basics>» on 1 October 2026, 10:00 has changed.\n"
            "🗓 New time: 2 October 2026, 12:30 (was 1 October 2026, 10:00)",
            "✏️ The seminar «SMM <basics>» on 2 October 2026, 12:30 has changed.\n👥 Seats now: 4",
            "✏️ The seminar «SMM <basics>» on 2 October 2026, 12:30 has changed.\n"
            "📍 New place: Пенза, ул. <Московская>, 1",
            "✏️ The seminar «SMM <basics>» on 2 October 2026, 12:30 has changed.\n"
            "📝 The description was removed.",
        ]
    async with bot.db.read() as repos:
        entries = await repos.audit.latest(limit=10)
    assert [(e.action, e.details) for e in entries[:4]] == [
        (AuditAction.SEMINAR_CHANGED, {AuditDetail.FIELD: field, AuditDetail.RECIPIENTS: 3})
        for field in ("description", "place", "capacity", "starts_at")
    ]


async def test_a_cancellation_is_confirmed_told_and_stays_listed(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [registered] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await announced_seminar(bot, registered)

    [_header, card] = await bot.send(SUPER, "/seminars")
    [confirm] = await bot.click(SUPER, "❌ Отменить семинар", card)
    assert "Сообщим 1 человеку" in (confirm.text or "")
    assert (await stored(bot)).cancelled_at is None  # nothing happens before the answer
    [done] = await bot.click(SUPER, "Да, отменить семинар", confirm)
    assert "Семинар отменён; сообщим 1 человеку" in (done.text or "")
    seminar = await stored(bot)
    assert (seminar.cancelled_at, seminar.revision) == (START, 1)
    again = SeminarCancelCb(seminar_id=1).pack()
    assert await alert(bot, fake, SUPER, confirm, again) == "Этот семинар отменён."
    edit = SeminarCb(action=SeminarAction.EDIT, seminar_id=1).pack()
    assert await alert(bot, fake, SUPER, card, edit) == "Этот семинар отменён."

    await bot.drain()
    assert fake.last_message(registered.id).text == (
        "❌ The seminar «SMM <basics>» on 1 October 2026, 10:00 is cancelled. Sorry!"
    )
    [_header, card] = await bot.send(SUPER, "/seminars")
    assert "❌ Отменён" in (card.text or "")
    assert card.button_texts() == ["📅 В календарь"]
    async with bot.db.read() as repos:
        [entry, *_] = await repos.audit.latest(limit=1)
    assert (entry.action, entry.details) == (
        AuditAction.SEMINAR_CANCELLED,
        {AuditDetail.RECIPIENTS: 1},
    )


async def test_management_is_refused_outside_ones_reach_and_to_forged_buttons(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    [inside], [outside] = await seed_admins_of_both(bot, kuznetsk=1, penza=1)
    anna = fake.add_user(FakeUser(id=450, first_name="Анна", username="anna"))
    await bot.send(anna, "/start")
    await bot.send(SUPER, "/start")
    await bot.send(SUPER, f"/grant @anna {await territory_name(bot, PENZA)}")
    kuznetsk = await add_seminar(bot, starts_at=START + 10 * DAY, territory=KUZNETSK)
    penza = await add_seminar(bot, starts_at=START + 10 * DAY, territory=PENZA)

    [_header, own] = await bot.send(anna, "/seminars")  # only her territory's
    assert "✏️ Изменить" in own.button_texts()
    for data in (
        SeminarCb(action=SeminarAction.EDIT, seminar_id=kuznetsk),
        SeminarCb(action=SeminarAction.CANCEL, seminar_id=kuznetsk),
        SeminarEditCb(field=SeminarField.CAPACITY, seminar_id=kuznetsk),
        SeminarCancelCb(seminar_id=kuznetsk),
        SeminarCancelCb(seminar_id=999),
    ):
        assert "Такого семинара для вас нет" in await alert(bot, fake, anna, own, data.pack())
    assert (await stored(bot, kuznetsk)).cancelled_at is None

    # Administrators see no management buttons, and forged ones meet their role.
    [_header, card] = await bot.send(inside, "/seminars")
    assert card.button_texts() == ["✅ I will attend", "📅 Add to calendar"]
    for data in (
        SeminarCb(action=SeminarAction.EDIT, seminar_id=kuznetsk),
        SeminarCb(action=SeminarAction.CANCEL, seminar_id=kuznetsk),
        SeminarEditCb(field=SeminarField.PLACE, seminar_id=kuznetsk),
        SeminarCancelCb(seminar_id=kuznetsk),
    ):
        assert "role does not allow" in await alert(bot, fake, inside, card, data.pack())
    [_header, theirs] = await bot.send(outside, "/seminars")
    assert "role does not allow" in await alert(
        bot, fake, outside, theirs, SeminarCancelCb(seminar_id=penza).pack()
    )
    # A field the bot does not know fails to unpack: no handler takes it.
    assert "Такого семинара" not in await alert(bot, fake, anna, own, f"se:title:{penza}")

    # Once it started, it is no longer changed.
    clock.advance(10 * DAY)
    edit = SeminarCb(action=SeminarAction.EDIT, seminar_id=penza).pack()
    assert "уже начался" in await alert(bot, fake, anna, own, edit)


async def test_coordinators_keep_seeing_seminars_under_way_and_lately_ended(
    bot: BotHarness,
) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await bot.send(SUPER, "/start")
    await add_seminar(bot, starts_at=START - 8 * DAY, title="Long ago")
    ended = await add_seminar(bot, starts_at=START - 6 * DAY, title="Last week")
    under_way = await add_seminar(bot, starts_at=START - HOUR, title="Now")
    await add_seminar(bot, starts_at=START + DAY, title="Tomorrow")
    async with bot.db.write() as repos:
        for seminar_id, user_id in ((under_way, SUPER.id), (ended, admin.id)):
            await repos.attendance.mark(
                seminar_id, user_id, AttendanceSource.CODE, marked_by=None, now=START
            )

    [_header, *cards] = await bot.send(SUPER, "/seminars")
    assert [(card.text or "").split("\n")[:2] for card in cards] == [
        ["🏁 Завершён: можно отметить посещаемость", "🎓 Last week"],
        ["⏳ Идёт сейчас", "🎓 Now"],
        ["🎓 Tomorrow", "🗓 22 сентября 2026, 17:13, 90 мин"],
    ]
    # Begun or ended: no more joining, changing or cancelling; the rest stays.
    held = ["🔑 Код отметки", "📋 Посещаемость", "⭐ Отзывы"]
    assert cards[0].button_texts() == ["📅 В календарь", *held]
    assert cards[1].button_texts() == ["📅 В календарь", "🎓 Сертификат", *held]  # attended
    [_header, card] = await bot.send(admin, "/seminars")  # administrators: upcoming only
    assert "Tomorrow" in (card.text or "")
    # A coordinator who registers keeps the management buttons on the card.
    await bot.click(SUPER, "✅ Я приду", cards[2])
    assert cards[2].button_texts()[:3] == ["✖️ Отменить запись", "📅 В календарь", "✏️ Изменить"]


async def test_more_seats_go_to_the_waiting_list_in_order_and_each_is_told(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    first, second, third, fourth = await seed_admins(bot, 4, KUZNETSK, 1000)
    await announced_seminar(bot, first, capacity="1")
    for person in (second, third, fourth):  # the line: second, third, fourth
        await bot.click(person, "✅ I will attend", announcements(fake, person)[0])

    [_header, card] = await bot.send(SUPER, "/seminars")
    await bot.click(SUPER, "✏️ Изменить", card)
    await bot.click(SUPER, "👥 Места")
    await bot.send(SUPER, "2")
    async with bot.db.read() as repos:
        assert sorted(
            u
            for _s, u in await repos.seminars.registrations(
                [1], [p.id for p in (first, second, third, fourth)]
            )
        ) == [first.id, second.id]
        assert (await repos.waitlist.positions([1], fourth.id)) == {1: 2}

    await bot.click(SUPER, "✏️ Изменить", card)
    await bot.click(SUPER, "👥 Места")
    await bot.click(SUPER, "Без ограничений")
    async with bot.db.read() as repos:
        assert (await repos.seminars.registered_counts([1]))[1] == 4
        assert (await repos.waitlist.positions([1], fourth.id)) == {}
    await bot.drain()
    for person in (second, third, fourth):
        seat = [m for m in fake.messages(person.id) if "A seat is yours" in (m.text or "")]
        assert len(seat) == 1
        assert "✖️ Cancel my registration" in seat[0].button_texts()
    assert not any("A seat is yours" in (m.text or "") for m in fake.messages(first.id))


async def test_the_delivery_worker_is_woken_after_the_commit(
    db: Database, clock: FakeClock
) -> None:
    """A worker woken inside the open transaction would find nothing to send: when it is
    woken, the notices are already visible to another connection."""
    async with db.write() as repos:
        await add_user(repos, SUPER)
        await add_user(repos, FakeUser(id=1000, first_name="Registered"))
        seminar = await store_seminar(
            repos, created_by=SUPER.id, starts_at=START + DAY, registered=[1000]
        )

    async def count() -> int:
        engine = create_engine(db.url, read_only=True, pool_size=1)
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one())
        finally:
            await engine.dispose()

    def pending() -> int:
        """The outbox's rows as another process sees them at the wake: read on a reading
        connection of its own in a thread, while this loop waits (waking is synchronous)."""
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, count()).result()

    seen: list[int] = []

    def notice(_user: User, _change: SeminarChange) -> tuple[str, None]:
        return "changed", None

    def promoted(_user: User, _view: SeminarView) -> tuple[str, dict[str, object]]:
        return "a seat", {}

    changes = SeminarChanges(db, clock, notice, lambda: seen.append(pending()), promoted=promoted)
    coordinator = Actor(SUPER.id, Role.SUPERADMIN)
    await changes.change(coordinator, seminar, SeminarField.PLACE, "Пенза")
    await changes.cancel(coordinator, seminar)
    assert seen == [1, 2]


async def test_a_coordinator_of_one_territory_sees_but_does_not_manage_region_wide_seminars(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    """Region-wide seminars are the region's: a coordinator scoped to a territory finds
    them in /seminars, without management buttons, and forged ones are refused."""
    anna = fake.add_user(FakeUser(id=450, first_name="Анна", username="anna"))
    await make_coordinator(bot, anna, PENZA)
    await bot.send(SUPER, "/start")
    region = await add_seminar(bot, starts_at=START + 10 * DAY)
    async with bot.db.write() as repos:  # an audience naming two territories
        both = await store_seminar(
            repos,
            created_by=SUPER.id,
            starts_at=START + 11 * DAY,
            segment=Segment(territories=frozenset({PENZA, KUZNETSK})),
        )

    [_header, *cards] = await bot.send(anna, "/seminars")
    assert len(cards) == 2
    for card in cards:
        assert "✏️ Изменить" not in card.button_texts()
    for seminar_id in (region, both):
        for action in (
            SeminarAction.EDIT,
            SeminarAction.CANCEL,
            SeminarAction.CHECKIN,
            SeminarAction.ATTENDANCE,
            SeminarAction.FEEDBACK,
        ):
            data = SeminarCb(action=action, seminar_id=seminar_id).pack()
            assert "не позволяет" in await alert(bot, fake, anna, cards[0], data)
        assert "не позволяет" in await alert(
            bot, fake, anna, cards[0], SeminarCancelCb(seminar_id=seminar_id).pack()
        )
    assert (await stored(bot, region)).cancelled_at is None
