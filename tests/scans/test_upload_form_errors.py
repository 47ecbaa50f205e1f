"""The upload form's errors, as the page shows them: beside the field they are about."""

import html as htmllib
import re

import pytest
from django.urls import reverse

from scans.models import Scan
from tests.scans.conftest import stored_files

pytestmark = pytest.mark.django_db


def field_errors(html: str, name: str) -> list[str]:
    """The error lines shown under the field ``name`` (the form's one style: invalid-feedback)."""
    for block in html.split('<div class="mb-2')[1:]:
        if f'name="{name}"' in block:
            found = re.findall(r'<div class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', block, re.S)
            return [htmllib.unescape(re.sub(r"<[^>]+>", "", e)).strip() for e in found]
    raise AssertionError(f"no field {name} on the page")


def test_an_empty_upload_says_beside_the_file_field_that_a_file_is_needed(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(reverse("scans:upload", args=[declaration.pk]), {"stage": "origin"})
    assert response.status_code == 400
    html = response.content.decode()
    # All missing fields at once, each beside itself: not the scanner first and the file on the next try.
    assert field_errors(html, "scanner_id") and field_errors(html, "captured_at")
    assert field_errors(html, "files") == ["Choose “scan images”."]
    assert Scan.objects.count() == 0 and stored_files(settings) == []


def test_an_upload_with_no_file_names_the_file_field(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {"stage": "origin", "scanner_id": "NUC-7", "captured_at": "1404/05/12 10:30"},
    )
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "files") == ["Choose “scan images”."]
    assert Scan.objects.count() == 0


def test_the_scripts_upload_names_a_bad_field_by_its_label(client, declaration, origin_clerk):
    """The page's script shows the message beside the file's name: "captured at", not "captured_at"."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.scans import images

    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": "yesterday",
            "files": SimpleUploadedFile("a.png", images.png()),
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("captured at: ") and "captured_at" not in error["message"]
    assert "captured_at" in error["fields"]  # the script finds the field by its name
    assert Scan.objects.count() == 0


def test_an_origin_office_choosing_the_destination_stage_is_told_which_stage_it_may_upload(
    client, declaration, origin_clerk
):
    """It read «destination از گزینه‌های موجود نیست»: a stage's code in a Persian sentence."""
    client.cookies["django_language"] = "fa"
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {"stage": "destination", "scanner_id": "NUC-7", "captured_at": "1404/05/12 10:30"},
    )
    assert response.status_code == 400
    errors = field_errors(response.content.decode(), "stage")
    assert errors == ["این گمرک فقط اسکن مرحلهٔ مبدأ را می‌تواند بارگذاری کند."]
    assert Scan.objects.count() == 0


@pytest.mark.persian
def test_the_scripts_line_for_a_file_joins_its_errors_without_a_full_stop_before_the_semicolon(
    client, declaration, origin_clerk
):
    """It read «شناسه دستگاه اسکنر: حداکثر ۶۴ نویسه.; زمان ثبت تصویر: …» (a walk, 2026-12-07): the errors are
    joined with the page's semicolon, no full stop before it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.scans import images

    client.cookies["django_language"] = "fa"
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "N" * 65,
            "captured_at": "yesterday",
            "files": SimpleUploadedFile("a.png", images.png()),
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "؛ " in message and ".;" not in message and ".؛" not in message and "; " not in message, message
    assert message.endswith(".")


@pytest.mark.persian
def test_an_empty_file_is_refused_naming_it_as_a_file_that_is_no_image_is(client, declaration, origin_clerk):
    """«فایل ارسال شده خالی است.» named no file, where «notimage.png: …» did (a walk, 2026-12-07)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.cookies["django_language"] = "fa"
    client.force_login(origin_clerk)
    data = {"stage": "origin", "scanner_id": "NUC-7", "captured_at": "1404/05/12 10:30"}
    url = reverse("scans:upload", args=[declaration.pk])
    response = client.post(url, {**data, "files": SimpleUploadedFile("empty.png", b"")})
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "files") == ["\u2068empty.png\u2069: فایل ارسال شده خالی است."]
    response = client.post(url, {**data, "files": SimpleUploadedFile("empty.png", b"")}, HTTP_ACCEPT="application/json")
    assert "\u2068empty.png\u2069: فایل ارسال شده خالی است." in response.json()["error"]["message"]
    assert Scan.objects.count() == 0
