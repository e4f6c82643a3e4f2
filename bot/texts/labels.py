"""The names users read for the fixed values of a page: level, theme, platform, status.

Lazy: the dictionaries are built at import time and translated when shown, so `label()`
is called inside `bot.i18n.speaking()` (or a handler's language context).
"""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.links import Platform

LEVEL_LABELS: dict[str, LazyProxy] = {
    Level.FEDERAL: __("Federal body"),
    Level.REGIONAL: __("Regional"),
    Level.MUNICIPAL: __("Municipal"),
    Level.SETTLEMENT: __("Settlement"),
    Level.INSTITUTION: __("Institution"),
}

THEME_LABELS: dict[str, LazyProxy] = {
    Theme.ADMINISTRATION: __("Administration"),
    Theme.CULTURE: __("Culture"),
    Theme.SPORT: __("Sport"),
    Theme.EDUCATION: __("Education"),
    Theme.HEALTH: __("Health"),
    Theme.SOCIAL: __("Social protection"),
    Theme.YOUTH: __("Youth"),
    Theme.SAFETY: __("Safety"),
    Theme.ECONOMY: __("Economy"),
    Theme.OTHER: __("Other"),
}

PLATFORM_LABELS: dict[str, LazyProxy] = {
    Platform.VK: __("VK"),
    Platform.OK: __("Odnoklassniki"),
    Platform.TELEGRAM: __("Telegram"),
    Platform.MAX: __("MAX"),
    Platform.OTHER: __("Other site"),
}

STATUS_LABELS: dict[str, LazyProxy] = {
    # TRANSLATORS: a page's status, shown as "Status: waiting for approval".
    PageStatus.PENDING: __("waiting for approval"),
    PageStatus.APPROVED: __("approved"),
    PageStatus.REJECTED: __("rejected"),
}


def label(labels: dict[str, LazyProxy], code: str) -> str:
    """The translated label of `code` in the current language; `code` itself if unknown."""
    found = labels.get(code)
    return str(found) if found is not None else code
