"""gettext catalogues: compiled from `locales/*/LC_MESSAGES/messages.po` when stale."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


def compile_catalogues(locales_dir: Path) -> list[Path]:
    """Compile every .po whose .mo is missing or older; returns the files written."""
    written: list[Path] = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        with mo_path.open("wb") as target:
            write_mo(target, catalog)
        written.append(mo_path)
    return written


def build_i18n(locales_dir: Path, default_locale: str) -> I18n:
    compile_catalogues(locales_dir)
    return I18n(path=locales_dir, default_locale=default_locale, domain=DOMAIN)
