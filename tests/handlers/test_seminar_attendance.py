"""Attendance at seminars through the bot: self check-in with the code (typed or from the
QR code's link), the coordinator's toggle list, and every refusal on the way."""

from __future__ import annotations

import io

import segno
from PIL import Image

from bot.domain.attendance import CHECKIN_ALPHABET, CHECKIN_CODE_LENGTH
from bot.domain.qr import QR_BORDER, QR_SCALE
from bot.handlers.callbacks import AttendanceCb, AttendancePageCb, SeminarAction, SeminarCb
from tests.builders import KUZNETSK, add_seminar, add_user, query, seed_admins_of_both
from tests.checks import assert_png
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeUser, SentMessage
from tests.flows import NEXT, alert, translator
from tests.harness import BotHarness
from tests.users import ADMIN, OTHER, SUPER

HOUR = 3600
#: The seminars of these tests start two hours after the tests' "now" and last an hour;
#: check-in opens 30 minutes before the start and closes an hour after the end.
STARTS_AT = START + 2 * HOUR
OPENS_AT = STARTS_AT - 30 * 60
CLOSES_AT = STARTS_AT + HOUR + HOUR
BOT_LINK = "https://t.me/gospublic_test_bot?start=att_"


async def kuznetsk_seminar(
    bot: BotHarness,
    registered: list[FakeUser],
    *,
    cancelled_at: int | None = None,
    checkin_code: str | None = None,
) -> int:
    """A one-hour seminar for Kuznetsk announced by the superadmin, who has written to the
    bot (so has a message to press buttons under); `registered` are registered."""
    await bot.send(SUPER, "/start")
    async with bot.db.write() as repos:
        return await add_seminar(
            repos,
            created_by=SUPER.id,
            starts_at=STARTS_AT,
            territory_id=KUZNETSK,
            registered=[user.id for user in registered],
            cancelled_at=cancelled_at,
            checkin_code=checkin_code,
        )


async def card_button(
    bot: BotHarness, user: FakeUser, action: SeminarAction, seminar_id: int
) -> str:
    """The user presses a seminar card's button (under their latest message); returns the
    alert it was answered with ("" when it was answered without one)."""
    latest = bot.fake.messages(user.id)[-1]
    return await alert(bot, user, latest, SeminarCb(action=action, seminar_id=seminar_id).pack())


async def attendance_rows(bot: BotHarness, seminar_id: int) -> dict[int, tuple[str, int | None]]:
    """user → (source, marked_by) of the seminar's attendance, as stored."""
    rows = await query(
        bot.db,
        "SELECT user_id, source, marked_by FROM seminar_attendance WHERE seminar_id = :seminar",
        {"seminar": seminar_id},
    )
    return {int(user): (str(source), marked_by) for user, source, marked_by in rows}


def holds_qr_of(png: bytes, text: str) -> bool:
    """Whether the PNG is, module for module, the QR code of `text` (error level M) drawn
    at QR_SCALE pixels a module inside a quiet zone of QR_BORDER modules."""
    matrix = segno.make(text, error="m", micro=False).matrix
    with Image.open(io.BytesIO(png)) as image:
        gray = image.convert("L")
        if gray.size[0] != (len(matrix) + 2 * QR_BORDER) * QR_SCALE:
            return False
        for row, modules in enumerate(matrix):
            for column, dark in enumerate(modules):
                x = (column + QR_BORDER) * QR_SCALE + QR_SCALE // 2
                y = (row + QR_BORDER) * QR_SCALE + QR_SCALE // 2
                pixel = gray.getpixel((x, y))
                assert isinstance(pixel, int)
                if (pixel < 128) != bool(dark):
                    return False
    return True


async def checkin_code(bot: BotHarness, seminar_id: int) -> SentMessage:
    """The superadmin taps the card's check-in button; returns the QR code's message."""
    assert await card_button(bot, SUPER, SeminarAction.CHECKIN, seminar_id) == ""
    photo = bot.fake.messages(SUPER.id)[-1]
    assert photo.media_kind == "photo"
    return photo


