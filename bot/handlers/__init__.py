"""aiogram routers, one module per feature, each built fresh by its `build_router()`."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    broadcast,
    charts,
    common,
    digest,
    errors,
    fallback,
    moderation,
    pages,
    register,
    report,
    roles,
    seminars,
    total,
)


def get_routers() -> list[Router]:
    """Every router; the catch-all fallback comes last because it matches anything."""
    return [
        errors.build_router(),
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
        digest.build_router(),
        fallback.build_router(),
    ]
