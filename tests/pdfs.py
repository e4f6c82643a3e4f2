"""Reading back the PDFs the bot makes with no PDF library: the file's structure (every
object where the cross-reference table says), its fonts, and the text it shows."""

from __future__ import annotations

import re
import zlib

PDF_MAGIC = b"%PDF-"

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_REFERENCE = re.compile(rb"/(\w+) (\d+) 0 R")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def pdf_objects(data: bytes) -> dict[int, bytes]:
    """Every indirect object's body, by number. Fails unless the file starts as a PDF,
    ends with %%EOF, and its cross-reference table points at each object's start."""
    assert data.startswith(PDF_MAGIC)
    assert data.rstrip().endswith(b"%%EOF")
    [start] = re.findall(rb"startxref\s+(\d+)", data)
    table = data[int(start) :]
    assert table.startswith(b"xref")
    first, count = map(int, table.split(b"\n")[1].split())
    offsets = re.findall(rb"(\d{10}) \d{5} n", table)
    assert len(offsets) == count - (first == 0)
    objects = {int(m[1]): m[2] for m in _OBJECT.finditer(data)}
    for number, offset in enumerate(offsets, start=1):
        assert data[int(offset) :].startswith(f"{number} 0 obj".encode()), number
    assert len(objects) == len(offsets)
    return objects


def stream_of(body: bytes) -> bytes:
    """The (inflated) stream of an object's body; b"" when it has none."""
    found = _STREAM.search(body)
    if found is None:
        return b""
    raw = found[1]
    return zlib.decompress(raw) if b"/FlateDecode" in body[: found.start()] else raw


def font_names(data: bytes) -> set[str]:
    """The base font names of the composite fonts the PDF embeds (subset tag removed)."""
    names = set()
    for body in pdf_objects(data).values():
        if b"/FontFile2" in body:
            [name] = re.findall(rb"/FontName /(?:[A-Z]{6}\+)?(\S+)", body)
            names.add(name.decode())
    return names


def _literal(content: bytes, at: int) -> tuple[bytes, int]:
    """The PDF literal string opening at `content[at]` ("("), and where it ends."""
    out, depth, i = bytearray(), 1, at + 1
    while True:
        char = content[i : i + 1]
        if char == b"\\":
            following = content[i + 1 : i + 2]
            if following.isdigit():
                digits = re.match(rb"[0-7]{1,3}", content[i + 1 : i + 4])
                assert digits is not None
                out.append(int(digits[0], 8))
                i += 1 + len(digits[0])
                continue
            out += _ESCAPES.get(following, following)
            i += 2
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += char
        i += 1


def _to_unicode(cmap: bytes) -> dict[int, str]:
    """A ToUnicode CMap's code → text (its bfchar entries and bfrange ranges)."""
    table = {}
    hexes = rb"<([0-9A-Fa-f]+)>"
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(hexes + rb"\s*" + hexes, section):
            table[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, text in re.findall(hexes + rb"\s*" + hexes + rb"\s*" + hexes, section):
            first = int(text, 16)
            for offset in range(int(high, 16) - int(low, 16) + 1):
                table[int(low, 16) + offset] = chr(first + offset)
    return table


def pdf_text(data: bytes) -> str:
    """The text the PDF shows, a line per text-showing operator, in drawing order: each
    string decoded by the ToUnicode map of the font selected for it (two bytes a glyph,
    as fpdf2 writes Unicode fonts)."""
    objects = pdf_objects(data)
    resources = {
        name.decode(): int(number)
        for body in objects.values()
        if b"/Font <<" in body or b"/Font<<" in body
        for name, number in _REFERENCE.findall(body.split(b"/Font", 1)[1].split(b">>", 1)[0])
    }
    maps = {}
    for name, number in resources.items():
        [unicode_object] = re.findall(rb"/ToUnicode (\d+) 0 R", objects[number])
        maps[name] = _to_unicode(stream_of(objects[int(unicode_object)]))
    lines = []
    pages = [
        objects[int(n)]
        for body in objects.values()
        for n in re.findall(rb"/Contents (\d+) 0 R", body)
    ]
    for body in pages:
        content = stream_of(body)
        font: dict[int, str] = {}
        i = 0
        while i < len(content):
            selected = re.compile(rb"/(\w+) [\d.]+ Tf").match(content, i)
            if selected:
                font = maps[selected[1].decode()]
                i = selected.end()
            elif content[i : i + 1] == b"(" and font:
                raw, i = _literal(content, i)
                codes = [int.from_bytes(raw[n : n + 2], "big") for n in range(0, len(raw), 2)]
                lines.append("".join(font[code] for code in codes))
            else:
                i += 1
    return "\n".join(lines)
