"""Content checks for uploaded scans: what the bytes are, never what the name says.

``check_upload`` runs, in order (cheapest first, nothing stored by any of them):

1. size cap (``SCANS_MAX_UPLOAD_BYTES``) before reading the file, then the malware scan shared
   by every upload (``core.uploads.malware_check``: 422 infected, 503 scanner down);
2. magic bytes: PNG, JPEG or classic TIFF only;
3. Pillow header: pixel count under ``SCANS_MAX_PIXELS`` (decompression bombs);
4. structure walk: the file must end where the image ends (IEND / EOI / last TIFF
   block); anything after it, or a PDF header near the start, is a polyglot;
5. ``verify()`` then a full decode (truncated or corrupt data fails here), a least size
   (``SCANS_MIN_SIDE_PX``: a thumbnail or an icon is not a scan), more than one colour (a blank
   image shows no truck) and no colour photograph (``colour_share``), unless the uploader says it is a
   dual-energy scanner's pseudo-colour image;
6. metadata removal without touching the pixels (PNG chunks and JPEG segments are
   dropped byte-wise; TIFF is rewritten from the decoded pixels, losslessly).

Every refusal is a ``ScanRejected`` naming the field and a reason code.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

from core import uploads
from core.api import field_label
from core.text import digits, format_number, isolate

PNG_MAGIC = uploads.PNG_MAGIC
# PNG chunks kept: the pixels and what changes how they look; text, time, EXIF and unknown go.
PNG_KEEP = {b"IHDR", b"PLTE", b"tRNS", b"gAMA", b"sBIT", b"sRGB", b"IDAT", b"IEND"}
# JPEG segments kept before the scan: tables, frame, restart interval, JFIF (APP0) and Adobe (APP14,
# it decides the colour transform). EXIF/XMP/ICC (APP1..APP13, APP15) and comments go.
JPEG_DROP = {*range(0xE1, 0xEE), 0xEF, 0xFE}
# A transmission X-ray is one intensity per pixel: saved as RGB, its channels agree to within JPEG's chroma rounding
# (a few levels), while a photograph has colour over much of its area. A pixel is coloured when its channels spread
# more than COLOUR_SPREAD levels; an image is in colour when more than COLOUR_SHARE of its pixels are (5% leaves a
# scanner's coloured ruler or caption burnt into a grey scan alone). Measured on a downsample of at most
# COLOUR_SAMPLE_PX a side (a sample of the pixels is enough for a share, and costs nothing on a large scan).
COLOUR_SPREAD = 32
COLOUR_SHARE = 0.05
COLOUR_SAMPLE_PX = 512
# Modes that can hold colour (Pillow's); grey ones (L, I;16, I, F, 1, LA) have none to measure.
COLOUR_MODES = {"RGB", "RGBA", "RGBX", "P", "PA", "CMYK", "YCbCr", "LAB"}
# Active content that has no business in an X-ray image's metadata.
ACTIVE_MARKERS = (b"<script", b"<html", b"<?php", b"<svg", b"%PDF-", b"PK\x03\x04", b"<!doctype")


class ScanRejected(uploads.UploadRejected):
    """An upload refused; ``status`` is the HTTP status a view should answer with, ``name`` the refused file's when
    the message names it (a colour image, a duplicate)."""

    name: str = ""


@dataclass
class CheckedImage:
    format: str  # PNG | JPEG | TIFF
    width: int
    height: int
    mode: str
    bit_depth: int
    data: bytes  # what to store: metadata removed
    sha256: str  # of ``data``
    received_sha256: str  # of the bytes as uploaded

    @property
    def extension(self) -> str:
        return {"PNG": "png", "JPEG": "jpg", "TIFF": "tif"}[self.format]


def check_upload(
    uploaded, *, max_bytes: int | None = None, max_pixels: int | None = None, pseudo_colour: bool = False
) -> CheckedImage:
    """Check an uploaded file (Django ``UploadedFile`` or any object with ``size`` and ``read``).

    ``pseudo_colour``: the uploader says the image is a dual-energy scanner's pseudo-colour (material colours); a
    colour image is refused without it."""
    max_bytes = max_bytes or settings.SCANS_MAX_UPLOAD_BYTES
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(size, max_bytes)
    uploaded.seek(0)
    raw = uploaded.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise _too_large(len(raw), max_bytes)
    return check_bytes(
        raw, max_pixels=max_pixels, pseudo_colour=pseudo_colour, name=(getattr(uploaded, "name", "") or "")[-200:]
    )


def _too_large(size: int, limit: int) -> ScanRejected:
    return ScanRejected(
        _("The file is too large (%(size)s MB; the limit is %(limit)s MB).") % uploads.megabytes(size, limit),
        code="too_large",
        status=413,
    )


def check_bytes(
    raw: bytes, *, max_pixels: int | None = None, pseudo_colour: bool = False, name: str = ""
) -> CheckedImage:
    """The content checks of ``check_upload`` on the bytes; ``name``, the file's as uploaded, names it in a
    refusal of its colour."""
    max_pixels = max_pixels or settings.SCANS_MAX_PIXELS
    if not raw:
        raise ScanRejected(_("The file is empty."), code="empty")
    _malware_check(raw)
    kind = uploads.sniff(raw)
    if kind not in (uploads.PNG, uploads.JPEG, uploads.TIFF):
        raise ScanRejected(
            _("The file is not a PNG, JPEG or TIFF image (whatever its name says)."), code="wrong_type", status=415
        )
    if b"%PDF-" in raw[:1024]:
        raise _polyglot(_("it also reads as a PDF document"))

    fmt = uploads.PIL_FORMATS[kind]
    try:
        im = _open(raw, kind, max_pixels)
    except ScanRejected as exc:
        _refuse_unsupported_tiff(raw, fmt, exc)
        raise
    width, height = im.size
    if getattr(im, "n_frames", 1) != 1:
        raise ScanRejected(_("A multi-page image is not accepted: upload one page per file."), code="multi_page")

    walkers = {"PNG": _png_chunks, "JPEG": _jpeg_segments, "TIFF": _tiff_extent}
    kept = walkers[fmt](raw)
    try:
        extrema, coloured = _decode(raw, fmt)
    except ScanRejected as exc:
        _refuse_unsupported_tiff(raw, fmt, exc)
        raise
    if min(width, height) < settings.SCANS_MIN_SIDE_PX:
        raise ScanRejected(
            _(
                "The image is only %(w)s×%(h)s pixels: too small to be a truck's scan (at least %(min)s pixels"
                " on each side). Upload the scanner's full image, not a thumbnail."
            )
            % {"w": digits(width), "h": digits(height), "min": digits(settings.SCANS_MIN_SIDE_PX)},
            code="too_small",
        )
    bands = extrema if isinstance(extrema[0], tuple) else (extrema,)
    if all(low == high for low, high in bands):
        # Stored, it would count as the stage's scan and its comparison only say "could not be aligned".
        raise ScanRejected(
            _(
                "The image is a single colour throughout: it shows no truck (a scanner that did not fire, or a"
                " blank export). Upload the scanner's image of the truck."
            ),
            code="blank",
        )
    if coloured > COLOUR_SHARE and not pseudo_colour:
        # Stored, a photograph would count as the stage's scan (evidence, kept for good) and its comparison fail.
        refused = ScanRejected(colour_refusal(name), code="colour")
        refused.name = name  # the API says it again in its own words (``colour_refusal(name, api=True)``)
        raise refused
    mode = im.mode
    bit_depth = _bits_per_sample(im, fmt, raw)
    if fmt == "TIFF":
        data = _tiff_rewrite(raw, bit_depth)
    else:
        data = kept
    return CheckedImage(
        format=fmt,
        width=width,
        height=height,
        mode=mode,
        bit_depth=bit_depth,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        received_sha256=hashlib.sha256(raw).hexdigest(),
    )


def colour_refusal(name: str, *, api: bool = False) -> str:
    """The refusal of a colour image named ``name``: the page says to tick its box, the API, which has no
    box, to send its ``pseudo_colour`` field true (the field named by its label, as the API's errors name it)."""
    shown = isolate(name or _("The image"), "auto")
    if api:
        return _(
            "%(name)s is in colour; an X-ray scan must be greyscale. If it is a dual-energy scanner's "
            "pseudo-colour image, send “%(field)s” as %(true)s and upload it again."
        ) % {"name": shown, "field": field_label("pseudo_colour"), "true": isolate("true")}
    return _(
        "%(name)s is in colour; an X-ray scan must be greyscale. If it is a dual-energy scanner's "
        "pseudo-colour image, tick “%(flag)s” and upload it again."
    ) % {"name": shown, "flag": _("dual-energy pseudo-colour scan")}


def _bits_per_sample(im: Image.Image, fmt: str, raw: bytes) -> int:
    """Bits per sample as the file has them, not as Pillow holds the pixels: a 16-bit colour PNG is mode
    RGB (8 bits) in Pillow, a float or 32-bit integer TIFF mode F or I (the page said 8 and 16 bits)."""
    if fmt == "PNG":
        return raw[24]  # IHDR, the first chunk (Pillow opened it): width, height, then the bit depth
    if fmt == "TIFF":
        bits = getattr(im, "tag_v2", {}).get(258)  # BitsPerSample: one value per sample, or one for all
        if isinstance(bits, tuple | list):
            return max(int(b) for b in bits) if bits else 1
        return int(bits) if bits else 1
    return 8  # JPEG (12-bit JPEGs do not decode here)


def _malware_check(raw: bytes) -> None:
    """The shared malware scan of every upload (``core.uploads.malware_check``), on the bytes as received."""
    try:
        uploads.malware_check(raw)
    except uploads.UploadRejected as exc:
        raise ScanRejected(exc.message, code=exc.code, status=exc.status) from exc


def _polyglot(why: str) -> ScanRejected:
    return ScanRejected(
        _("The file is not a plain image: %(why)s. It was refused.") % {"why": why}, code="polyglot", status=400
    )


def _corrupt(detail: str = "") -> ScanRejected:
    msg = _("The image is damaged or incomplete (truncated upload?).")
    return ScanRejected(f"{msg} {detail}".strip(), code="corrupt")


def _open(raw: bytes, kind: str, max_pixels: int) -> Image.Image:
    """Read the header only and refuse too many pixels before decoding (the shared check)."""
    try:
        return uploads.open_image_header(raw, kind, max_pixels=max_pixels)
    except uploads.UploadRejected as exc:
        raise ScanRejected(exc.message, code=exc.code, status=exc.status) from exc


def _decode(raw: bytes, fmt: str):
    """Decode in full (refusing damage, a truncated file too: ``uploads.strict_decoding``); returns the pixels'
    extrema (Pillow's ``getextrema``) and their ``colour_share``, from the one decode."""
    try:
        with uploads.strict_decoding(), warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[fmt]) as im:
                im.verify()
            with Image.open(io.BytesIO(raw), formats=[fmt]) as im:
                im.load()
                return im.getextrema(), colour_share(im)
    except Image.DecompressionBombError as exc:
        raise ScanRejected(
            _("The image has too many pixels (decompression bomb)."), code="too_many_pixels", status=413
        ) from exc
    except MemoryError as exc:  # a large image the worker cannot hold decoded: its size, not "damaged"
        raise ScanRejected(
            _(
                "The image is too large to open here (%(size)s MB; the limit is %(limit)s MB, and decoding it "
                "needs more memory than the server has). Upload a smaller image."
            )
            % {
                "size": format_number(round(len(raw) / 2**20, 1)),
                "limit": format_number(round(settings.SCANS_MAX_UPLOAD_BYTES / 2**20, 1)),
            },
            code="too_large",
            status=413,
        ) from exc
    except Exception as exc:
        raise _corrupt() from exc


