"""A thumbnail or an icon chosen by mistake is not taken for the truck's scan."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scans.models import Scan
from tests.scans import images
from tests.scans.conftest import stored_files

pytestmark = pytest.mark.django_db


def post(client, declaration, data: bytes):
    return client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": images.recent_iso(),
            "files": SimpleUploadedFile("t.png", data),
        },
        HTTP_ACCEPT="application/json",
    )


def test_an_8_by_8_picture_is_refused_saying_why(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    tiny = images.encode(images.scan_array()[:8, :8].copy(), "PNG")
    response = post(client, declaration, tiny)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_small" and "files" in error["fields"]
    assert "8×8 pixels" in error["message"] and "too small" in error["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []
    declaration.refresh_from_db()
    assert declaration.origin_scan_at is None  # no scan made: the compliance figures do not count one


def test_a_narrow_but_real_scan_is_kept(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    arr = np.ascontiguousarray(images.scan_array(width=360, height=140)[:48])  # a short band, 48 px high
    assert post(client, declaration, images.encode(arr, "PNG")).status_code == 201
