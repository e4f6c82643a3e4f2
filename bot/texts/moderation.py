"""What a page's administrators read when a coordinator approves or rejects the page."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import locale_of, speaking
from bot.services.registry import Notice
from bot.storage.records import Page, User


def decision_text(page: Page, *, approved: bool, locale: str, i18n: I18n) -> str:
    """The notice of the decision on `page` in `locale` (HTML; title and reason escaped)."""
    with speaking(i18n, locale):
        if approved:
            return _(
                "Your page <b>{title}</b> is approved. Report its subscriber figure with /report."
            ).format(title=escape(page.title))
        return _("Your page <b>{title}</b> was not approved. Reason: {reason}").format(
            title=escape(page.title), reason=escape(page.reject_reason or "")
        )


def decision_notice(i18n: I18n, *, approved: bool) -> Notice:
    """The renderer `RegistryService` calls for each administrator of the decided page:
    the notice in that administrator's own language."""

    def render(admin: User, page: Page) -> str:
        return decision_text(page, approved=approved, locale=locale_of(admin, i18n), i18n=i18n)

    return render
