"""The reminder an administrator gets about a page with no recent figure."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n, ngettext

from bot.i18n import locale_of, speaking
from bot.services.reminders import ReminderText
from bot.storage.records import Page, User

#: The button under a reminder (the handlers' "report now"), built for one page.
ReminderKeyboard = Callable[[Page], InlineKeyboardMarkup]


def reminder_message(page: Page, days: int, locale: str, i18n: I18n) -> str:
    """The reminder about `page`, silent for `days` days or more, in `locale` (HTML)."""
    with speaking(i18n, locale):
        return ngettext(
            "<b>{title}</b> has had no subscriber figure for {days} day or more. "
            "Report the current one: it takes one tap and a number.",
            "<b>{title}</b> has had no subscriber figure for {days} days or more. "
            "Report the current one: it takes one tap and a number.",
            days,
        ).format(title=escape(page.title), days=days)


def reminder_text(i18n: I18n, days: int, keyboard: ReminderKeyboard) -> ReminderText:
    """The renderer `ReminderService` calls for each administrator: the reminder and its
    button, both in the administrator's language."""

    def render(admin: User, page: Page) -> tuple[str, InlineKeyboardMarkup]:
        locale = locale_of(admin, i18n)
        with speaking(i18n, locale):
            return reminder_message(page, days, locale, i18n), keyboard(page)

    return render
