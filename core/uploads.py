"""Content checks for every uploaded file: what the bytes are, never what the name says.

One validator for every upload: arrival evidence (declarations), inspection attachments
(reports) and plate photos (anpr) call ``check_upload``/``check_bytes``; scans
(``scans/validation.py``) share its type sniffing and its pixel check and add their own
metadata clean-up; ICS import files get the malware scan only. It imports no app, so every app
may import it. In order, cheapest first, nothing stored by any step:

1. size cap, before the whole file is read (413), then the malware scan of the bytes as
   received, before any parser, when clamd is configured (``malware_check``: 422, 503);
2. kind from the magic bytes, among the kinds the caller accepts (415);
3. images: width and height from the header (Pillow's lazy open, no ``load()``) against the
   caller's pixel limit, BEFORE anything is decoded (413: decompression bombs);
4. with ``decode``: images must end where the image ends (PNG IEND, JPEG EOI: nothing hidden
   after them) and decode in full; PDFs must parse (cross-reference, page tree), carry no
   password and no active content (JavaScript, launch actions, embedded files, XFA forms);
5. SHA-256 of the bytes as stored.

Accepted kinds: PDF, JPEG and PNG for documents; JPEG and PNG for photos. TIFF only for
scans (browsers cannot show it, so a document in TIFF is to be sent as PDF).
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import re
import threading
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageFile

from core import malware
from core.dates import persian_digits
from core.text import format_number

log = logging.getLogger(__name__)

PDF, JPEG, PNG, TIFF = "pdf", "jpeg", "png", "tiff"
DOCUMENT_KINDS = (PDF, JPEG, PNG)
PHOTO_KINDS = (JPEG, PNG)

CONTENT_TYPES = {PDF: "application/pdf", JPEG: "image/jpeg", PNG: "image/png", TIFF: "image/tiff"}
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", TIFF: "tif"}
PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG", TIFF: "TIFF"}
_KIND_OF_EXTENSION = {"pdf": PDF, "jpg": JPEG, "png": PNG}

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: length 0, type, CRC
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
# What in a PDF runs something or carries another file: an evidence document needs none of it.
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMedia", "/XFA")
PDF_ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute")


class UploadRejected(Exception):
    """An upload refused; ``status`` is the HTTP status to answer with, ``field`` the form field."""

    def __init__(self, message: str, *, code: str, field: str = "file", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.status = status


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # pdf | jpeg | png
    data: bytes  # what to store
    sha256: str  # of ``data``
    width: int = 0
    height: int = 0
    pages: int = 0

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]


def sniff(raw: bytes) -> str | None:
    """The kind the first bytes say, or None."""
    if raw.startswith(PNG_MAGIC):
        return PNG
    if raw.startswith(JPEG_MAGIC):
        return JPEG
    if raw.startswith(b"%PDF-"):
        return PDF
    if raw[:4] in TIFF_MAGICS:
        return TIFF
    return None


_STORED_NAME = re.compile(r"(?:^|/)[0-9a-f]{32}\.(pdf|jpg|png)$")


def stored_name(kind: str) -> str:
    """Name to save a checked file under: random (never the client's), with the kind's extension.

    ``upload_to`` functions keep it as it is (see ``checked_kind``)."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS[kind]}"


def checked_kind(name: str) -> str | None:
    """The kind of a stored file that went through these checks (its name says so), else None:
    a file stored before them is of unknown content, whatever its extension."""
    found = _STORED_NAME.search(name)
    return _KIND_OF_EXTENSION[found[1]] if found else None


def _number(n: int | float) -> str:
    text = f"{n:,}"
    if (translation.get_language() or "fa").startswith("fa"):
        return persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def megabytes(size: int, limit: int) -> dict[str, str]:
    """A file's size and the limit it passed, in MB in the reader's digits, with as many places as it takes
    for the size to read larger: a photo of 3.04 MB read «3.0 MB; the limit is 3.0 MB», a scan of 2.03 MB
    «2 MB; the limit is 2 MB»."""
    mb = 2**20
    for places in (1, 2, 3):
        shown, most = round(size / mb, places), round(limit / mb, places)
        if shown > most:
            break
    else:  # a few bytes over: the size rounded up
        shown = math.ceil(size / mb * 1000) / 1000
    return {"size": format_number(shown), "limit": format_number(most)}


def too_large(size: int, limit: int, *, field: str = "file") -> UploadRejected:
    return UploadRejected(
        _("The file is too large (%(size)s MB; the limit is %(limit)s MB).") % megabytes(size, limit),
        code="too_large",
        field=field,
        status=413,
    )


def too_many_pixels(pixels: int | None, limit: int, *, field: str = "file") -> UploadRejected:
    if pixels is None:
        message = _("The image has too many pixels (decompression bomb).")
    else:
        message = _("The image claims %(px)s pixels, more than the %(limit)s allowed (decompression bomb?).") % {
            "px": _number(pixels),
            "limit": _number(limit),
        }
    return UploadRejected(message, code="too_many_pixels", field=field, status=413)


def corrupt(*, field: str = "file", detail: str = "") -> UploadRejected:
    msg = _("The image is damaged or incomplete (truncated upload?).")
    return UploadRejected(f"{msg} {detail}".strip(), code="corrupt", field=field)


def open_image_header(raw: bytes, kind: str, *, max_pixels: int, field: str = "file") -> Image.Image:
    """Open an image lazily (header only) and refuse it above ``max_pixels`` before any decoding.

    Pillow's own process-wide bomb guard becomes the same refusal, never a warning: our limit
    (a setting per kind of upload) decides.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(raw), formats=[PIL_FORMATS[kind]])
    except Image.DecompressionBombError as exc:
        # Past Pillow's own hard limit; its message carries the count ("Image size (N pixels) ...").
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        raise too_many_pixels(int(claimed[1]) if claimed else None, max_pixels, field=field) from exc
    except Exception as exc:  # any parser failure is a refusal, not a 500
        raise corrupt(field=field) from exc
    width, height = im.size
    if width * height > max_pixels:
        raise too_many_pixels(width * height, max_pixels, field=field)
    return im


def image_pixels_check(raw: bytes, *, max_pixels: int, kinds=PHOTO_KINDS, field: str = "file") -> tuple[int, int]:
    """Header check of a stored or received image before a decoder (OpenCV, say) gets it."""
    kind = sniff(raw)
    if kind is None or kind not in kinds:
        raise _wrong_kind(kinds, field)
    return open_image_header(raw, kind, max_pixels=max_pixels, field=field).size


def check_upload(
    uploaded,
    *,
    kinds=DOCUMENT_KINDS,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    field: str = "file",
    decode: bool = True,
) -> CheckedFile:
    """Check an uploaded file (Django ``UploadedFile`` or any object with ``size`` and ``read``)."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise too_large(size, max_bytes, field=field)
    uploaded.seek(0)
    raw = uploaded.read(max_bytes + 1)
    uploaded.seek(0)
    return check_bytes(raw, kinds=kinds, max_bytes=max_bytes, max_pixels=max_pixels, field=field, decode=decode)


def check_bytes(
    raw: bytes,
    *,
    kinds=DOCUMENT_KINDS,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    field: str = "file",
    decode: bool = True,
) -> CheckedFile:
    """See the module's docstring. ``decode=False`` stops after the header (plate photos: the
    recognition task decodes them, and the camera API must stay cheap)."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.EVIDENCE_MAX_PIXELS
    if not raw:
        raise UploadRejected(_("The file is empty."), code="empty", field=field)
    if len(raw) > max_bytes:
        raise too_large(len(raw), max_bytes, field=field)
    malware_check(raw, field=field)
    kind = sniff(raw)
    if kind is None or kind not in kinds:
        raise _wrong_kind(kinds, field)
    sha256 = hashlib.sha256(raw).hexdigest()
    if kind == PDF:
        pages = _check_pdf(raw, field) if decode else 0
        return CheckedFile(kind=kind, data=raw, sha256=sha256, pages=pages)
    im = open_image_header(raw, kind, max_pixels=max_pixels, field=field)
    width, height = im.size
    if decode:
        if getattr(im, "n_frames", 1) != 1:
            raise UploadRejected(
                _("A multi-page image is not accepted: upload one page per file."), code="multi_page", field=field
            )
        _decode(raw, kind, field)
        _nothing_after_the_image(raw, kind, field)
    return CheckedFile(kind=kind, data=raw, sha256=sha256, width=width, height=height)


def malware_check(raw: bytes, *, field: str = "file") -> None:
    """Scan the bytes of an upload with clamd (``core.malware``) before anything else reads them.

    Every upload passes here while it is still only the request's temporary upload (the
    quarantine): nothing is stored or attached to a row before clamd calls it clean. Infected:
    422 naming the signature, recorded by ``malware.record_infected``. Scanning configured but
    clamd gives no verdict (down, too slow, refuses the size): 503, fail closed. Scanning off
    (no ``CLAMD_SOCKET``/``CLAMD_HOST``): nothing to do; the upload forms say so.
    """
    if not malware.enabled():
        return
    try:
        signature = malware.scan(raw)
    except malware.ScanUnavailable as exc:
        log.error("malware scanning unavailable, upload refused (field %r, %d bytes): %s", field, len(raw), exc)
        raise UploadRejected(
            _("Malware scanning is unavailable at the moment, so the file was not accepted: try again later."),
            code="scan_unavailable",
            field=field,
            status=503,
        ) from exc
    if signature:
        malware.record_infected(signature=signature, field=field, size=len(raw), sha256=hashlib.sha256(raw).hexdigest())
        raise UploadRejected(
            # clamd marks a signature from a database other than ClamAV's own ".UNOFFICIAL"; the log keeps it.
            _("The file contains malware: %(signature)s. Nothing was stored.")
            % {"signature": signature.removesuffix(".UNOFFICIAL")},
            code="malware",
            field=field,
            status=422,
        )


def _wrong_kind(kinds, field: str) -> UploadRejected:
    if set(kinds) == set(PHOTO_KINDS):
        message = _("The file is not a JPEG or PNG image (whatever its name says).")
    else:
        message = _("The file is not a PDF, JPEG or PNG file (whatever its name says).")
    return UploadRejected(message, code="wrong_type", field=field, status=415)


def _nothing_after_the_image(raw: bytes, kind: str, field: str) -> None:
    """A complete image followed by more bytes hides something (an archive, a script)."""
    if kind == PNG and not raw.endswith(PNG_END):
        end = raw.rfind(PNG_END)
        why = _("%(n)s bytes follow the end of the PNG image")
    elif kind == JPEG and not raw.endswith(b"\xff\xd9"):
        end = raw.rfind(b"\xff\xd9")
        why = _("%(n)s bytes follow the end of the JPEG image")
    else:
        return
    after = len(raw) - (end + (len(PNG_END) if kind == PNG else 2)) if end >= 0 else len(raw)
    raise UploadRejected(
        _("The file is not a plain image: %(why)s. It was refused.") % {"why": why % {"n": _number(after)}},
        code="polyglot",
        field=field,
    )


class _StrictDecoding:
    """How many decodes run with Pillow's ``LOAD_TRUNCATED_IMAGES`` off, and what the first found."""

    lock = threading.Lock()
    running = 0
    found = False


