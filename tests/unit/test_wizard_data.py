"""Wizard data kept in the FSM storage: typed models that read the keys stored today."""

from __future__ import annotations

from bot.domain.catalog import Level
from bot.domain.segments import Segment
from bot.handlers.broadcast_draft import BroadcastDraft
from bot.handlers.moderation import Rejection
from bot.handlers.report import ReportDraft

SEGMENT = '{"territories":[4],"levels":["municipal"],"themes":[],"platforms":[],"silent_days":7}'


def test_a_broadcast_draft_stored_as_loose_keys_loads() -> None:
    stored = {
        "source_chat_id": 100,
        "source_message_id": 7,
        "segment": SEGMENT,
        "album_group": "g1",
        "album": [7, 8],
        "album_kinds": ["photo", "video"],
        "summary_message_id": 9,
        "choices_page": 1,
    }
    draft = BroadcastDraft.model_validate(stored)
    assert draft.segment == Segment(
        territories=frozenset({4}), levels=frozenset({Level.MUNICIPAL}), silent_days=7
    )
    assert draft.album == [7, 8]
    assert draft.refused_groups == []
    dumped = draft.model_dump(mode="json")
    assert {key: dumped[key] for key in stored} == stored


def test_an_empty_broadcast_draft_reaches_everybody() -> None:
    draft = BroadcastDraft.model_validate({})
    assert draft.segment.is_everyone
    assert draft.model_dump(mode="json")["segment"] == Segment().to_json()


def test_the_small_flows_read_their_keys() -> None:
    assert Rejection.model_validate({"page_id": 5}).page_id == 5
    report = ReportDraft.model_validate(
        {"page_id": 5, "figure": 1200, "chat_id": 100, "message_id": 42}
    )
    assert (report.page_id, report.figure, report.chat_id, report.message_id) == (5, 1200, 100, 42)
    assert ReportDraft.model_validate({"page_id": 5}).figure is None
