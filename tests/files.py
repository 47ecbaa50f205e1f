"""Upload fixtures made in memory: real PDFs, JPEGs and PNGs, and hostile files (an .exe, a PNG
header claiming 900 megapixels, a PDF with JavaScript)."""

import io
import struct
import zlib

from PIL import Image

EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode"
)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid PNG header claiming ``width`` × ``height`` grey pixels, in a few hundred bytes.

    Decoding it would allocate the whole canvas (900 MP: 0.9 GB grey, 2.7 GB as colour);
    only a check of the header's dimensions before decoding keeps the request cheap.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _chunk(b"IEND", b"")
    )


def image(fmt: str = "PNG", size: tuple[int, int] = (64, 48), colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def png(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    return image("PNG", size, colour)


def jpeg(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    return image("JPEG", size, colour)


def pdf(pages: int = 1, *, javascript: str = "") -> bytes:
    """A plain PDF of blank A4 pages; with ``javascript``, one that runs it when opened."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R" + (b" /OpenAction 3 0 R" if javascript else b"") + b" >>"]
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages)).encode()
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>")
    # Object 3: the script's action, or an empty dictionary when there is none.
    objects.append(b"<< /Type /Action /S /JavaScript /JS (" + javascript.encode() + b") >>" if javascript else b"<< >>")
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
