"""Malformed and hostile files, generated here (nothing binary is committed).

``images()`` is what every image/document upload must refuse (scans, plate photos, arrival
evidence, inspection attachments); ``imports()`` what the ICS import must refuse (CSV, XLSX, JSON
files) and ``api_import_bodies()`` what its JSON API must refuse. Each entry says which problem
it is; the tests check that the answer is a 4xx naming the field or that problem, that nothing is
stored and that no 5xx comes back.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from PIL import Image

from tests import files


@dataclass(frozen=True)
class Hostile:
    case: str
    name: str  # the file name the client sends
    data: bytes


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def _photo(fmt: str) -> bytes:
    """A small photo-like image with some texture (a plain colour would compress to nothing)."""
    im = Image.radial_gradient("L").resize((160, 120)).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buf.getvalue()


def png() -> bytes:
    return _photo("PNG")


def jpeg() -> bytes:
    return _photo("JPEG")


def tiff() -> bytes:
    return _photo("TIFF")


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) claims ``width`` × ``height``."""
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def tiff_declaring(width: int, height: int) -> bytes:
    """A little-endian TIFF whose only IFD claims ``width`` × ``height`` (one strip of 8 bytes)."""
    entries = [
        (256, 4, 1, width),  # ImageWidth, LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 8),  # StripByteCounts
    ]
    ifd_offset = 16
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        ifd += struct.pack("<HHII", tag, typ, count, value)
    ifd += struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", ifd_offset) + b"\x00" * 8 + ifd


@functools.cache
def png_really_huge(side: int = 11_000) -> bytes:
    """A real, whole PNG of side × side grey pixels (121 MP by default: over every pixel limit);
    one colour, so the file stays small."""
    raw = zlib.compressobj(6)
    row = b"\x00" + b"\x80" * side
    body = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def png_bad_crc() -> bytes:
    data = bytearray(png())
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF  # a byte of the compressed pixels: the chunk's CRC no longer matches
    return bytes(data)


def jpeg_garbled() -> bytes:
    """A JPEG whose quantisation and Huffman tables are overwritten with noise."""
    data = bytearray(jpeg())
    for i in range(20, min(len(data) - 2, 600)):
        data[i] = (i * 151) & 0xFF
    return bytes(data)


def tiff_bad_ifd() -> bytes:
    """A TIFF whose first IFD lies past the end of the file."""
    return b"II*\x00" + struct.pack("<I", 10_000_000) + b"\x00" * 64


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return buf.getvalue()


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
)
HTML_SCRIPT = b"<!doctype html><html><body><script>fetch('/api/declarations/')</script></body></html>"


