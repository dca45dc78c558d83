"""A minimal PDF writer (text lines and bars) so that reports need no extra dependency.

Chinese text uses the standard CJK font STSong-Light with the UniGB-UCS2-H encoding, which PDF readers
provide themselves, so no font is embedded."""

from dataclasses import dataclass, field

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 50
LINE_HEIGHT = 18


@dataclass
class Line:
    text: str
    size: int = 11
    bar: float | None = None  # 0..1: a filled bar after the text (dimension radar as bars)


@dataclass
class Document:
    title: str
    lines: list[Line] = field(default_factory=list)

    def add(self, text: str, size: int = 11, bar: float | None = None) -> None:
        self.lines.append(Line(text, size, bar))


def _hex(text: str) -> str:
    # UCS-2 only: characters outside the BMP are replaced, the encoding cannot carry them.
    safe = "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)
    return safe.encode("utf-16-be").hex().upper()


def _page_stream(lines: list[Line]) -> bytes:
    ops = []
    y = PAGE_HEIGHT - MARGIN
    for line in lines:
        y -= LINE_HEIGHT if line.size <= 12 else LINE_HEIGHT + 8
        ops.append(f"BT /F1 {line.size} Tf {MARGIN} {y} Td <{_hex(line.text)}> Tj ET")
        if line.bar is not None:
            width = max(0.0, min(1.0, line.bar)) * 200
            ops.append(f"0.2 0.4 0.8 rg {PAGE_WIDTH - MARGIN - 200} {y} {width:.1f} 9 re f 0 g")
            ops.append(f"{PAGE_WIDTH - MARGIN - 200} {y} 200 9 re S")
    return "\n".join(ops).encode("ascii")


def _paginate(lines: list[Line]) -> list[list[Line]]:
    per_page = (PAGE_HEIGHT - 2 * MARGIN) // (LINE_HEIGHT + 2)
    return [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def render(document: Document) -> bytes:
    pages = _paginate([Line(document.title, 16), *document.lines])
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled once the pages object number is known
    pages_id = add(b"")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >>"
        + f" /FontDescriptor {descriptor} 0 R /DW 1000 >>".encode()
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H"
        + f" /DescendantFonts [{cid_font} 0 R] >>".encode()
    )
    kids = []
    for page_lines in pages:
        stream = _page_stream(page_lines)
        content = add(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
        kids.append(
            add(
                f"<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}]"
                f" /Resources << /Font << /F1 {font} 0 R >> >> /Contents {content} 0 R >>".encode()
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages_id} 0 R >>".encode()
    objects[pages_id - 1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
