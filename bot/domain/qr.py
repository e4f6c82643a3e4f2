"""QR codes as PNG images, for links shown on a screen or printed."""

from __future__ import annotations

import io

import segno

#: Pixels per module: a check-in link (version 4, 33 modules, with the quiet zone 41)
#: comes out 410 pixels wide, sharp on a projector, about 600 bytes of PNG.
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