async def test_participants_check_in_with_the_code_or_its_link(
    bot: BotHarness, clock: FakeClock
) -> None:
    (first, second, third, late), [outsider] = await seed_admins_of_both(bot, kuznetsk=4, penza=1)
    seminar_id = await kuznetsk_seminar(bot, registered=[first])

    photo = await checkin_code(bot, seminar_id)
    async with bot.db.read() as repos:
        seminar = await repos.seminars.get(seminar_id)
    assert seminar is not None
    assert seminar.checkin_code is not None
    code = seminar.checkin_code
    assert len(code) == CHECKIN_CODE_LENGTH
    assert set(code) <= set(CHECKIN_ALPHABET)
    link = BOT_LINK + code
    caption = photo.caption or ""
    assert f"Код: {code}" in caption
    assert f"/attend {code}" in caption
    assert link in caption
    upload = photo.uploaded
    assert upload is not None
    assert_png(upload.data)
    assert holds_qr_of(upload.data, link)
    assert not holds_qr_of(upload.data, BOT_LINK + "ABCDEF")
    # Asked again, the code stays the one on the slides.
    again = await checkin_code(bot, seminar_id)
    assert f"Код: {code}" in (again.caption or "")

    # Too early: the code opens 30 minutes before the start.
    early = await bot.reply_text(first, f"/attend {code}")
    assert early == "Check-in has not opened yet: it opens 30 minutes before the start."
    assert await attendance_rows(bot, seminar_id) == {}

    clock.current = OPENS_AT
    typed = f"{code[:3].lower()} {code[3:].lower()}"  # any case, spaces allowed
    assert (await bot.reply_text(first, f"/attend {typed}")).startswith(
        "✅ You are checked in at Seminar"
    )
    assert await bot.reply_text(first, f"/attend {code}") == (
        "You are already checked in at Seminar."
    )
    # The QR code's link: /start with the payload checks in, instead of greeting.
    [by_link] = await bot.send(second, f"/start att_{code}")
    assert (by_link.text or "").startswith("✅ You are checked in at Seminar")

    # A bare /attend asks for the code; a wrong one is refused and the step waits.
    assert (await bot.reply_text(third, "/attend")).startswith("Send the check-in code")
    wrong = await bot.reply_text(third, "ZZZ999")
    assert wrong == (
        "No seminar has the check-in code «ZZZ999». Check the code shown at the seminar "
        "and send /attend with it."
    )
    assert (await bot.reply_text(third, code)).startswith("✅ You are checked in")

    # Someone outside the seminar's audience, neither invited nor registered.
    assert await bot.reply_text(outsider, f"/attend {code}") == (
        "This seminar is not for your pages: check-in is for the administrators it was "
        "announced to and those registered."
    )

    clock.current = CLOSES_AT
    assert (await bot.reply_text(late, f"/attend {code}")).startswith("✅")  # the last second
    clock.current = CLOSES_AT + 1
    expired = await bot.reply_text(outsider, f"/attend {code}")
    assert expired.startswith("Check-in has closed: it ends 60 minutes after the seminar.")

    assert await attendance_rows(bot, seminar_id) == {
        user.id: ("code", None) for user in (first, second, third, late)
    }


async def test_a_coordinator_marks_who_came_on_the_list(bot: BotHarness, clock: FakeClock) -> None:
    admins, _penza = await seed_admins_of_both(bot, kuznetsk=12, penza=0)
    seminar_id = await kuznetsk_seminar(bot, registered=admins)
    await bot.send(OTHER, "/start")  # known to the bot, registered for nothing

    # Nobody is marked as having come to a seminar still ahead.
    refused = await card_button(bot, SUPER, SeminarAction.ATTENDANCE, seminar_id)
    assert refused == "Посещаемость можно отмечать начиная за 30 минут до начала."

    clock.current = OPENS_AT
    assert await card_button(bot, SUPER, SeminarAction.ATTENDANCE, seminar_id) == ""
    listing = bot.fake.messages(SUPER.id)[-1]
    assert "Пришли: 0 из 12 записавшихся" in (listing.text or "")
    # By name, ten a screen: "Admin 10" sorts before "Admin 2".
    names = [text for text in listing.button_texts() if text.startswith("▫️")]
    assert names == [f"▫️ Admin {n}" for n in (0, 1, 10, 11, 2, 3, 4, 5, 6, 7)]

    await bot.click(SUPER, "▫️ Admin 3", listing)
    await bot.click(SUPER, "▫️ Admin 10", listing)
    await bot.click(SUPER, "✅ Admin 3", listing)  # taken back
    listing = bot.fake.messages(SUPER.id)[-1]
    assert "Пришли: 1 из 12 записавшихся" in (listing.text or "")
    assert "✅ Admin 10" in listing.button_texts()
    assert "▫️ Admin 3" in listing.button_texts()

    await bot.click(SUPER, NEXT, listing)
    listing = bot.fake.messages(SUPER.id)[-1]
    assert [t for t in listing.button_texts() if t.startswith("▫️")] == [
        "▫️ Admin 8",
        "▫️ Admin 9",
    ]
    await bot.click(SUPER, "▫️ Admin 9", listing)
    listing = bot.fake.messages(SUPER.id)[-1]
    assert "✅ Admin 9" in listing.button_texts()  # still on the second screen

    # Someone who came without registering, by @username; the unknown are refused.
    await bot.click(SUPER, "➕ Добавить пришедшего без записи", listing)
    unknown = await bot.reply_text(SUPER, "@nobody")
    assert "@nobody" in unknown
    assert "987654" in await bot.reply_text(SUPER, "987654")  # an id nobody has: refused
    [marked, listing] = await bot.send(SUPER, "@PETR")
    assert marked.text == "Пётр @petr (id 400): отмечен как пришедший."
    assert "Пришли: 2 из 12 записавшихся" in (listing.text or "")
    assert "Пришли без записи: 1" in (listing.text or "")
    await bot.click(SUPER, NEXT, listing)  # a fresh list starts at its first screen
    assert "✅ ➕ Пётр" in bot.fake.messages(SUPER.id)[-1].button_texts()  # Cyrillic sorts last

    by_super = ("coordinator", SUPER.id)
    assert await attendance_rows(bot, seminar_id) == {
        admins[10].id: by_super,
        admins[9].id: by_super,
        OTHER.id: by_super,
    }


