"""The text of a report reminder, in each administrator's language."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.handlers.callbacks import PageAction, PageCb
from bot.i18n import locale_of
from bot.services.reminders import ReminderText
from bot.storage.records import Page, User


def reminder_text(i18n: I18n, days: int) -> ReminderText:
    def render(admin: User, page: Page) -> tuple[str, InlineKeyboardMarkup]:
        with i18n.context(), i18n.use_locale(locale_of(admin, i18n)):
            text = _(
                "<b>{title}</b> has had no subscriber figure for {days} days or more. "
                "Report the current one: it takes one tap and a number."
            ).format(title=escape(page.title), days=days)
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("🔢 Report now"),
                callback_data=PageCb(action=PageAction.REPORT, page_id=page.id),
            )
            return text, builder.as_markup()

    return render
