"""The PDF of a certificate: A4 landscape, DejaVu Sans (the fonts matplotlib ships, which
print Cyrillic), the texts given, a QR code of the verification link and the link itself.

Building a PDF takes tens of milliseconds of CPU: `certificate_pdf` runs it in a worker
thread (`asyncio.to_thread`) so that the event loop keeps serving other users.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

#: The font family registered in each PDF, regular and bold.
FONT = "DejaVuSans"
#: The QR code's side on the page, in millimetres.
QR_SIDE_MM = 42
#: A line's height, in millimetres per point of the font's size.
LEADING = 0.45
#: Long names and titles shrink to fit their lines, down to this size in points.
MIN_SIZE = 10


@cache
def font_files() -> tuple[Path, Path]:
    """DejaVu Sans and DejaVu Sans Bold as matplotlib ships them (its mpl-data folder:
    `matplotlib.get_data_path()`). FileNotFoundError if an install lacks them."""
    import matplotlib  # here, as for charts: start-up does not pay for matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    for path in (regular, bold):
        if not path.is_file():
            raise FileNotFoundError(path)
    return regular, bold


@dataclass(frozen=True, slots=True)
class CertificateSheet:
    """What a certificate says, line by line, in the reader's language (plain text, no
    markup): the heading, the words before the name, the name, the words before the
    seminar, the seminar's title, its date, its academic hours, who issues it, the line
    with the certificate's id, the words before the link, and the verification link
    (also drawn as the QR code)."""

    heading: str
    certifies: str
    name: str
    attended: str
    seminar: str
    when: str
    hours: str
    issuer: str
    id_line: str
    verify: str
    link: str


def qr_png(link: str) -> bytes:
    """The QR code of `link` as a PNG (segno, medium error correction), made in memory."""
    buffer = io.BytesIO()
    segno.make(link, error="m", micro=False).save(buffer, kind="png", scale=10, border=2)
    return buffer.getvalue()


def render_certificate(sheet: CertificateSheet) -> bytes:
    """The certificate as the bytes of a PDF (A4 landscape, one page). Blocks while it
    works: call `certificate_pdf` from the event loop."""
    regular, bold = font_files()
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"{sheet.heading} {sheet.id_line}")
    pdf.set_creator("gospublic bot")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.set_draw_color(40, 80, 140)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    width = pdf.w - 50
    pdf.set_y(20)

    def block(text: str, size: float, *, style: str = "", gap: float = 3, lines: int = 1) -> None:
        """`text` centred, at `size` points or smaller so that it takes at most `lines`
        lines (never below MIN_SIZE points, where it may take more)."""
        while True:
            pdf.set_font(FONT, style, size)
            taken = pdf.multi_cell(width, size * LEADING, text, dry_run=True, output="LINES")
            assert isinstance(taken, list)
            if len(taken) <= lines or size <= MIN_SIZE:
                break
            size -= 1
        pdf.set_x(25)
        pdf.multi_cell(
            width, size * LEADING, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(gap)

    pdf.set_text_color(40, 80, 140)
    block(sheet.heading, 28, style="B", gap=6)
    pdf.set_text_color(0, 0, 0)
    block(sheet.certifies, 12)
    block(sheet.name, 24, style="B", gap=4, lines=2)
    block(sheet.attended, 12)
    block(f"«{sheet.seminar}»", 18, style="B", gap=4, lines=2)
    block(sheet.when, 12, gap=2)
    block(sheet.hours, 12, gap=2)
    block(sheet.issuer, 11)

    top = pdf.h - 20 - QR_SIDE_MM
    pdf.image(io.BytesIO(qr_png(sheet.link)), x=20, y=top, w=QR_SIDE_MM, h=QR_SIDE_MM)
    beside = 20 + QR_SIDE_MM + 6
    pdf.set_xy(beside, top + 8)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(text=sheet.id_line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(beside, pdf.get_y() + 3)
    pdf.set_font(FONT, "", 11)
    pdf.cell(text=sheet.verify, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(40, 80, 140)
    pdf.cell(text=sheet.link, link=sheet.link, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return bytes(pdf.output())


async def certificate_pdf(sheet: CertificateSheet) -> bytes:
    """`render_certificate` in a worker thread."""
    return await asyncio.to_thread(render_certificate, sheet)
