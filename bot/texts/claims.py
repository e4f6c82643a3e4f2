"""What people read about hand-overs: the notice to the giver of a page."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import locale_of, speaking
from bot.services.registry import HandOverNotice
from bot.storage.records import Page, User
from bot.texts.formats import person


def hand_over_notice(i18n: I18n) -> HandOverNotice:
    """The renderer `RegistryService` calls when a page is handed over: what its giver
    reads, in their own language."""

    def render(giver: User, page: Page, recipient: User) -> str:
        with speaking(i18n, locale_of(giver, i18n)):
            return _(
                "{recipient} has taken over <b>{title}</b>: you no longer administer it."
            ).format(recipient=person(recipient), title=escape(page.title))

    return render
