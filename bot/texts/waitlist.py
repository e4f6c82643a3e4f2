"""What people read about a full seminar's waiting list: the answer to "I will attend"
when every seat is taken, to "I can't come", and the notice that a seat is now theirs."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import speaking
from bot.services.seminars import AnnouncementRenderer, SeminarView
from bot.texts.seminars import SeminarKeyboard, headed_card, waiting_line


def joined(view: SeminarView) -> str:
    """The answer to "I will attend" (plain text, for the tap's answer): registered, or,
    when every seat was taken, put in line at the view's position."""
    if view.waiting is None:
        return _("You are registered. See you there!")
    return (
        _("All seats are taken, so you are on the waiting list.")
        + "\n"
        + waiting_line(view.waiting)
    )


def left(was: SeminarView) -> str:
    """The answer to "I can't come" (plain text) for the seminar as the user saw it
    before: a seat given up, or a place in line."""
    if was.waiting is not None:
        return _("You have left the waiting list.")
    return _("Your registration is cancelled.")


def seat_header(locale: str, i18n: I18n) -> str:
    """The line above a seminar's card that tells the first in line a seat is theirs
    (HTML): one given up, or one added by a change of the seats."""
    with speaking(i18n, locale):
        return _(
            "🎉 <b>A seat is yours</b>: a seat became free or was added, and you were first "
            "on the waiting list. You are registered; if you cannot come, tap the button."
        )


def seat_notice(i18n: I18n, tz: ZoneInfo, keyboard: SeminarKeyboard) -> AnnouncementRenderer:
    """The renderer `SeminarService` calls for each person promoted from the waiting
    list: the notice, the card and its buttons, in the person's language."""
    return headed_card(i18n, tz, keyboard, seat_header)
