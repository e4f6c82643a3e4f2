"""Certificates through the bot: the PDF for those who came to a seminar that has ended,
the name asked once, the training record in /mypages, verification by the link printed
on the certificate, and revocation by a coordinator who oversees the seminar."""

from __future__ import annotations

import re

from bot.handlers.callbacks import CertificateRevokeCb, SeminarAction, SeminarCb
from tests.builders import (
    KUZNETSK,
    PENZA,
    add_user,
    execute,
    make_coordinator,
    mark_attended,
    query,
)
from tests.clock import START
from tests.fakes.bot_api import FakeUser, SentMessage
from tests.flows import alert, translator
from tests.handlers.test_export import add_seminar, contents, documents
from tests.harness import BotHarness
from tests.pdfs import font_names, pdf_text
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

DAY = 86_400
NAME = "Иванова Мария Петровна"
TITLE = "SMM для госпабликов"
LINK = re.compile(r"https://t\.me/gospublic_test_bot\?start=cert_([2-9A-Z]{10})")


async def held_seminar(
    bot: BotHarness,
    *attendees: FakeUser,
    title: str = TITLE,
    starts_at: int = START - 2 * DAY,
    territories: tuple[int, ...] = (),
) -> int:
    """A seminar of an hour (2 academic hours) at `starts_at`, `attendees` marked as
    having come to it; returns its id."""
    async with bot.db.write() as repos:
        for user in (*attendees, SUPER):
            await add_user(repos, user)
        seminar = await add_seminar(repos, title, starts_at=starts_at, territories=territories)
    await execute(bot.db, "UPDATE seminars SET academic_hours = 2 WHERE id = :id", {"id": seminar})
    for user in attendees:
        await mark_attended(bot.db, seminar, user.id, now=starts_at)
    return seminar


def certificate_button(seminar: int) -> str:
    return SeminarCb(action=SeminarAction.CERTIFICATE, seminar_id=seminar).pack()


async def tap_certificate(bot: BotHarness, user: FakeUser, seminar: int) -> list[SentMessage]:
    """The user taps 🎓 Certificate of `seminar` (as on its card); returns the answers."""
    before = len(bot.fake.sent)
    await bot.press(user, bot.fake.last_message(user.id), certificate_button(seminar))
    return [m for m in bot.fake.sent[before:] if m.chat_id == user.id]


async def certificate_of(bot: BotHarness, user: FakeUser, seminar: int, name: str = NAME) -> str:
    """The user gets the certificate of `seminar`, giving `name` if asked; returns its id."""
    await bot.send(user, "/start")
    answers = await tap_certificate(bot, user, seminar)
    if not any(m.method == "sendDocument" for m in answers):
        answers = await bot.send(user, name)
    [document] = [m for m in answers if m.method == "sendDocument"]
    found = re.search(r"№ ([2-9A-Z]{10})", document.content)
    assert found is not None, document.content
    return found[1]


async def test_an_attendee_gives_their_name_once_and_gets_a_pdf_that_prints_it(
    bot: BotHarness,
) -> None:
    seminar = await held_seminar(bot, ADMIN)
    t = translator(bot, "ru")

    # /mypages: the training record, with a button for the certificate.
    await bot.send(ADMIN, "/mypages")
    record = bot.with_button(ADMIN, f"📄 {TITLE}")
    assert "Посещено семинаров: 1" in (record.text or "")
    assert "Академических часов: 2" in (record.text or "")
    [question] = await bot.click(ADMIN, f"📄 {TITLE}", record)
    assert "ФИО" in (question.text or "")
    assert documents(bot, ADMIN) == []

    # Refused names keep the question open.
    for typed, refusal in [
        ("12345", "В ФИО должны быть буквы"),
        ("Я" * 121, "не длиннее 120 символов"),
    ]:
        assert refusal in await bot.reply_text(ADMIN, typed)
    answers = await bot.send(ADMIN, "  Иванова  Мария\nПетровна ")
    assert f"<b>{NAME}</b>" in (answers[0].raw_text or "")
    [document] = [m for m in answers if m.method == "sendDocument"]

    [(code, name, hours)] = await query(
        bot.db, "SELECT id, full_name, academic_hours FROM certificates"
    )
    assert (name, hours) == (NAME, 2)
    assert f"№ {code}" in document.content  # the message shows the id
    assert TITLE in document.content
    pdf = contents(document)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert NAME in text
    assert TITLE in text
    assert "2 академических часа" in text
    assert "19 сентября 2026" in text  # the seminar's day, regional time
    [printed] = LINK.findall(text)
    assert printed == code
    assert {"DejaVuSansBook", "DejaVuSansBold"} <= font_names(pdf)

    # Again: the same certificate, no question.
    answers = await tap_certificate(bot, ADMIN, seminar)
    [again] = [m for m in answers if m.method == "sendDocument"]
    assert f"№ {code}" in again.content
    assert [m for m in answers if m.method == "sendMessage"] == []
    assert await query(bot.db, "SELECT count(*) FROM certificates") == [(1,)]

    # A new name from the record: the certificate issued keeps the name printed on it.
    await bot.send(ADMIN, "/mypages")
    await bot.click(ADMIN, t("✏️ Name on certificates"))
    await bot.send(ADMIN, "Петрова Мария Петровна")
    answers = await tap_certificate(bot, ADMIN, seminar)
    [kept] = [m for m in answers if m.method == "sendDocument"]
    assert NAME in pdf_text(contents(kept))
    assert await query(bot.db, "SELECT certificate_name FROM users WHERE id = 200") == [
        ("Петрова Мария Петровна",)
    ]
    await bot.send(ADMIN, "/mypages")
    record_text = bot.with_button(ADMIN, f"📄 {TITLE}").text or ""
    assert f"№ {code}: «{TITLE}»" in record_text
    assert "ФИО в сертификатах: Петрова Мария Петровна" in record_text