async def test_forged_and_foreign_attendance_buttons_are_refused(
    bot: BotHarness, clock: FakeClock
) -> None:
    t = translator(bot, "ru")
    [inside], _penza = await seed_admins_of_both(bot, kuznetsk=1, penza=0)
    seminar_id = await kuznetsk_seminar(bot, registered=[inside])
    cancelled_id = await kuznetsk_seminar(
        bot, registered=[inside], cancelled_at=START, checkin_code="CNCK23"
    )
    clock.current = OPENS_AT
    await bot.send(ADMIN, "/start")
    await bot.send(OTHER, "/start")
    anna = bot.fake.add_user(FakeUser(id=450, first_name="Анна", username="anna"))
    await bot.send(anna, "/start")
    await bot.send(SUPER, "/grant @anna Пенза")
    toggle = AttendanceCb(seminar_id=seminar_id, user_id=inside.id, page=0).pack()

    # Someone who is not a coordinator: the card's coordinator buttons and the list's.
    not_allowed = t("Sorry, your role does not allow this.")
    for action in (SeminarAction.CHECKIN, SeminarAction.ATTENDANCE):
        assert await card_button(bot, ADMIN, action, seminar_id) == not_allowed
    latest = bot.fake.messages(ADMIN.id)[-1]
    assert await alert(bot, ADMIN, latest, toggle) == not_allowed
    # A coordinator of another territory does not oversee this seminar.
    no_seminar = t("There is no such seminar for you. See /seminars.")
    assert await card_button(bot, anna, SeminarAction.CHECKIN, seminar_id) == no_seminar
    latest = bot.fake.messages(anna.id)[-1]
    assert await alert(bot, anna, latest, toggle) == no_seminar

    # Forged values from a coordinator who does oversee it.
    latest = bot.fake.messages(SUPER.id)[-1]
    stranger = AttendanceCb(seminar_id=seminar_id, user_id=OTHER.id, page=0).pack()
    assert await alert(bot, SUPER, latest, stranger) == t(
        "This person is not on the seminar's list. Open the list again."
    )
    missing = AttendanceCb(seminar_id=999, user_id=inside.id, page=0).pack()
    assert await alert(bot, SUPER, latest, missing) == no_seminar
    stale = t("This button is no longer active. Start again from /start.")
    assert await alert(bot, SUPER, latest, "ak:x:1:0") == stale  # does not unpack
    far_page = AttendancePageCb(seminar_id=seminar_id, page=99).pack()
    assert await alert(bot, SUPER, latest, far_page) == ""  # clamped to the last screen
    assert await attendance_rows(bot, seminar_id) == {}

    # A cancelled seminar records nobody, either way.
    cancelled = t("This seminar was cancelled.")
    assert await card_button(bot, SUPER, SeminarAction.ATTENDANCE, cancelled_id) == cancelled
    assert await bot.reply_text(inside, "/attend CNCK23") == "This seminar was cancelled."
    assert await attendance_rows(bot, cancelled_id) == {}


async def test_a_walk_in_is_added_only_by_a_coordinator_who_oversees(bot: BotHarness) -> None:
    """The step that names a walk-in re-checks the role: a coordinator revoked meanwhile
    is refused at the answer too."""
    async with bot.db.write() as repos:
        await add_user(repos, OTHER)
    seminar_id = await kuznetsk_seminar(bot, registered=[])
    bot.clock.current = OPENS_AT
    coordinator = bot.fake.add_user(FakeUser(id=460, first_name="Вера", username="vera"))
    await bot.send(coordinator, "/start")
    await bot.send(SUPER, "/grant @vera")
    assert await card_button(bot, coordinator, SeminarAction.ATTENDANCE, seminar_id) == ""
    listing = bot.fake.messages(coordinator.id)[-1]
    assert "Пока никто не записался." in (listing.text or "")
    await bot.click(coordinator, "➕ Добавить пришедшего без записи", listing)
    await bot.send(SUPER, "/revoke @vera")
    refused = await bot.reply_text(coordinator, "@petr")
    assert refused == translator(bot, "ru")("Sorry, your role does not allow this.")
    assert await attendance_rows(bot, seminar_id) == {}
