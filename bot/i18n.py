"""gettext catalogues (`locales/*/LC_MESSAGES/messages.po`, compiled to `.mo` by
`make locales` and in the image's build) and the language each user is spoken to in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiogram.utils.i18n import I18n

from bot.storage.records import User

DOMAIN = "messages"


class CataloguesNotCompiled(RuntimeError):
    """A `.po` catalogue has no `.mo`, or one older than itself: texts would silently fall
    back to English message ids."""


def stale_catalogues(locales_dir: Path) -> list[Path]:
    """The `.po` files whose compiled `.mo` is missing or older than them."""
    stale = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path)
    return stale


def build_i18n(locales_dir: Path, default_locale: str) -> I18n:
    """The catalogues, compiled beforehand (the bot never writes into its source tree).

    Raises CataloguesNotCompiled, naming the command that compiles them.
    """
    if stale := stale_catalogues(locales_dir):
        names = ", ".join(str(path.relative_to(locales_dir.parent)) for path in stale)
        raise CataloguesNotCompiled(
            f"{names} not compiled: run `make locales` "
            f"(pybabel compile -d {locales_dir.name} -D {DOMAIN})"
        )
    return I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)


def locale_of(user: User, i18n: I18n) -> str:
    """The language to speak to `user`: their choice in /settings, else their Telegram
    client's language if there is a catalogue for it, else the default."""
    if user.locale in i18n.available_locales:
        return user.locale
    language = (user.language_code or "").split("-")[0].lower()
    if language in i18n.available_locales:
        return language
    return i18n.default_locale


@contextmanager
def speaking(i18n: I18n, locale: str) -> Iterator[None]:
    """Within the block, `_()`, `ngettext()` and lazy labels translate into `locale`,
    wherever the caller runs: in a handler, a scheduled job or a background task."""
    with i18n.context(), i18n.use_locale(locale):
        yield