def colour_share(im: Image.Image) -> float:
    """The share of the image's pixels that are coloured (their channels spread more than ``COLOUR_SPREAD``
    levels), on a downsample of at most ``COLOUR_SAMPLE_PX`` a side; 0 for a grey mode."""
    import numpy as np

    if im.mode not in COLOUR_MODES:
        return 0.0
    width, height = im.size
    scale = min(1.0, COLOUR_SAMPLE_PX / max(width, height))
    if scale < 1:
        im = im.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.NEAREST)
    rgb = np.asarray(im.convert("RGB"), dtype=np.int16)
    spread = rgb.max(axis=2) - rgb.min(axis=2)
    return float((spread > COLOUR_SPREAD).mean())


def _check_metadata(blob: bytes) -> None:
    low = blob.lower()
    for marker in ACTIVE_MARKERS:
        if marker.lower() in low:
            raise _polyglot(_("its metadata carries a document or script"))


# --- PNG --------------------------------------------------------------------------------------


def _png_chunks(raw: bytes) -> bytes:
    """Walk the chunks to IEND; return the file with only the kept chunks."""
    pos, out = 8, [PNG_MAGIC]
    while True:
        if pos + 12 > len(raw):
            raise _corrupt(_("(PNG ends before its IEND chunk)"))
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        ctype = raw[pos + 4 : pos + 8]
        end = pos + 12 + length
        if not ctype.isalpha() or end > len(raw):
            raise _corrupt(_("(bad PNG chunk)"))
        body = raw[pos + 8 : pos + 8 + length]
        if zlib.crc32(ctype + body) != struct.unpack(">I", raw[end - 4 : end])[0]:
            raise _corrupt(_("(PNG checksum mismatch)"))
        if ctype in PNG_KEEP:
            out.append(raw[pos:end])
        elif ctype in (b"zTXt", b"iTXt") and body:
            # Text may be compressed; look inside with a bound (a zip bomb in a comment is still a bomb).
            _check_metadata(body[:4096] + _inflate_bounded(body))
        else:
            _check_metadata(body)
        pos = end
        if ctype == b"IEND":
            break
    if pos != len(raw):
        raise _polyglot(_("%(n)s bytes follow the end of the PNG image") % {"n": format_number(len(raw) - pos)})
    return b"".join(out)


