"""aiogram routers, one module per feature, each built fresh by its `build_router()`."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.handlers import (
    broadcast,
    charts,
    common,
    digest,
    errors,
    fallback,
    groups,
    moderation,
    pages,
    register,
    report,
    roles,
    seminar_wizard,
    seminars,
    total,
)


def get_routers() -> list[Router]:
    """Every router: errors, groups, then the private chat's features under one filter.

    Group chats are taken by `groups` whatever they contain; everything else is for
    private chats only, so no page card, invite or wizard step can reach a group. The
    catch-all fallback comes last among the private routers because it matches anything.
    """
    private = Router(name="private")
    private.message.filter(F.chat.type == ChatType.PRIVATE)
    private.edited_message.filter(F.chat.type == ChatType.PRIVATE)
    private.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    private.include_routers(*_private_routers())
    return [errors.build_router(), groups.build_router(), private]


def _private_routers() -> list[Router]:
    return [
        common.build_router(),
        register.build_router(),
        pages.build_router(),
        report.build_router(),
        total.build_router(),
        charts.build_router(),
        moderation.build_router(),
        roles.build_router(),
        broadcast.build_router(),
        seminars.build_router(),
        seminar_wizard.build_router(),
        digest.build_router(),
        fallback.build_router(),
    ]
