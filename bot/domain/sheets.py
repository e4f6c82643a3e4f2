"""What the spreadsheets the bot writes (exports) and reads (the registry import) agree
on beyond their columns: how typed text that looks like a formula is kept as text."""

from __future__ import annotations

from typing import Final

#: What a spreadsheet could take for a formula at the start of a text cell (OWASP).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(text: str) -> str:
    """Typed text as a CSV cell a spreadsheet keeps as text: a leading apostrophe when it
    starts like a formula ("=HYPERLINK(...)" becomes "'=HYPERLINK(...)"). `from_text_cell`
    undoes it, so an export imports back as it was."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def from_text_cell(text: str) -> str:
    """`text` without the apostrophe `as_text_cell` put before a formula-like start."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