async def test_an_english_speaker_gets_an_english_certificate(bot: BotHarness) -> None:
    seminar = await held_seminar(bot, ADMIN_EN, title="Стратегия контента")
    code = await certificate_of(bot, ADMIN_EN, seminar, name="John Smith")
    [document] = documents(bot, ADMIN_EN)
    text = pdf_text(contents(document))
    assert "CERTIFICATE" in text
    assert "John Smith" in text
    assert "Стратегия контента" in text
    assert "2 academic hours" in text
    assert "19 September 2026" in text
    assert f"Certificate № {code}" in text


async def test_a_certificate_is_only_for_attendees_of_a_seminar_that_has_ended(
    bot: BotHarness,
) -> None:
    seminar = await held_seminar(bot, ADMIN)
    upcoming = await held_seminar(bot, ADMIN, title="Завтра", starts_at=START + DAY)
    cancelled = await held_seminar(bot, ADMIN, title="Отменён")
    await execute(
        bot.db,
        "UPDATE seminars SET cancelled_at = :now WHERE id = :id",
        {"now": START, "id": cancelled},
    )
    for user in (ADMIN, OTHER):
        await bot.send(user, "/start")

    under = bot.fake.last_message(OTHER.id)
    assert "отмечен как присутствовавший" in await alert(
        bot, OTHER, under, certificate_button(seminar)
    )
    under = bot.fake.last_message(ADMIN.id)
    assert "после окончания семинара" in await alert(
        bot, ADMIN, under, certificate_button(upcoming)
    )
    assert "отменён" in await alert(bot, ADMIN, under, certificate_button(cancelled))
    assert "Такого семинара для вас нет" in await alert(bot, ADMIN, under, certificate_button(9999))
    # Forged data that does not unpack meets the stale-button answer.
    assert "больше не действует" in await alert(bot, ADMIN, under, "sm:crt:abc")
    assert documents(bot, ADMIN) == documents(bot, OTHER) == []
    # The record counts the seminars attended that were not cancelled, and offers the
    # certificate of those that have ended.
    await bot.send(ADMIN, "/mypages")
    record = bot.with_button(ADMIN, "✏️ ФИО в сертификатах")
    assert "Посещено семинаров: 2" in (record.text or "")
    assert "Академических часов: 4" in (record.text or "")
    assert record.button_texts() == [f"📄 {TITLE}", "✏️ ФИО в сертификатах"]
    await bot.send(OTHER, "/mypages")
    assert bot.last_text(OTHER).startswith("У вас пока нет страниц")  # no record to show
    assert await query(bot.db, "SELECT count(*) FROM certificates") == [(0,)]
    assert await query(bot.db, "SELECT count(*) FROM users WHERE certificate_name IS NOT NULL") == [
        (0,)
    ]


