"""Self check-in at a seminar: `/attend CODE`, `/attend` then the code, or the QR code's
link (`/start att_CODE`). Included before the common router, whose /start would take the
link's payload for an invite or a campaign label."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.attendance import CHECKIN_PAYLOAD_PREFIX
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.forms import typed_line
from bot.handlers.states import CheckingIn
from bot.services.attendance import AttendanceService
from bot.texts.attendance import ask_code, checked_in


async def attend(
    message: Message,
    actor: Actor,
    attendance: AttendanceService,
    settings: Settings,
    i18n: I18n,
    state: FSMContext,
    command: CommandObject | None = None,
) -> None:
    """Check in with the code of `/attend CODE`, of the link's `/start att_CODE`, or
    (no `command`) the message answering a bare /attend, which asks for it. The error
    router answers a refusal (wrong code, outside the window, not in the audience,
    cancelled); a wrong code leaves the step waiting for another (or /cancel)."""
    if command is None:
        code = typed_line(message)
    elif command.command == "start":
        code = (command.args or "").removeprefix(CHECKIN_PAYLOAD_PREFIX)
    elif command.args and command.args.strip():
        code = command.args
    else:
        await state.set_state(CheckingIn.code)
        await message.answer(ask_code(), reply_markup=keyboards.cancel())
        return
    done = await attendance.check_in(actor, code)
    if command is None:
        await state.clear()  # only the step's own state: /attend CODE leaves a wizard be
    await message.answer(checked_in(done, settings.tz, i18n.current_locale))


def build_router() -> Router:
    """Self check-in for everyone: the QR's link (/start att_<code>), /attend <code>, and
    the code typed at the step /attend alone asks for."""
    router = Router(name=__name__)
    router.message.register(
        attend, CommandStart(deep_link=True, magic=F.args.startswith(CHECKIN_PAYLOAD_PREFIX))
    )
    router.message.register(attend, Command("attend"))
    # Commands pass by: /cancel and the others still work in this step.
    router.message.register(attend, CheckingIn.code, F.text, ~F.text.startswith("/"))
    return router
