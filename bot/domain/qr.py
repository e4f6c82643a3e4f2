"""QR codes as PNG images, for links shown on a screen or printed."""

from __future__ import annotations

import io

import segno

#: Pixels per module: a 6-character check-in link (version 3, 29 modules) comes out
#: about 330 pixels wide, sharp on a projector and small enough for Telegram's preview.
QR_SCALE = 10
#: The quiet zone around the code, in modules (the standard asks for 4).
QR_BORDER = 4


def qr_png(text: str) -> bytes:
    """A PNG image (bytes) of a QR code holding `text`, error correction level M (15% of
    the code may be lost to glare or a pointer and it still reads)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()
