"""The /broadcast wizard's draft: what it has gathered, kept in the FSM data between steps."""

from __future__ import annotations

from typing import Annotated

from aiogram.fsm.context import FSMContext
from pydantic import BaseModel, PlainSerializer, PlainValidator

from bot.domain.segments import Segment


def _segment(value: object) -> Segment:
    if isinstance(value, Segment):
        return value
    if isinstance(value, str):
        return Segment.from_json(value)
    raise ValueError("a segment is kept as its JSON")


# Kept in the FSM data as `Segment.to_json()` writes it.
StoredSegment = Annotated[
    Segment, PlainValidator(_segment), PlainSerializer(Segment.to_json, return_type=str)
]


class BroadcastDraft(BaseModel):
    """What the wizard has gathered so far; kept in the FSM data between steps.

    An album's items arrive as separate messages sharing `album_group`; `album` holds their
    ids in order (the first is `source_message_id`) and `album_kinds` what each carries.
    `refused_groups`: albums refused in this draft, whose late items are ignored.
    `choices_page`: the screen of choices shown, so that a tap redraws the same screen.
    """

    source_chat_id: int | None = None
    source_message_id: int | None = None
    segment: StoredSegment = Segment()
    album: list[int] = []
    album_kinds: list[str] = []
    album_group: str | None = None
    summary_message_id: int | None = None
    refused_groups: list[str] = []
    choices_page: int = 0


async def load_draft(state: FSMContext) -> BroadcastDraft:
    """The draft of the wizard's FSM data (its keys are the draft's fields)."""
    return BroadcastDraft.model_validate(await state.get_data())


async def save_draft(state: FSMContext, draft: BroadcastDraft) -> None:
    """Keep `draft` as the wizard's FSM data."""
    await state.set_data(draft.model_dump(mode="json"))