async def test_the_link_says_whether_a_certificate_is_genuine_unknown_or_revoked(
    bot: BotHarness,
) -> None:
    seminar = await held_seminar(bot, ADMIN, territories=(KUZNETSK,))
    code = await certificate_of(bot, ADMIN, seminar)

    genuine = await bot.send(OTHER, f"/start cert_{code}")
    [answer] = genuine
    assert f"✅ Сертификат № {code} подлинный." in (answer.text or "")
    for shown in (NAME, TITLE, "19 сентября 2026", "2 академических часа"):
        assert shown in (answer.text or "")
    assert answer.buttons == []  # not a coordinator: nothing to revoke
    assert (await bot.reply_text(OTHER, f"/start cert_{code.lower()}")).startswith("✅")
    assert "Сертификата № ZZZZZZZZZZ нет" in await bot.reply_text(OTHER, "/start cert_ZZZZZZZZZZ")
    assert "нет номера сертификата" in await bot.reply_text(OTHER, "/start cert_bad")

    # A coordinator of another territory sees no button, and a forged one is refused.
    await make_coordinator(bot, ADMIN_EN, PENZA)
    [elsewhere] = await bot.send(ADMIN_EN, f"/start cert_{code}")
    assert elsewhere.buttons == []
    forged = CertificateRevokeCb(certificate_id=code, confirmed=True).pack()
    assert "does not allow" in await alert(bot, ADMIN_EN, elsewhere, forged)
    # Not a coordinator at all: refused before any handler.
    assert "не позволяет" in await alert(bot, OTHER, genuine[0], forged)
    assert await query(bot.db, "SELECT revoked_at FROM certificates") == [(None,)]

    # The superadmin oversees every seminar: Revoke, confirm.
    t = translator(bot, "ru")
    await bot.send(SUPER, f"/start cert_{code}")
    [question] = await bot.click(SUPER, t("⛔ Revoke"))
    assert NAME in (question.text or "")
    bot.clock.advance(DAY)
    [done] = await bot.click(SUPER, t("⛔ Yes, revoke"))
    assert f"Сертификат № {code} отозван" in (done.text or "")
    assert await query(bot.db, "SELECT revoked_at, revoked_by FROM certificates") == [
        (START + DAY, SUPER.id)
    ]
    # Once: a second tap revokes nothing more, and the log has one entry.
    await bot.press(SUPER, question, forged)
    [(action, subject, details)] = await query(
        bot.db, "SELECT action, subject_id, details FROM audit_log WHERE action LIKE 'cert%'"
    )
    assert (action, subject) == ("certificate_revoked", seminar)
    assert code in str(details)
    audit = await bot.reply_text(SUPER, "/audit")
    assert "Сертификат отозван" in audit
    assert f"Сертификат: {code}" in audit
    assert "Владелец: Иван @ivan" in audit

    revoked = await bot.reply_text(OTHER, f"/start cert_{code}")
    assert revoked.startswith(f"⛔ Сертификат № {code} отозван 22 сентября 2026.")
    assert NAME in revoked
    # Its holder's record says so too, with no button to get it again.
    await bot.send(ADMIN, "/mypages")
    record = bot.with_button(ADMIN, "✏️ ФИО в сертификатах")
    assert f"«{TITLE}», 19 сентября 2026 (отозван)" in (record.text or "")
    assert f"📄 {TITLE}" not in record.button_texts()
    # A revoked certificate is not sent again as if valid (also from the card's button).
    [refused] = await tap_certificate(bot, ADMIN, seminar)
    assert refused.method == "sendMessage"
    assert f"Ваш сертификат № {code} отозван 22 сентября 2026" in (refused.text or "")


async def test_a_forged_revocation_of_an_unknown_id_is_refused(bot: BotHarness) -> None:
    await held_seminar(bot, ADMIN)
    [greeting] = await bot.send(SUPER, "/start")
    for code in ("ZZZZZZZZZZ", "'; DROP TABLE", ""):
        forged = CertificateRevokeCb(certificate_id=code).pack()
        assert "нет" in (await alert(bot, SUPER, greeting, forged)).lower()
    assert await query(bot.db, "SELECT count(*) FROM audit_log WHERE action LIKE 'cert%'") == [(0,)]


async def test_a_coordinator_of_one_territory_revokes_no_certificate_of_a_region_wide_seminar(
    bot: BotHarness,
) -> None:
    seminar = await held_seminar(bot, ADMIN)  # for the whole region
    code = await certificate_of(bot, ADMIN, seminar)
    await make_coordinator(bot, ADMIN_EN, PENZA)
    [answer] = await bot.send(ADMIN_EN, f"/start cert_{code}")
    assert answer.buttons == []
    forged = CertificateRevokeCb(certificate_id=code, confirmed=True).pack()
    assert "does not allow" in await alert(bot, ADMIN_EN, answer, forged)
    assert await query(bot.db, "SELECT revoked_at FROM certificates") == [(None,)]