@contextmanager
def strict_decoding() -> Iterator[None]:
    """Pillow refuses a truncated image inside: its ``LOAD_TRUNCATED_IMAGES`` off, then as found.

    WeasyPrint sets that process-wide setting on import (its tolerance for web images); evidence must be complete,
    so it is off while an upload is decoded. The setting is the process's: decodes overlapping in two threads keep
    it off until the last ends, which puts back what the first found (each putting back what it found left it off
    for good when they overlapped, and on while the other still decoded)."""
    with _StrictDecoding.lock:
        if _StrictDecoding.running == 0:
            _StrictDecoding.found = ImageFile.LOAD_TRUNCATED_IMAGES
        _StrictDecoding.running += 1
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        with _StrictDecoding.lock:
            _StrictDecoding.running -= 1
            if _StrictDecoding.running == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _StrictDecoding.found


def _decode(raw: bytes, kind: str, field: str) -> None:
    try:
        with strict_decoding(), warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[PIL_FORMATS[kind]]) as im:
                im.verify()
            with Image.open(io.BytesIO(raw), formats=[PIL_FORMATS[kind]]) as im:
                im.load()
    except Exception as exc:
        raise corrupt(field=field) from exc


def _check_pdf(raw: bytes, field: str) -> int:
    """Parse the PDF as a viewer would; return its page count."""
    import logging

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    damaged = _("The PDF is damaged or incomplete (truncated upload?).")
    if b"%%EOF" not in raw[-2048:]:
        raise UploadRejected(damaged, code="corrupt", field=field)
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # repairs of a sloppy writer are not our log's business
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(
                _("The PDF is password-protected: upload it without a password so that others can open it."),
                code="encrypted",
                field=field,
            )
        pages = len(reader.pages)
        # Every object the file holds (those in object streams too), not only what the pages use.
        seen: set[tuple[int, int]] = set()
        todo: list = [reader.trailer]
        todo.extend(IndirectObject(num, gen, reader) for num, gen in _object_refs(reader))
        while todo:
            obj = todo.pop()
            if isinstance(obj, IndirectObject):
                if (obj.idnum, obj.generation) in seen:
                    continue
                seen.add((obj.idnum, obj.generation))
                obj = obj.get_object()
            if isinstance(obj, DictionaryObject):
                if (
                    any(key in obj for key in PDF_ACTIVE_KEYS)
                    or obj.get("/S") in PDF_ACTIVE_ACTIONS
                    or obj.get("/Type") == "/EmbeddedFile"
                ):
                    raise UploadRejected(
                        _(
                            "The PDF carries scripts, embedded files or actions; print it to a plain PDF and upload that."
                        ),
                        code="active_content",
                        field=field,
                    )
                todo.extend(v for v in obj.values() if isinstance(v, DictionaryObject | ArrayObject | IndirectObject))
            elif isinstance(obj, ArrayObject):
                todo.extend(v for v in obj if isinstance(v, DictionaryObject | ArrayObject | IndirectObject))
    except UploadRejected:
        raise
    except Exception as exc:
        raise UploadRejected(damaged, code="corrupt", field=field) from exc
    finally:
        pypdf_log.setLevel(level)
    if pages < 1:
        raise UploadRejected(damaged, code="corrupt", field=field)
    return pages


