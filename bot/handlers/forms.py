"""What the wizards share: their answers kept in the FSM data, typed texts within a limit."""

from __future__ import annotations

from typing import Any, ClassVar, Self, TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.types import InlineKeyboardMarkup, Message
from pydantic import BaseModel

from bot.domain.limits import TextLimit

Record = TypeVar("Record")


class StoredForm(BaseModel):
    """A wizard's answers so far, kept in the FSM data between its steps (stored in SQLite
    with the state, so a restart keeps them). Its fields are the data's keys, or those of
    the data's entry `key` when the class names one."""

    key: ClassVar[str | None] = None

    @classmethod
    async def load(cls, state: FSMContext) -> Self:
        """The form kept in `state`; raises pydantic's ValidationError if a required field
        is missing (no such wizard under way, or its data was lost)."""
        data = await state.get_data()
        return cls.model_validate(data.get(cls.key, {}) if cls.key else data)

    async def save(self, state: FSMContext) -> None:
        """Keep this form as the whole FSM data of `state`."""
        dumped = self.model_dump(mode="json")
        await state.set_data({self.key: dumped} if self.key else dumped)

    @classmethod
    async def update(cls, state: FSMContext, **answers: Any) -> Self:
        """Record the answers of a step (field=value) in the form kept in `state`; returns
        the new form."""
        form = (await cls.load(state)).model_copy(update=answers)
        await form.save(state)
        return form

    def as_record(
        self,
        record: type[Record],
        optional: frozenset[str] = frozenset(),
        exclude: frozenset[str] = frozenset(),
    ) -> Record | None:
        """`record` built from every field of the form but those in `exclude` (as the
        form holds them, not serialised), or None while a field not named in `optional`
        is still unanswered (None)."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        fields = {name: value for name, value in fields.items() if name not in exclude}
        if any(value is None for name, value in fields.items() if name not in optional):
            return None
        return record(**fields)


def typed_line(message: Message) -> str:
    """The message's text on one line: runs of spaces and line breaks fold to one space."""
    return " ".join((message.text or "").split())


async def fits(
    message: Message,
    text: str,
    limit: TextLimit,
    refusal: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Whether `text` (typed in `message`) is within `limit`; if not, the user is answered
    `refusal`, its `{limit}` filled with the limit's length, under `reply_markup`."""
    if limit.admits(text):
        return True
    await message.answer(refusal.format(limit=limit.max_length), reply_markup=reply_markup)
    return False