def _inflate_bounded(body: bytes, limit: int = 1 << 20) -> bytes:
    start = body.find(b"\x00")
    for offset in (start + 2, start + 3, start + 5):  # zTXt: kw\0method; iTXt: kw\0flag method lang\0 key\0
        try:
            d = zlib.decompressobj()
            return d.decompress(body[offset:], limit)
        except zlib.error:
            continue
    return b""


# --- JPEG -------------------------------------------------------------------------------------


def _jpeg_segments(raw: bytes) -> bytes:
    """Walk markers to EOI (entropy-coded data included); return the file without metadata."""
    out = [raw[:2]]
    pos, n = 2, len(raw)
    while True:
        if pos + 2 > n:
            raise _corrupt(_("(JPEG ends before its end marker)"))
        if raw[pos] != 0xFF:
            raise _corrupt(_("(bad JPEG marker)"))
        marker = raw[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            out.append(raw[pos : pos + 2])
            pos += 2
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # standalone markers
            out.append(raw[pos : pos + 2])
            pos += 2
            continue
        if pos + 4 > n:
            raise _corrupt(_("(JPEG ends inside a segment)"))
        (length,) = struct.unpack(">H", raw[pos + 2 : pos + 4])
        seg_end = pos + 2 + length
        if length < 2 or seg_end > n:
            raise _corrupt(_("(bad JPEG segment length)"))
        if marker in JPEG_DROP:
            _check_metadata(raw[pos + 4 : seg_end])
            pos = seg_end
            continue
        if marker == 0xE0:
            _check_metadata(raw[pos + 4 : seg_end])
        if marker != 0xDA:
            out.append(raw[pos:seg_end])
            pos = seg_end
            continue
        # Start of scan: copy the entropy-coded data up to the next real marker.
        scan = seg_end
        while True:
            scan = raw.find(b"\xff", scan)
            if scan < 0 or scan + 1 >= n:
                raise _corrupt(_("(JPEG scan data is cut off)"))
            nxt = raw[scan + 1]
            if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                scan += 1 if nxt == 0xFF else 2
                continue
            break
        out.append(raw[pos:scan])
        pos = scan
    if pos != n:
        raise _polyglot(_("%(n)s bytes follow the end of the JPEG image") % {"n": format_number(n - pos)})
    return b"".join(out)


# --- TIFF -------------------------------------------------------------------------------------

_TIFF_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_OFFSET_TAGS = {(273, 279), (324, 325)}  # strips and tiles: (offsets, byte counts)
_SUB_IFD_TAGS = {330, 34665, 34853, 40965}  # SubIFDs, EXIF, GPS, interoperability


def _tiff_extent(raw: bytes) -> bytes:
    """Every byte of a TIFF must belong to a header, an IFD, a tag value or an image block.

    Returns the raw bytes (TIFFs are rewritten from their pixels afterwards).
    """
    n = len(raw)
    e = "<" if raw[:2] == b"II" else ">"
    extent = 8
    seen: set[int] = set()
    todo = [struct.unpack(e + "I", raw[4:8])[0]]
    while todo:
        ifd = todo.pop()
        if ifd == 0 or ifd in seen:
            continue
        if len(seen) > 32 or ifd + 2 > n:
            raise _corrupt(_("(bad TIFF directory)"))
        seen.add(ifd)
        (count,) = struct.unpack(e + "H", raw[ifd : ifd + 2])
        end = ifd + 2 + 12 * count + 4
        if end > n:
            raise _corrupt(_("(TIFF directory past the end of the file)"))
        extent = max(extent, end)
        values: dict[int, list[int]] = {}
        for i in range(count):
            entry = raw[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
            tag, typ, cnt = struct.unpack(e + "HHI", entry[:8])
            size = _TIFF_TYPE_SIZE.get(typ, 1) * cnt
            if size > 4:
                (off,) = struct.unpack(e + "I", entry[8:12])
                if off + size > n:
                    raise _corrupt(_("(TIFF tag value past the end of the file)"))
                extent = max(extent, off + size)
                blob = raw[off : off + size]
            else:
                blob = entry[8 : 8 + size]
            if tag in (270, 305, 315, 700, 33723, 34377):  # description, software, artist, XMP, IPTC, Photoshop
                _check_metadata(blob)
            if typ in (3, 4, 13) and (tag in _SUB_IFD_TAGS or any(tag in pair for pair in _OFFSET_TAGS)):
                fmt = e + ("H" if typ == 3 else "I") * cnt
                values[tag] = list(struct.unpack(fmt, blob[: struct.calcsize(fmt)]))
        for offsets_tag, counts_tag in _OFFSET_TAGS:
            for off, cnt in zip(values.get(offsets_tag, []), values.get(counts_tag, [])):
                if off + cnt > n:
                    raise _corrupt(_("(TIFF image data past the end of the file)"))
                extent = max(extent, off + cnt)
        for tag in _SUB_IFD_TAGS:
            todo.extend(values.get(tag, []))
        todo.append(struct.unpack(e + "I", raw[end - 4 : end])[0])
    # Writers pad blocks to an even offset: one trailing byte is normal.
    if n - extent > 1:
        raise _polyglot(_("%(n)s bytes in the TIFF belong to no part of the image") % {"n": format_number(n - extent)})
    return raw


# The samples Pillow reads, by (SampleFormat, bits per sample): unsigned and signed integers, 32-bit floating point.
_TIFF_READ = {(1, 1), (1, 2), (1, 4), (1, 8), (1, 16), (1, 32), (2, 8), (2, 16), (2, 32), (3, 32)}
_TIFF_SAMPLE_FORMATS = {  # SampleFormat (tag 339): 1 when the file does not say
    1: gettext_lazy("unsigned integer"),
    2: gettext_lazy("signed integer"),
    3: gettext_lazy("floating point"),
    4: gettext_lazy("undefined"),
    5: gettext_lazy("complex integer"),
    6: gettext_lazy("complex floating point"),
}


def _tiff_samples(raw: bytes) -> tuple[int, int] | None:
    """(SampleFormat, bits per sample) as the TIFF's first directory gives them (the largest when they differ by
    channel), or None when its header cannot be read that far."""
    try:
        e = "<" if raw[:2] == b"II" else ">"
        (ifd,) = struct.unpack(e + "I", raw[4:8])
        (count,) = struct.unpack(e + "H", raw[ifd : ifd + 2])
        found = {258: [1], 339: [1]}  # the defaults: 1 bit, unsigned integer
        for i in range(count):
            entry = raw[ifd + 2 + 12 * i : ifd + 14 + 12 * i]
            tag, typ, cnt = struct.unpack(e + "HHI", entry[:8])
            if tag not in found or typ not in (3, 4) or not 0 < cnt <= 16:
                continue
            size = _TIFF_TYPE_SIZE[typ] * cnt
            blob = (
                entry[8 : 8 + size] if size <= 4 else raw[(off := struct.unpack(e + "I", entry[8:12])[0]) : off + size]
            )
            found[tag] = list(struct.unpack(e + ("H" if typ == 3 else "I") * cnt, blob))
        return max(found[339]), max(found[258])
    except (struct.error, ValueError):
        return None


def _refuse_unsupported_tiff(raw: bytes, fmt: str, refused: ScanRejected) -> None:
    """A TIFF refused as damaged is refused as unsupported instead when its samples are what Pillow cannot read."""
    if fmt == "TIFF" and refused.code == "corrupt" and (unsupported := _unsupported_tiff(raw)) is not None:
        raise unsupported from refused


def _unsupported_tiff(raw: bytes) -> ScanRejected | None:
    """A TIFF Pillow could not read because of its samples (64-bit floating point, 64-bit integers, 12- or 24-bit
    ones): refused as a kind not read here, naming its samples and what to export instead; None when its samples are
    of a kind read here (the file is then damaged, as said)."""
    samples = _tiff_samples(raw)
    if samples is None or samples in _TIFF_READ:
        return None
    sample_format, bits = samples
    kind = _TIFF_SAMPLE_FORMATS.get(sample_format) or _("of sample format %(n)s") % {"n": digits(sample_format)}
    return ScanRejected(
        _(
            "The TIFF's samples are %(bits)s-bit %(kind)s, which is not read here. Export the scan as a TIFF of 8- or "
            "16-bit integers or 32-bit floating point, or as PNG."
        )
        % {"bits": digits(bits), "kind": kind},
        code="unsupported_samples",
        status=415,
    )


def _tiff_rewrite(raw: bytes, bits: int = 8) -> bytes:
    """Lossless TIFF from the decoded pixels only: no tag of the original survives."""
    with Image.open(io.BytesIO(raw), formats=["TIFF"]) as im:
        im.load()
        if bits > 8 and im.mode in ("RGB", "RGBA"):
            # Pillow holds colour at 8 bits a sample: a 48-bit colour TIFF was stored with half its bits gone.
            # OpenCV keeps all 16 (and writes no tag of the original either).
            kept = _tiff_rewrite_16_bit_colour(raw)
            if kept is not None:
                return kept
        clean = Image.frombytes(im.mode, im.size, im.tobytes())
    buf = io.BytesIO()
    clean.save(buf, "TIFF", compression="tiff_adobe_deflate")
    return buf.getvalue()


def _tiff_rewrite_16_bit_colour(raw: bytes) -> bytes | None:
    """A 16-bit colour TIFF rewritten from its pixels as OpenCV decodes them (every bit), or None when
    OpenCV cannot read it."""
    import cv2
    import numpy as np

    pixels = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.dtype != np.uint16:
        return None
    ok, encoded = cv2.imencode(".tiff", pixels)
    return encoded.tobytes() if ok else None
