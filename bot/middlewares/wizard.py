"""A wizard step whose subject is gone or decided ends, instead of trapping the user."""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import TelegramObject

from bot.middlewares.base import Handler
from bot.services.errors import DomainError


def is_wizard_step(handler: HandlerObject | None) -> bool:
    """Whether the handler was registered for FSM states: a step of a wizard."""
    if handler is None:
        return False
    return any(
        isinstance(item.callback, State | StatesGroup | StateFilter)
        for item in handler.filters or ()
    )


class EndStepOnRefusal(BaseMiddleware):
    """Clears the FSM state when a wizard step's handler raises a `DomainError` whose
    `ends_step` is set (the page was decided, deleted, left or rejected meanwhile), then
    lets the error go on to the error router, which answers it.

    An inner middleware, because only here is the handler that raised known: aiogram's
    error event carries the update and the state, not the handler, so the error router
    could not tell a step's refusal from that of a command sent in the middle of another
    wizard (`/report 999 5` during /register must not end the registration).
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except DomainError as error:
            state: FSMContext | None = data.get("state")
            if (
                error.ends_step
                and state is not None
                and data.get("raw_state") is not None
                and is_wizard_step(data.get("handler"))
            ):
                await state.clear()
            raise
