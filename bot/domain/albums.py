"""Albums: several photos, videos, documents or audio files sent together.

Telegram delivers each item of an album as a message of its own, all sharing one
`media_group_id`. A broadcast copies an album with copyMessages, which keeps it an album;
what Telegram can group is what `sendMediaGroup` accepts: 2-10 items, photos and videos
mixed freely, documents only with documents, audio files only with audio files.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

#: Most items one album holds (sendMediaGroup's limit; clients split more into albums).
MAX_ALBUM_ITEMS = 10

#: The kinds of message (aiogram's `Message.content_type`) an album may hold.
VISUAL = frozenset({"photo", "video"})
GROUPABLE = VISUAL | {"document", "audio"}


class AlbumProblem(StrEnum):
    """Why an album cannot be broadcast."""

    TOO_MANY = "too_many"  # more than MAX_ALBUM_ITEMS items
    UNSUPPORTED = "unsupported"  # an item Telegram never groups (a sticker, an animation, ...)
    MIXED = "mixed"  # documents or audio files together with other kinds
    SEVERAL = "several"  # a second album (or more) arrived for the same broadcast


def album_problem(kinds: Sequence[str]) -> AlbumProblem | None:
    """What keeps an album whose items are of `kinds` (content types, in any order) from
    being broadcast, or None when Telegram can copy it as one album."""
    if len(kinds) > MAX_ALBUM_ITEMS:
        return AlbumProblem.TOO_MANY
    found = set(kinds)
    if not found <= GROUPABLE:
        return AlbumProblem.UNSUPPORTED
    if len(found) > 1 and not found <= VISUAL:
        return AlbumProblem.MIXED
    return None
