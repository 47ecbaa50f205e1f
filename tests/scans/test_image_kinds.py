"""Scans in the image kinds scanners write, uploaded end to end: stored as sent, compared as seen."""

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scans.benchmark.pairs import make_pair, synthetic_scan
from scans.models import Scan, ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import stored_files, upload

pytestmark = pytest.mark.django_db


def pair(seed: int, tampered: bool) -> tuple[np.ndarray, np.ndarray]:
    """An origin and a destination scan of one truck (8-bit grey), the second from another scanner."""
    rng = np.random.default_rng(seed)
    origin, dest_jpeg, _label = make_pair(synthetic_scan(rng, 640, 240), rng, tampered=tampered, kind="remove")
    return origin, cv2.imdecode(np.frombuffer(dest_jpeg, np.uint8), cv2.IMREAD_GRAYSCALE)


def int32_tiff(grey: np.ndarray) -> bytes:
    """A 32-bit integer TIFF as some detectors write it: counts far below 2³¹."""
    return images.encode(grey.astype(np.int32) * 1000, "TIFF")


@pytest.mark.parametrize(("seed", "tampered", "verdict"), [(1, False, "consistent"), (7, True, "suspicious")])
def test_a_32_bit_integer_tiff_pair_is_compared_as_the_scanner_saw_it(
    departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, seed, tampered, verdict
):
    """It was read as black (its counts divided by 2³¹): every pair "could not be aligned", a removed load
    never flagged."""
    origin, dest = pair(seed, tampered)
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.ORIGIN, origin_clerk, int32_tiff(origin), name="origin.tif")
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, int32_tiff(dest), name="dest.tif")
    comparison = ScanComparison.objects.get()
    assert comparison.status == ScanComparison.Status.DONE, comparison.error
    assert comparison.verdict == verdict, comparison.details


@pytest.mark.parametrize(
    ("case", "data", "bits"),
    [
        (
            "16-bit colour PNG",
            cv2.imencode(".png", np.dstack([images.scan_array().astype(np.uint16) * 257] * 3))[1],
            16,
        ),
        ("float TIFF", images.encode(images.scan_array().astype(np.float32) / 255, "TIFF"), 32),
        ("1-bit PNG", images.encode(images.scan_array() > 128, "PNG"), 1),
    ],
)
def test_the_page_says_the_bits_per_sample_of_the_file(client, declaration, origin_clerk, case, data, bits):
    """A 16-bit colour PNG was listed as «8 bit», a float TIFF as «8 bit» (Pillow's way of holding the pixels)."""
    scan = upload(declaration, Stage.ORIGIN, origin_clerk, bytes(data), name="scan.img")
    assert scan.bit_depth == bits
    client.force_login(origin_clerk)
    page = client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode()
    assert f"· {bits} bit" in page


@pytest.mark.parametrize("channels", [3, 4])
def test_a_16_bit_colour_tiff_is_stored_with_every_bit(client, declaration, origin_clerk, channels):
    """A 48-bit colour TIFF was stored reduced to 8 bits a sample: the original downloaded was not the one sent."""
    grey = images.scan_array().astype(np.uint16) * 251 + 7  # every bit of 16 in use
    pixels = np.dstack([grey, grey // 2, 65535 - grey, np.full_like(grey, 65535)][:channels])
    sent = cv2.imencode(".tiff", pixels)[1].tobytes()
    # Its channels differ (a dual-energy scanner's material colours): uploaded as pseudo-colour, as such a scan is.
    scan = upload(declaration, Stage.ORIGIN, origin_clerk, sent, name="scan.tif", pseudo_colour=True)
    client.force_login(origin_clerk)
    original = b"".join(client.get(reverse("scans:original", args=[scan.pk])).streaming_content)
    stored = cv2.imdecode(np.frombuffer(original, np.uint8), cv2.IMREAD_UNCHANGED)
    assert stored.dtype == np.uint16 and np.array_equal(stored, pixels)
    assert scan.bit_depth == 16


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("white PNG", images.encode(np.full((140, 360), 255, np.uint8), "PNG")),
        ("grey JPEG", images.encode(np.full((140, 360, 3), 128, np.uint8), "JPEG")),
        ("black 16-bit TIFF", images.encode(np.zeros((140, 360), np.uint16), "TIFF")),
    ],
)
def test_a_single_colour_image_is_refused_saying_it_shows_no_truck(
    client, settings, declaration, origin_clerk, case, data
):
    """It was stored as the origin's scan (the missing-scan signal cleared) and compared as «could not be
    aligned»."""
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": images.recent_iso(),
            "files": SimpleUploadedFile("s", data),
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "blank" and "shows no truck" in error["fields"]["files"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []
    declaration.refresh_from_db()
    assert declaration.origin_scan_at is None
