"""aiogram routers, one module per feature, each built fresh by its `build_router()`."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from bot.domain.roles import Role
from bot.handlers import (
    attendance,
    audit,
    broadcast,
    broadcast_progress,
    broadcast_training,
    certificates,
    charts,
    checkin,
    collect,
    common,
    digest,
    errors,
    export,
    fallback,
    groups,
    moderation,
    pages,
    refusals,
    register,
    registry_import,
    report,
    roles,
    seminar_calendar,
    seminar_feedback,
    seminar_manage,
    seminar_wizard,
    seminars,
    total,
    training,
)
from bot.handlers.filters import HasRole


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
    private.include_routers(
        checkin.build_router(),  # before common: /start att_CODE is a check-in
        certificates.build_start_router(),  # /start cert_<id>, before common's /start
        common.build_router(),
        register.build_router(),
        pages.build_router(),
        report.build_router(),
        total.build_router(),
        charts.build_router(),
        seminars.build_router(),
        certificates.build_router(),
        seminar_feedback.build_router(),
        seminar_calendar.build_router(),
        digest.build_router(),
        _for_role(
            Role.COORDINATOR,
            moderation.build_router(),
            broadcast_training.build_router(),  # before the wizard's own screens
            broadcast.build_router(),
            broadcast_progress.build_router(),
            seminar_wizard.build_router(),
            seminar_feedback.build_coordinator_router(),
            seminar_manage.build_router(),
            export.build_router(),
            audit.build_router(),
            attendance.build_router(),
            certificates.build_coordinator_router(),
            training.build_router(),
            collect.build_router(),
        ),
        _for_role(Role.SUPERADMIN, roles.build_router(), registry_import.build_router()),
        refusals.build_router(),  # what the two above turned away
        fallback.build_router(),
    )
    return [errors.build_router(), groups.build_router(), private]


def _for_role(role: Role, *routers: Router) -> Router:
    """A router whose handlers see only actors with `role` (or a higher one)."""
    parent = Router(name=f"role-{role.name.lower()}")
    parent.message.filter(HasRole(role))
    parent.callback_query.filter(HasRole(role))
    parent.include_routers(*routers)
    return parent
