"""A colour photograph is no X-ray scan: refused beside the file field, unless it is a dual-energy pseudo-colour
scan and the uploader says so (recorded with the scan, shown on it)."""

import datetime as dt
import html as htmllib

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from scans.benchmark.pairs import make_pair, synthetic_scan
from scans.models import Scan
from scans.validation import check_bytes
from tests.scans import images
from tests.scans.conftest import stored_files
from tests.scans.test_upload_form_errors import field_errors

pytestmark = pytest.mark.django_db


def car_photo(width: int = 1024, height: int = 768) -> bytes:
    """A generated colour photograph of a car: blue sky, green verge, grey road, a red car with dark windows."""
    rng = np.random.default_rng(5)
    img = np.zeros((height, width, 3), np.uint8)
    rows = np.linspace(0, 1, height // 2)[:, None]
    img[: height // 2] = (np.stack([120 + 60 * rows, 170 + 40 * rows, 235 - 10 * rows], -1)).astype(np.uint8)
    img[height // 2 : height * 2 // 3] = (70, 140, 60)
    img[height * 2 // 3 :] = (105, 105, 110)
    img[height // 2 - 60 : height // 2 + 140, 250:800] = (200, 30, 35)  # the body
    img[height // 2 - 40 : height // 2 + 20, 330:720] = (40, 50, 70)  # the windows
    for x in (330, 700):  # the wheels
        img[height // 2 + 110 : height // 2 + 190, x : x + 80] = (25, 25, 25)
    noise = rng.integers(-8, 9, img.shape)
    return images.encode(np.clip(img.astype(int) + noise, 0, 255).astype(np.uint8), "JPEG", quality=90)


def grey_as_rgb(fmt: str) -> bytes:
    grey = images.scan_array(seed=4)
    return images.encode(np.dstack([grey] * 3), fmt, **({"quality": 90} if fmt == "JPEG" else {}))


def post(client, declaration, data: bytes, name: str, **extra):
    form = {
        "stage": "origin",
        "scanner_id": "NUC-7",
        "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "files": SimpleUploadedFile(name, data),
        **extra,
    }
    return client.post(reverse("scans:upload", args=[declaration.pk]), form)


def test_a_colour_photo_is_refused_beside_the_file_field_naming_it(client, settings, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = post(client, declaration, car_photo(), "car.jpg")
    assert response.status_code == 400
    (error,) = field_errors(response.content.decode(), "files")
    assert error.startswith("\u2068car.jpg\u2069 is in colour") and "an X-ray scan must be greyscale" in error
    assert Scan.objects.count() == 0 and stored_files(settings) == []
    declaration.refresh_from_db()
    assert declaration.origin_scan_at is None  # the "origin scan missing" flag still holds


@pytest.mark.persian
def test_the_persian_refusal_says_the_scan_must_be_grey(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = post(client, declaration, car_photo(), "car.jpg")
    (error,) = field_errors(response.content.decode(), "files")
    assert "car.jpg" in error and "رنگی است؛ تصویر اسکن ایکس‌ری باید خاکستری باشد" in error


def test_a_dual_energy_pseudo_colour_scan_is_stored_when_ticked_and_shown_so(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = post(client, declaration, car_photo(), "dual.jpg", pseudo_colour="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    scan = Scan.objects.get()
    assert scan.pseudo_colour is True
    page = htmllib.unescape(client.get(reverse("scans:declaration", args=[declaration.pk])).content.decode())
    listed = page.split(f'id="scan-{scan.pk}"', 1)[1].split("</li>", 1)[0]
    assert "dual-energy pseudo-colour" in listed


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_greyscale_saved_as_rgb_is_stored(client, declaration, origin_clerk, fmt):
    client.force_login(origin_clerk)
    response = post(client, declaration, grey_as_rgb(fmt), f"grey.{fmt.lower()}")
    assert response.status_code == 302
    scan = Scan.objects.get()
    assert scan.mode == "RGB" and scan.pseudo_colour is False


def test_every_generated_scan_passes_the_colour_check():
    """The tests' and the demo's images (``synthetic_scan``, ``make_pair``'s destination JPEG) are greyscale."""
    rng = np.random.default_rng(3)
    _origin, dest_jpeg, _label = make_pair(synthetic_scan(rng, 640, 240), rng, tampered=True, kind="remove")
    for data in (images.png(), images.jpeg(), images.tiff16()[0], dest_jpeg, grey_as_rgb("JPEG")):
        check_bytes(data)


def test_the_api_applies_the_same_rule_with_a_field_for_the_flag(settings, declaration, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)

    def send(**extra):
        return api.post(
            "/api/scans/",
            {
                "declaration": declaration.pk,
                "stage": "origin",
                "scanner_id": "NUC-7",
                "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
                "file": SimpleUploadedFile("car.jpg", car_photo()),
                **extra,
            },
            format="multipart",
        )

    refused = send()
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "colour" and "car.jpg is in colour" in refused.json()["error"]["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []
    stored = send(pseudo_colour="true")
    assert stored.status_code == 201, stored.content
    assert stored.json()["pseudo_colour"] is True and Scan.objects.get().pseudo_colour is True


def send_photo(user, declaration):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        "/api/scans/",
        {
            "declaration": declaration.pk,
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "file": SimpleUploadedFile("car.jpg", car_photo()),
        },
        format="multipart",
    )


def test_the_api_refusal_says_to_send_the_field_true_not_to_tick_a_box(declaration, origin_clerk):
    error = send_photo(origin_clerk, declaration).json()["error"]
    message = error["message"]
    assert error["code"] == "colour" and error["fields"]["file"] == [message]
    assert "tick" not in message and "an X-ray scan must be greyscale" in message
    assert "send “dual-energy pseudo-colour” as true" in message


@pytest.mark.persian
def test_the_persian_api_refusal_names_the_field_by_its_label(declaration, origin_clerk):
    message = send_photo(origin_clerk, declaration).json()["error"]["message"]
    assert "علامت" not in message and "رنگی است؛ تصویر اسکن ایکس‌ری باید خاکستری باشد" in message
    assert "«شبه‌رنگی دوانرژی» را true بفرستید" in message
    assert "pseudo_colour" not in message


@pytest.mark.persian
def test_the_page_refusal_still_says_to_tick_the_box(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    (error,) = field_errors(post(client, declaration, car_photo(), "car.jpg").content.decode(), "files")
    assert "«اسکن شبه‌رنگی دوانرژی» را علامت بزنید" in error and "true" not in error
