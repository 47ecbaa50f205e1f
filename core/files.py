"""Serving evidence files and exports: the one door every download goes through.

``serve_evidence`` streams a stored file (a scan and its previews, a change map, a plate photo,
an arrival evidence document, an inspection attachment, a letter's or a return's stored file)
after checking its SHA-256 against the one recorded when it was stored; ``serve_export``
finishes a file built for this request (a list exported as CSV, an office's
part of a return as CSV). Both answer with the same headers and write the same audit entry:

- ``Cache-Control: no-store`` and ``Pragma: no-cache`` (shared customs workstations keep nothing),
  ``X-Content-Type-Options: nosniff``, and a Content-Disposition whose name cannot carry a path,
  a quote or a control character, with an ASCII fallback and the UTF-8 name (RFC 5987/6266) for
  Persian names;
- one audit entry with action ACCESS (``record_access``: the only place that writes it).

A file whose bytes no longer have the recorded SHA-256 (altered, or gone) is never served: the
answer is 409 with a page in the app's layout (the API's error body under /api/), the error is
logged, and ``core.signals.file_integrity_failed`` is sent; ``reports`` opens a system problem
for the IT office from it (one open problem per file). A task that builds a file from a stored
one (the worker making an office's part of a return) asks ``stored_intact``, which reports the
same way and leaves the refusal to the task.

With media on S3 (MinIO; ``S3_BUCKET`` set), the bytes are not streamed through the app: after the
view's scope check and the integrity check, the answer is a 302 to a presigned GET URL for that one
object, valid ``S3_URL_EXPIRY_SECONDS`` (a minute by default), that makes the store send the same
Content-Type, Content-Disposition and ``Cache-Control: no-store``. The bucket stays private: without
a fresh signature the store refuses every request.

The hash is computed on every serve, with no cache: SHA-256 runs at about 1.4 GB/s on this
hardware (0.07 s for 100 MB, 0.15 s for the largest scan accepted, 200 MB), small beside the
transfer, and a cache keyed on the file's size and modification time could be fooled by whoever
can write the file (they can set its time back too). The file is hashed, then opened again to
stream: a change between the two reads is not caught (it would need someone writing the file at
that very moment; the next serve refuses it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api import error_body
from core.dates import format_jalali
from core.signals import file_integrity_failed

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
INTEGRITY_STATUS = 409  # the stored file conflicts with its own record; not a crash of the server


def file_sha256(fieldfile) -> str:
    """SHA-256 (hex) of a stored file, read in chunks. Raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    with fieldfile.storage.open(fieldfile.name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- names --------------------------------------------------------------------------------------


def export_filename(
    what: str,
    ext: str,
    *,
    period: tuple[dt.date, dt.date] | None = None,
    made_at: dt.datetime | None = None,
    then: str = "",
) -> str:
    """The name of every exported file, its dates in one style (Jalali, Latin digits, as a file name is
    typed): ``<what>_<dates>[_<then>].<ext>``. The dates are the period the rows cover, its first and last
    day (``1405-08-15_1405-09-14``), or else when the file was made, Tehran time (``1405-09-14_2343``; now
    unless given). ``then``: what else the name says (the part of the country covered: ``province-WAZ``).
    E.g. ``declarations_1405-09-14_2343.xlsx``, ``anpr-camera-corrections_1405-08-15_1405-09-14_province-WAZ.csv``."""
    if period is not None:
        dates = "_".join(format_jalali(day, with_time=False, persian=False).replace("/", "-") for day in period)
    else:
        made = format_jalali(made_at or timezone.now(), persian=False)  # 1405/09/14 23:43
        dates = made.replace("/", "-").replace(" ", "_").replace(":", "")
    return "_".join(part for part in (what, dates, then) if part) + f".{ext}"


# --- headers ------------------------------------------------------------------------------------


def safe_filename(name: str, default: str = "download") -> str:
    """A file name fit for a header: no folder, no control or format characters (bidi marks
    included), no quote or backslash, no leading dot; at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if ch in '";' else ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = name.strip().lstrip(".").strip()
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or default


def content_disposition(filename: str, *, as_attachment: bool) -> str:
    """``attachment``/``inline`` with the name: ASCII as is; otherwise an ASCII fallback and the
    UTF-8 name in ``filename*`` (RFC 5987), which every current browser prefers."""
    kind = "attachment" if as_attachment else "inline"
    name = safe_filename(filename)
    if name.isascii():
        return f'{kind}; filename="{name}"'
    fallback = "".join(ch if ch.isascii() and ch.isprintable() else "_" for ch in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def no_store(response: HttpResponseBase) -> HttpResponseBase:
    """Nothing of this response is kept by the browser or a proxy."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    response.headers.pop("Expires", None)
    return response


# An image opened in the browser is a document of the browser's own, whose inline style the pages' policy
# would block (a console error, the image unstyled); it gets a policy of its own that allows nothing else.
# PDFs keep the pages' policy: a sandboxed document cannot show a PDF.
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _file_headers(response: HttpResponseBase, filename: str, as_attachment: bool) -> HttpResponseBase:
    response["Content-Disposition"] = content_disposition(filename, as_attachment=as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    if str(response.get("Content-Type", "")).startswith("image/"):
        response["Content-Security-Policy"] = IMAGE_CSP
    return no_store(response)


# --- audit --------------------------------------------------------------------------------------


def _user(request):
    """The user behind the request, or None (anonymous, or a principal that is no user: a camera)."""
    from django.contrib.auth import get_user_model

    user = getattr(request, "user", None)
    return user if isinstance(user, get_user_model()) and user.is_authenticated else None


def record_access(request, subject, *, what: str, **details) -> None:
    """One audit entry (action ACCESS) for a download or an export: who, from where, what.

    ``subject`` is the record the file belongs to, or a model class for an export of many rows
    (the entry then names the kind of rows). Written through the hash-chained trail (``core.audit``)."""
    from . import audit

    data = {k: v for k, v in details.items() if v not in (None, "")}
    principal = getattr(request, "user", None)
    if _user(request) is None and getattr(principal, "is_authenticated", False):
        data["principal"] = str(principal)  # a camera token, say: not a user, still named
    audit.record_access(request, subject, what, **data)


# --- serving ------------------------------------------------------------------------------------


def _altered(fieldfile, sha256: str) -> str | None:
    """None when the stored file's bytes still have ``sha256``; otherwise the SHA-256 they have now
    ("" when the file is gone or no hash was recorded to compare with)."""
    try:
        actual = file_sha256(fieldfile)
    except OSError:
        actual = ""
    return None if sha256 and actual == sha256 else actual


def stored_intact(fieldfile, *, sha256: str, office_id=None, declaration_id: int | None = None) -> bool:
    """True when the stored file's bytes still have ``sha256``; otherwise False, the failure already
    reported (logged, signalled, audited), for a task that reads a stored file to build another (an
    office's part of a return, built by the worker). ``office_id`` may be a callable, called only on
    a failure."""
    actual = _altered(fieldfile, sha256)
    if actual is None:
        return True
    _report_altered(None, fieldfile, expected=sha256, actual=actual, office_id=office_id, declaration_id=declaration_id)
    return False


def check_stored(
    request, fieldfile, *, sha256: str, office_id=None, declaration_id: int | None = None
) -> HttpResponseBase | None:
    """None when the stored file's bytes still have ``sha256``; otherwise the refusal to answer
    with (409), the failure already reported as ``stored_intact`` does. For a view that reads a
    stored file to stream another (an office's part of a return as CSV) as well as for
    ``serve_evidence``. ``office_id`` may be a callable, called only on a failure."""
    actual = _altered(fieldfile, sha256)
    if actual is None:
        return None
    _report_altered(
        request, fieldfile, expected=sha256, actual=actual, office_id=office_id, declaration_id=declaration_id
    )
    return _refusal(request, expected=sha256, actual=actual)


def serve_evidence(
    request,
    fieldfile,
    *,
    sha256: str,
    filename: str,
    content_type: str,
    as_attachment: bool = False,
    office_id=None,
    declaration_id: int | None = None,
    what: str = "",
    details: dict | None = None,
) -> HttpResponseBase:
    """Stream a stored file if its bytes still have the SHA-256 recorded at storage.

    ``fieldfile`` is the model's file field (its record is what the audit entry and the alert
    name); an empty field is a 404. A mismatch, a file gone from storage or no recorded hash is
    refused with 409 and reported (module docstring). The audit entry's access is ``what`` (the
    field's name by default; "export" for an export job's file), with ``details`` added."""
    if not fieldfile:
        raise Http404(_("This file is not available."))
    refusal = check_stored(request, fieldfile, sha256=sha256, office_id=office_id, declaration_id=declaration_id)
    if refusal is not None:
        return refusal
    url = signed_url(fieldfile, filename=filename, content_type=content_type, as_attachment=as_attachment)
    if url:
        response: HttpResponseBase = no_store(HttpResponseRedirect(url))
    else:
        response = _file_headers(FileResponse(fieldfile.open("rb"), content_type=content_type), filename, as_attachment)
    record_access(
        request,
        fieldfile.instance,
        what=what or fieldfile.field.name,
        file=fieldfile.name,
        sha256=sha256,
        filename=safe_filename(filename),
        via="signed URL" if url else "",
        **(details or {}),
    )
    return response


def signed_url(fieldfile, *, filename: str, content_type: str, as_attachment: bool) -> str | None:
    """A presigned GET URL for a stored file, valid ``S3_URL_EXPIRY_SECONDS``, with the headers the
    store is to answer with; None when the file's storage is not S3 (files on disk are streamed)."""
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    storage = fieldfile.storage
    if not isinstance(storage, S3Storage):
        return None
    client = _signing_client(
        settings.S3_PUBLIC_ENDPOINT_URL or storage.endpoint_url or "",
        storage.access_key,
        storage.secret_key,
        storage.region_name or "us-east-1",
    )
    return client.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": storage.bucket_name,
            "Key": storage._normalize_name(clean_name(fieldfile.name)),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition(filename, as_attachment=as_attachment),
            "ResponseCacheControl": "no-store",
        },
        ExpiresIn=settings.S3_URL_EXPIRY_SECONDS,
    )


