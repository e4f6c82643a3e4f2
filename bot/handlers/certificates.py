"""Certificates: the CERTIFICATE button of a seminar's card and of the training record,
the full name asked once before the first one, the verification link
(/start cert_<id>) and its Revoke button for coordinators."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.certificates import (
    CERTIFICATE_PAYLOAD_PREFIX,
    certificate_id_of,
    certificate_payload,
)
from bot.domain.deeplinks import start_link
from bot.domain.roles import Actor
from bot.handlers.callbacks import (
    CertificateNameCb,
    CertificateRevokeCb,
    SeminarAction,
    SeminarCb,
)
from bot.handlers.common import reply_target, settle_card
from bot.handlers.forms import StoredForm
from bot.handlers.keyboards import Button, cancel_button, keyboard
from bot.handlers.states import CertificateName
from bot.services.certificate_pdf import certificate_pdf
from bot.services.certificates import CertificateService, Issued, TrainingRecord
from bot.services.errors import CertificateRevoked
from bot.texts.certificates import (
    RECORD_CERTIFICATES,
    certificate_caption,
    certificate_file_name,
    certificate_sheet,
    revoke_question,
    revoked_refusal,
    revoked_text,
    training_record_text,
    verification_text,
)

#: A seminar's title on a button of the training record is cut to this many characters.
_BUTTON_TITLE = 40


class NameForm(StoredForm):
    """The full name's step: the seminar whose certificate waits for it (None: the name
    is being changed from the training record)."""

    key = "certificate"
    seminar_id: int | None = None


def record_keyboard(record: TrainingRecord) -> InlineKeyboardMarkup:
    """Under the training record: a button per seminar attended that has ended (the
    latest RECORD_CERTIFICATES) to get its certificate (again), none for a revoked one,
    and one to change the name printed on new certificates."""
    buttons: list[Button] = []
    for seminar in record.certifiable[:RECORD_CERTIFICATES]:
        title = seminar.title
        if len(title) > _BUTTON_TITLE:
            title = title[: _BUTTON_TITLE - 1] + "…"
        buttons.append(
            (
                _("📄 {title}").format(title=title),
                SeminarCb(action=SeminarAction.CERTIFICATE, seminar_id=seminar.id),
            )
        )
    buttons.append((_("✏️ Name on certificates"), CertificateNameCb()))
    return keyboard(buttons, 1)


async def show_training_record(
    target: Message | InaccessibleMessage,
    actor: Actor,
    certificates: CertificateService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The person's training record with its buttons, for /mypages; nothing for someone
    who has attended no seminar."""
    record = await certificates.training_record(actor)
    if record.empty:
        return
    text = training_record_text(record, settings.tz, i18n.current_locale)
    await target.answer(text, reply_markup=record_keyboard(record))


async def send_certificate(
    target: Message | InaccessibleMessage, issued: Issued, bot: Bot, settings: Settings, i18n: I18n
) -> None:
    """The certificate's PDF (made in a worker thread), its id in the caption."""
    me = await bot.me()
    assert me.username is not None, "a bot always has a username"
    link = start_link(me.username, certificate_payload(issued.certificate.id))
    locale = i18n.current_locale
    issuer = settings.region_name_in(locale)
    pdf = await certificate_pdf(certificate_sheet(issued, link, issuer, settings.tz, locale))
    await target.answer_document(
        BufferedInputFile(pdf, certificate_file_name(issued)),
        caption=certificate_caption(issued),
    )


async def ask_name(
    target: Message | InaccessibleMessage, state: FSMContext, seminar_id: int | None
) -> None:
    """Ask the full name to print; the certificate of `seminar_id` (None: none) follows
    the answer."""
    await state.set_state(CertificateName.name)
    await NameForm(seminar_id=seminar_id).save(state)
    await target.answer(
        _(
            "Send your full name as it should be printed on certificates, e.g. "
            "<i>Ivanova Maria Petrovna</i>. Certificates already issued keep their name."
        ),
        reply_markup=keyboard([cancel_button()]),
    )


