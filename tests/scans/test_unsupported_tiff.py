"""A TIFF whose samples Pillow does not read (64-bit floating point, as some detectors' software exports) is refused
as a format not read here, naming its bit depth and sample format: it was refused as «damaged or incomplete
(truncated upload?)», and uploading it again could not help. A 32-bit float or integer TIFF is still read."""

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scans.models import Scan
from scans.validation import ScanRejected, check_bytes
from tests.scans import images


def _tiff(dtype) -> bytes:
    ok, encoded = cv2.imencode(".tiff", images.scan_array().astype(dtype) / 255)
    assert ok
    return encoded.tobytes()


def test_a_64_bit_float_tiff_is_refused_as_unsupported_naming_its_samples():
    with pytest.raises(ScanRejected) as info:
        check_bytes(_tiff(np.float64))
    assert (info.value.code, info.value.status) == ("unsupported_samples", 415)
    assert "64-bit floating point" in info.value.message and "damaged" not in info.value.message
    assert "32-bit floating point" in info.value.message  # what to export instead


def test_a_32_bit_float_tiff_is_still_read():
    assert check_bytes(_tiff(np.float32)).bit_depth == 32


def test_a_damaged_tiff_is_still_called_damaged():
    raw = _tiff(np.float32)
    with pytest.raises(ScanRejected) as info:
        check_bytes(raw[: len(raw) // 2])
    assert info.value.code == "corrupt"


@pytest.mark.django_db
@pytest.mark.persian
def test_the_upload_page_says_so_beside_the_file_in_persian(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    url = reverse("scans:upload", args=[declaration.pk])
    tiff = SimpleUploadedFile("scan.tif", _tiff(np.float64))
    body = {"stage": "origin", "scanner_id": "NUC-7", "captured_at": images.recent_iso(), "files": tiff}
    response = client.post(url, body)
    page = response.content.decode()
    assert response.status_code == 415, page[:2000]
    assert "۶۴ بیتی" in page and "ممیز شناور" in page
    assert not Scan.objects.exists()