@functools.lru_cache(maxsize=4)
def _signing_client(endpoint_url: str, access_key: str, secret_key: str, region: str):
    """An S3 client that only signs (no request leaves it): for the address the browser uses, which
    may differ from the one the app reaches the store at (the signature covers the host)."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def serve_export(
    request, response: HttpResponseBase, *, subject, filename: str, as_attachment: bool = True, **details
) -> HttpResponseBase:
    """Finish a file built for this request (``response`` holds it): the headers of every file
    served, and its audit entry. ``subject``: the record, or the model class of the rows exported."""
    _file_headers(response, filename, as_attachment)
    record_access(request, subject, what="export", filename=safe_filename(filename), **details)
    return response


def _report_altered(request, fieldfile, *, expected: str, actual: str, office_id, declaration_id) -> None:
    """A stored file found altered: logged, signalled (``reports`` opens a problem for the IT office)
    and audited as a refused access. ``request`` is None in a task."""
    if callable(office_id):
        office_id = office_id()
    instance, field = fieldfile.instance, fieldfile.field.name
    label = type(instance)._meta.label
    log.error(
        "file integrity: %s %s.%s %s: recorded SHA-256 %s, now %s; refused",
        label,
        instance.pk,
        field,
        fieldfile.name,
        expected or "(none)",
        actual or "(file missing)",
    )
    for receiver, result in file_integrity_failed.send_robust(
        sender=type(instance),
        instance=instance,
        field=field,
        name=fieldfile.name,
        expected=expected,
        actual=actual,
        office_id=office_id,
        declaration_id=declaration_id,
        request=request,
    ):
        if isinstance(result, Exception):
            log.error("file integrity: the alert receiver %r failed: %r", receiver, result, exc_info=result)
    record_access(request, instance, what=field, file=fieldfile.name, sha256=expected, outcome="refused: altered")


def _refusal(request, *, expected: str, actual: str) -> HttpResponseBase:
    message = _(
        "This file was changed or removed after it was stored: its SHA-256 no longer matches the "
        "one recorded. It is not served; the IT office has been told."
    )
    if request.path.startswith("/api/"):
        response: HttpResponseBase = JsonResponse(error_body("file_integrity", message), status=INTEGRITY_STATUS)
    else:
        response = render(
            request,
            "file_integrity.html",
            {"message": message, "expected": expected, "actual": actual},
            status=INTEGRITY_STATUS,
        )
    return no_store(response)
