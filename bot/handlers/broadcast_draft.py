"""The /broadcast wizard's draft: what it has gathered, kept in the FSM data between steps."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, PlainSerializer, PlainValidator

from bot.domain.segments import Segment
from bot.handlers.forms import StoredForm


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


class SegmentForm(StoredForm):
    """A wizard's form that narrows a segment on the /broadcast screens of choices
    (`bot.handlers.broadcast_keyboards`): the segment so far, and the screen of choices
    shown (`choices_page`), so that a tap redraws the same screen."""

    segment: StoredSegment = Segment()
    choices_page: int = 0


class BroadcastDraft(SegmentForm):
    """What the wizard has gathered so far; kept in the FSM data between steps.

    An album's items arrive as separate messages sharing `album_group`; `album` holds their
    ids in order (the first is `source_message_id`) and `album_kinds` what each carries.
    `refused_groups`: albums refused in this draft, whose late items are ignored.
    `seminar_title`: the title of the seminar the segment narrows to, for its summary.
    """

    source_chat_id: int | None = None
    source_message_id: int | None = None
    album: list[int] = Field(default_factory=list)
    album_kinds: list[str] = Field(default_factory=list)
    album_group: str | None = None
    summary_message_id: int | None = None
    refused_groups: list[str] = Field(default_factory=list)
    seminar_title: str | None = None

    def source(self) -> tuple[int, int]:
        """The chat and the message to copy (an album's first item); raises LookupError
        for a draft that has no message yet."""
        if self.source_chat_id is None or self.source_message_id is None:
            raise LookupError("a broadcast draft without its message")
        return self.source_chat_id, self.source_message_id
