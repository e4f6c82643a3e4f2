"""/digest: this week's digest now, and for coordinators the chart that follows it."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
)

from bot.domain.roles import Actor
from bot.handlers.callbacks import MenuItem
from bot.handlers.common import on_command, reply_target
from bot.services.digests import DigestService


async def send_digest(
    target: Message | InaccessibleMessage, actor: Actor, digests: DigestService
) -> None:
    """This week's digest now, and for coordinators the chart that follows it."""
    for part in await digests.compose(actor.user_id):
        await target.answer(part)
    photo = await digests.compose_chart(actor.user_id)
    if photo is not None:
        markup = photo.reply_markup
        await target.answer_photo(
            BufferedInputFile(photo.png, "chart.png"),
            caption=photo.caption,
            reply_markup=InlineKeyboardMarkup.model_validate(markup) if markup else None,
        )


async def digest(event: Message | CallbackQuery, actor: Actor, digests: DigestService) -> None:
    await send_digest(reply_target(event), actor, digests)


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, digest, "digest", MenuItem.DIGEST)
    return router