async def hand_certificate(
    event: CallbackQuery | Message,
    actor: Actor,
    state: FSMContext,
    certificates: CertificateService,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    callback_data: SeminarCb | None = None,
) -> None:
    """🎓 Certificate (a seminar's button), and the full name's answer: the PDF once the
    name to print is known, which is asked the first time. A name that cannot be printed
    is refused and the question stays; a name given from the training record is only
    kept. Refuses what `CertificateService.issue` refuses; a revoked certificate is
    answered with the day it was revoked, and no PDF."""
    if isinstance(event, Message):
        seminar_id = (await NameForm.load(state)).seminar_id
        name = await certificates.set_name(actor, event.text or "")
        await state.clear()
        await event.answer(
            _("Saved. New certificates will carry the name <b>{name}</b>.").format(
                name=escape(name)
            )
        )
    else:
        assert callback_data is not None, "registered with SeminarCb.filter()"
        seminar_id = callback_data.seminar_id
    if seminar_id is None:
        return
    target = reply_target(event)
    try:
        issued = await certificates.issue(actor, seminar_id)
    except CertificateRevoked as revoked:
        text = revoked_refusal(
            revoked.certificate_id, revoked.revoked_at, settings.tz, i18n.current_locale
        )
        await target.answer(text)
        return
    if issued is None:
        await ask_name(target, state, seminar_id)
        return
    await send_certificate(target, issued, bot, settings, i18n)


async def change_name(callback: CallbackQuery, state: FSMContext) -> None:
    """✏️ Name on certificates (the training record): ask the name anew."""
    await ask_name(reply_target(callback), state, None)


async def verify_certificate(
    message: Message,
    command: CommandObject,
    actor: Actor,
    certificates: CertificateService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """/start cert_<id>: whether the certificate is genuine, unknown or revoked; a
    coordinator who oversees its seminar gets a Revoke button."""
    payload = (command.args or "").strip()
    code = certificate_id_of(payload)
    verification = await certificates.verify(actor, code)
    text = verification_text(verification, code, settings.tz, i18n.current_locale)
    markup = None
    if verification.can_revoke and verification.certificate is not None:
        revoke = CertificateRevokeCb(certificate_id=verification.certificate.id)
        markup = keyboard([(_("⛔ Revoke"), revoke)])
    await message.answer(text, reply_markup=markup)


async def revoke(
    callback: CallbackQuery,
    callback_data: CertificateRevokeCb,
    actor: Actor,
    certificates: CertificateService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """⛔ Revoke: what would be revoked and a button to confirm (or that it is revoked
    already); confirmed, it is revoked. Refuses what `CertificateService.revocable`
    refuses, at either step."""
    locale = i18n.current_locale
    if callback_data.confirmed:
        issued = await certificates.revoke(actor, callback_data.certificate_id)
        await settle_card(callback, revoked_text(issued, settings.tz, locale))
        return
    issued = await certificates.revocable(actor, callback_data.certificate_id)
    if issued.certificate.revoked_at is not None:
        await reply_target(callback).answer(revoked_text(issued, settings.tz, locale))
        return
    confirm = CertificateRevokeCb(certificate_id=issued.certificate.id, confirmed=True)
    await reply_target(callback).answer(
        revoke_question(issued),
        reply_markup=keyboard([(_("⛔ Yes, revoke"), confirm), cancel_button()]),
    )


def build_start_router() -> Router:
    """The verification link: included before common's /start, which takes any other."""
    router = Router(name=f"{__name__}.start")
    router.message.register(
        verify_certificate,
        CommandStart(deep_link=True, magic=F.args.startswith(CERTIFICATE_PAYLOAD_PREFIX)),
    )
    return router


def build_router() -> Router:
    """Getting certificates and giving the name printed on them."""
    router = Router(name=__name__)
    router.callback_query.register(
        hand_certificate, SeminarCb.filter(F.action == SeminarAction.CERTIFICATE)
    )
    router.callback_query.register(change_name, CertificateNameCb.filter())
    router.message.register(hand_certificate, CertificateName.name, ~F.text.startswith("/"))
    return router


def build_coordinator_router() -> Router:
    """Revoking: for coordinators (the service checks they oversee the seminar)."""
    router = Router(name=f"{__name__}.revoke")
    router.callback_query.register(revoke, CertificateRevokeCb.filter())
    return router
