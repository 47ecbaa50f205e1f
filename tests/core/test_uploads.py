"""The one content check behind every upload form: kind by content, hash, nothing hidden."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from tests import files


@pytest.mark.parametrize(
    ("data", "kind"), [(files.pdf(2), "pdf"), (files.jpeg(), "jpeg"), (files.png(), "png")], ids=["pdf", "jpeg", "png"]
)
def test_it_accepts_pdf_jpeg_and_png_by_content_whatever_the_name(data, kind):
    checked = uploads.check_upload(SimpleUploadedFile("scan.exe", data))
    assert checked.kind == kind
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.data == data


@pytest.mark.parametrize(
    ("name", "data", "code", "status"),
    [
        ("evil.exe", files.EXE, "wrong_type", 415),
        ("evil.pdf", files.EXE, "wrong_type", 415),  # the name lies
        ("page.pdf", files.pdf(javascript="app.alert(1)"), "active_content", 400),
        ("page.pdf", files.pdf()[:-60], "corrupt", 400),
        ("photo.jpg", files.jpeg((300, 200))[:-400], "corrupt", 400),
        ("photo.jpg", files.jpeg() + b"PK\x03\x04" + files.EXE, "polyglot", 400),
        ("photo.png", files.png() + b"<script>alert(1)</script>", "polyglot", 400),
        ("photo.png", b"", "empty", 400),
        ("bomb.png", files.png_bomb(), "too_many_pixels", 413),
    ],
    ids=[
        "exe",
        "exe-named-pdf",
        "pdf-javascript",
        "pdf-truncated",
        "jpeg-truncated",
        "jpeg-zip",
        "png-script",
        "empty",
        "bomb",
    ],
)
def test_it_refuses_what_is_not_a_plain_document(name, data, code, status):
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_upload(SimpleUploadedFile(name, data), field="evidence")
    assert (exc.value.code, exc.value.status, exc.value.field) == (code, status, "evidence")
    assert exc.value.message


def test_it_refuses_a_file_over_the_size_cap_before_reading_it(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_upload(SimpleUploadedFile("big.png", files.png((400, 400), colour=(1, 2, 3)) + b"\0" * 2000))
    assert exc.value.status == 413 and "too large" in exc.value.message


def test_stored_names_are_random_and_say_the_checked_kind():
    first, second = uploads.stored_name("pdf"), uploads.stored_name("pdf")
    assert first != second and first.endswith(".pdf")
    assert uploads.checked_kind(f"evidence/7/{first}") == "pdf"
    assert uploads.checked_kind("evidence/7/evil.exe") is None
    assert uploads.checked_kind("evidence/7/report.pdf") is None  # stored before the checks: content unknown
