"""Router-level filters: who a router's handlers are for."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from bot.domain.roles import Actor, Role


class HasRole(Filter):
    """The update's actor has at least `role`. The services check every privileged
    action again; this keeps the handlers of a role's router from seeing anyone else."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, _event: TelegramObject, actor: Actor | None = None) -> bool:
        return actor is not None and actor.role >= self.role
