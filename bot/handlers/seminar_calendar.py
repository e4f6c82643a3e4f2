"""A seminar card's "Add to calendar": the seminar as an .ics file, for anyone the
seminar is for (checked by the service, whatever the button says)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers.callbacks import SeminarAction, SeminarCb
from bot.handlers.common import reply_target
from bot.services.clock import Clock
from bot.services.seminars import SeminarService
from bot.texts.calendar import calendar_caption, calendar_file_name, seminar_calendar


async def send_calendar(
    callback: CallbackQuery,
    callback_data: SeminarCb,
    actor: Actor,
    seminars: SeminarService,
    settings: Settings,
    clock: Clock,
    bot: Bot,
) -> None:
    """The seminar's calendar file, with the caption that says how to use it; refused
    (SeminarNotFound) for a seminar not meant for the user."""
    seminar = (await seminars.view(actor, callback_data.seminar_id)).seminar
    data = seminar_calendar(seminar, settings.tz, bot_id=bot.id, now=clock.now())
    await bot.send_document(
        chat_id=reply_target(callback).chat.id,
        document=BufferedInputFile(data, calendar_file_name(seminar)),
        caption=calendar_caption(seminar),
    )


def build_router() -> Router:
    """Everyone's 📅 Add to calendar (the service checks the seminar is for them)."""
    router = Router(name=__name__)
    router.callback_query.register(
        send_calendar, SeminarCb.filter(F.action == SeminarAction.CALENDAR)
    )
    return router
