"""Images made in the tests (a fresh clone has no real scans), hostile files included."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from scans.benchmark.pairs import synthetic_scan


def scan_array(seed: int = 1, width: int = 360, height: int = 140) -> np.ndarray:
    return synthetic_scan(seed, width, height)


def recent_iso(hours: float = 1) -> str:
    """A capture time an hour ago, as a client sends it (ISO 8601)."""
    import datetime as dt

    from django.utils import timezone

    return (timezone.now() - dt.timedelta(hours=hours)).isoformat()


def encode(arr: np.ndarray, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **kw)
    return buf.getvalue()


def png(seed: int = 1, **kw) -> bytes:
    return encode(scan_array(seed), "PNG", **kw)


def jpeg(seed: int = 1, **kw) -> bytes:
    return encode(scan_array(seed), "JPEG", quality=90, **kw)


def tiff16(seed: int = 1) -> tuple[bytes, np.ndarray]:
    """A 16-bit greyscale TIFF as scanners write it (values spread over part of the range)."""
    arr = (scan_array(seed).astype(np.uint16) * 180 + 1000).astype(np.uint16)
    return encode(arr, "TIFF"), arr


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny file whose header claims billions of pixels (its data would inflate to gigabytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 64, 9)  # a few rows; a real bomb repeats them
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_with_text(text: dict[str, str], seed: int = 1) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for k, v in text.items():
        info.add_text(k, v)
    return png(seed, pnginfo=info)


def jpeg_with_exif(secret: str, seed: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x010E] = secret  # ImageDescription
    exif[0x013B] = "Scanner Operator " + secret  # Artist
    return encode(scan_array(seed), "JPEG", quality=90, exif=exif.tobytes(), comment=b"operator: " + secret.encode())


def jpeg_pdf_polyglot() -> bytes:
    """A JPEG whose comment segment opens a PDF (readers look for %PDF in the first KiB)."""
    body = jpeg()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    com = b"\xff\xfe" + struct.pack(">H", len(pdf) + 2) + pdf
    return body[:2] + com + body[2:]


def zip_bytes() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return buf.getvalue()


def hostile_files() -> list[tuple[str, str, bytes, str]]:
    """(case, upload name, bytes, expected rejection code)."""
    gif = io.BytesIO()
    Image.fromarray(scan_array()).save(gif, "GIF")
    tif, _ = tiff16()
    return [
        ("gif named png", "scan.png", gif.getvalue(), "wrong_type"),
        ("text named jpg", "scan.jpg", b"just some text, not an image\n" * 20, "wrong_type"),
        (
            "svg named png",
            "scan.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "wrong_type",
        ),
        ("html", "scan.tif", b"<!doctype html><html><script>alert(1)</script></html>", "wrong_type"),
        ("empty", "scan.png", b"", "invalid"),  # Django's FileField refuses it first
        ("pdf named tif", "scan.tif", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "wrong_type"),
        ("png decompression bomb", "bomb.png", png_bomb(), "too_many_pixels"),
        ("truncated png", "cut.png", png()[:2000], "corrupt"),
        ("truncated jpeg", "cut.jpg", jpeg()[:1500], "corrupt"),
        ("truncated tiff", "cut.tif", tif[: len(tif) // 2], "corrupt"),
        ("png + zip", "scan.png", png() + zip_bytes(), "polyglot"),
        ("png + html script", "scan.png", png() + b"<html><script>alert(1)</script></html>", "polyglot"),
        ("jpeg + pdf appended", "scan.jpg", jpeg() + b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF", "polyglot"),
        ("jpeg/pdf polyglot", "scan.jpg", jpeg_pdf_polyglot(), "polyglot"),
        ("tiff + trailing script", "scan.tif", tif + b"<script>alert(1)</script>", "polyglot"),
        ("png text chunk script", "scan.png", png_with_text({"Comment": "<script>alert(1)</script>"}), "polyglot"),
    ]