def _object_refs(reader) -> set[tuple[int, int]]:
    """(number, generation) of every object in the cross-reference, in object streams too."""
    refs = {(num, gen) for gen, table in reader.xref.items() for num in table}
    refs.update((num, 0) for num in reader.xref_objStm)
    return refs


def served_as(name: str, *, filename: str, download: bool = False) -> tuple[str, str, bool]:
    """How to serve a stored upload (``core.files.serve_evidence``): (file name, content type,
    as attachment). The checked kind's extension replaces the client's and the file opens in
    place (``inline``) unless ``download``; a file stored before the content checks is only
    ever downloaded, as bytes."""
    kind = checked_kind(name)
    if kind:
        filename = f"{filename.rsplit('.', 1)[0] if '.' in filename else filename}.{EXTENSIONS[kind]}"
    content_type = CONTENT_TYPES[kind] if kind else "application/octet-stream"
    return filename, content_type, download or kind is None


def check_photo_bytes(raw: bytes, *, max_bytes: int, max_pixels: int, field: str = "photo") -> CheckedFile:
    """A camera's photo: the header checks of ``check_bytes``, then a pass over the whole file that
    stays cheap enough for the camera API (security probe, finding 16: a "JPEG" of ``FF D8 FF``
    and HTML, or a truncated one, was stored as evidence).

    - a PNG's chunks are read to the end and their CRCs checked (``verify``), without inflating;
      a JPEG is decoded at an eighth of its size (``draft``: the whole entropy-coded stream is
      read, the pixels are not), so a damaged or truncated photo is refused;
    - nothing may follow the image (a polyglot: HTML, an archive);
    - one still image: an animated PNG is refused (the reader reads its first frame, a page plays them all).
    """
    checked = check_bytes(raw, kinds=PHOTO_KINDS, max_bytes=max_bytes, max_pixels=max_pixels, field=field, decode=False)
    if _image_end(raw, checked.kind) < 0:
        raise corrupt(field=field)  # no end of image at all: cut short, or not an image past its header
    try:
        with strict_decoding(), warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw), formats=[PIL_FORMATS[checked.kind]]) as im:
                frames = getattr(im, "n_frames", 1)
                if checked.kind == PNG and frames != 1:
                    # An animated PNG: the reader reads its first frame, a browser plays them all, so the
                    # reviewer may see another plate than the one read.
                    raise UploadRejected(
                        _("An animated image (%(n)s frames) is not accepted as a photo: send one still image.")
                        % {"n": _number(frames)},
                        code="animated",
                        field=field,
                    )
                if checked.kind == PNG:
                    im.verify()
                else:
                    im.draft("L", (max(1, checked.width // 8), max(1, checked.height // 8)))
                    im.load()
    except UploadRejected:
        raise
    except Exception as exc:
        raise corrupt(field=field) from exc
    _nothing_after_the_image(raw, checked.kind, field)
    return checked


def _image_end(raw: bytes, kind: str) -> int:
    """Offset of the image's end marker (PNG IEND, JPEG EOI), or -1 when there is none."""
    return raw.rfind(PNG_END) if kind == PNG else raw.rfind(b"\xff\xd9")