def images() -> list[Hostile]:
    """Every image or document upload must refuse each of these."""
    return [
        Hostile("zero bytes", "empty.png", b""),
        Hostile("truncated jpeg", "cut.jpg", jpeg()[: len(jpeg()) // 2]),
        Hostile("truncated png", "cut.png", png()[: len(png()) // 2]),
        Hostile("truncated tiff", "cut.tif", tiff()[: len(tiff()) // 3]),
        Hostile("png with a damaged chunk (crc)", "crc.png", png_bad_crc()),
        Hostile("jpeg with garbled tables", "garbled.jpg", jpeg_garbled()),
        Hostile("tiff with its ifd past the end", "ifd.tif", tiff_bad_ifd()),
        Hostile("png decompression bomb (30000 x 30000)", "bomb.png", files.png_bomb()),
        Hostile("jpeg declaring 65000 x 65000", "bomb.jpg", jpeg_declaring(65_000, 65_000)),
        Hostile("tiff declaring 100000 x 100000", "bomb.tif", tiff_declaring(100_000, 100_000)),
        Hostile("real png of 11000 x 11000", "huge.png", png_really_huge()),
        Hostile("png + zip polyglot", "scan.png", png() + zip_bytes({"evil.sh": b"#!/bin/sh\nrm -rf /\n"})),
        Hostile("jpeg + html polyglot", "photo.jpg", jpeg() + HTML_SCRIPT),
        Hostile("jpeg magic then html", "photo.jpg", b"\xff\xd8\xff" + HTML_SCRIPT),
        Hostile("pdf with javascript", "doc.pdf", files.pdf(javascript="app.alert('x')")),
        Hostile("svg with script named png", "image.png", SVG_SCRIPT),
        Hostile("html with script named jpg", "image.jpg", HTML_SCRIPT),
        Hostile("svg with script named pdf", "doc.pdf", SVG_SCRIPT),
        Hostile("path traversal name", "../../../../etc/cron.d/evil.png", HTML_SCRIPT),
        Hostile("windows traversal name", "..\\..\\windows\\system32\\evil.jpg", SVG_SCRIPT),
        Hostile("rtl override name", "photo\u202egnp.exe", b"MZ\x90\x00" + b"\x00" * 200),
        Hostile("unicode name and nul bytes", "تصویر‌پلاک.png", b"\x00" * 512),
        Hostile("very long name", "a" * 400 + ".png", png()[:100]),
    ]


# --- Imports -------------------------------------------------------------------------------

CSV_HEADER = b"serial,declared_at,origin,destination,plate\n"


def xlsx_zip_bomb(unpacked: int = 64 * 1024 * 1024) -> bytes:
    """A workbook whose sheet is ``unpacked`` bytes of blanks deflated to a few hundred KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        with z.open(zipfile.ZipInfo("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
            block = b" " * (1024 * 1024)
            for _ in range(unpacked // len(block)):
                sheet.write(block)
    return buf.getvalue()


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A minimal workbook (as openpyxl reads it) whose first sheet is ``sheet_xml``."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rels = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            b'<Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            b"</Types>",
            "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>",
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook '
            + ns
            + b" "
            + rels
            + b'><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b"</Relationships>",
            "xl/worksheets/sheet1.xml": sheet_xml,
        }
    )


def xlsx_xxe() -> bytes:
    return _xlsx_with_sheet(
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    )


def xlsx_billion_laughs() -> bytes:
    entities = b'<!ENTITY l0 "ha">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"".join(b"&l%d;" % (i - 1) for _ in range(10))) for i in range(1, 10)
    )
    return _xlsx_with_sheet(
        b'<?xml version="1.0"?><!DOCTYPE w [' + entities + b"]>"
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    )


def imports() -> list[Hostile]:
    """Files the ICS import (page) must refuse as a whole."""
    return [
        Hostile("zero bytes", "export.csv", b""),
        Hostile("csv with nul bytes", "export.csv", CSV_HEADER + b"T1\x00,1404/01/01,BZG,THR,12\x00345\n"),
        Hostile("csv of invalid utf-8", "export.csv", CSV_HEADER + b"\xff\xfe\xfa,1404/01/01,BZG,THR,x\n"),
        Hostile("xlsx deflate bomb", "export.xlsx", xlsx_zip_bomb()),
        Hostile("xlsx with xxe", "export.xlsx", xlsx_xxe()),
        Hostile("xlsx with billion laughs", "export.xlsx", xlsx_billion_laughs()),
        Hostile("zip that is not a workbook", "export.xlsx", zip_bytes({"a.txt": b"hello"})),
        Hostile("truncated xlsx", "export.xlsx", xlsx_xxe()[:300]),
        Hostile("json nested 100000 deep", "export.json", b"[" * 100_000),
        Hostile("json of invalid utf-8", "export.json", b'[{"serial": "\xff\xfe"}]'),
        Hostile("png named xlsx", "export.xlsx", png()),
        Hostile("html named csv", "../../export.csv", HTML_SCRIPT),
        Hostile("very long name", "e" * 400 + ".csv", b"\x00\x01\x02"),
    ]


def api_import_bodies() -> list[tuple[str, bytes]]:
    """Bodies the JSON import API must refuse (as a whole, or record by record)."""
    return [
        ("nested 100000 deep", b"[" * 100_000),
        ("invalid utf-8", b'[{"serial": "\xff\xfe"}]'),
        ("not json", b"serial,origin\nT1,BZG\n"),
        ("nul in a value", b'[{"serial": "T1\\u0000", "origin": "BZG\\u0000", "destination": "THR", "plate": "1"}]'),
        ("nul in a key", b'[{"ser\\u0000ial": "T1", "origin": "BZG", "destination": "THR", "plate": "1"}]'),
        ("number too large", b'[{"serial": "T1", "goods": [{"quantity": 1e400}]}]'),
        ("lone surrogate", b'[{"serial": "\\ud800", "origin": "BZG", "destination": "THR", "plate": "1"}]'),
        ("empty list", b"[]"),
        ("object of objects", b'{"records": {"a": {"b": {}}}}'),
    ]
