"""How long the texts people type may be: one definition, checked by the handlers (to
ask again at once) and enforced by the services (whatever called them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TextLimit:
    """A text of at most `max_length` characters (after trimming); empty only when not
    `required`."""

    max_length: int
    required: bool = True

    def admits(self, text: str) -> bool:
        return (bool(text) or not self.required) and len(text) <= self.max_length


#: A page's name as administrators and coordinators read it in lists.
PAGE_TITLE = TextLimit(200)
#: Why a coordinator rejected a page; it is sent to the page's administrator.
REJECT_REASON = TextLimit(500)
#: A seminar's announcement fits one Telegram message with room to spare.
SEMINAR_TITLE = TextLimit(150)
SEMINAR_DESCRIPTION = TextLimit(1_000, required=False)
SEMINAR_PLACE = TextLimit(300)
#: The full name printed on certificates of attendance (`users.certificate_name`).
CERTIFICATE_NAME = TextLimit(120)
#: An attendee's comment on a seminar, read by its coordinators.
FEEDBACK_COMMENT = TextLimit(1_000)
