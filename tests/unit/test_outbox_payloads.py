"""The shape of what the delivery queue stores for each kind of message."""

from __future__ import annotations

import pytest

from bot.storage.outbox import (
    album_payload,
    text_payload,
)


def test_text_payload_shape() -> None:
    assert text_payload("hi") == {"text": "hi"}
    assert text_payload("hi", {"inline_keyboard": []}) == {
        "text": "hi",
        "reply_markup": {"inline_keyboard": []},
    }


def test_album_payload_shape() -> None:
    assert album_payload(7, [3, 4, 9]) == {"from_chat_id": 7, "message_ids": [3, 4, 9]}
    for wrong in ([], [4, 3], [3, 3], list(range(1, 102))):
        with pytest.raises(ValueError, match="strictly increasing"):
            album_payload(7, wrong)
