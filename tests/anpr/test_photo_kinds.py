"""Photos a camera posts in the image kinds cameras write: refused ones say which field and why."""

import base64
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from anpr.models import PlateRead
from tests import files
from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.django_db

SINGLE = "/api/anpr/reads/"


def post_photo(camera, data: bytes, name: str = "read.jpg"):
    return camera_client(camera).post(
        SINGLE,
        {
            "captured_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            "photo": SimpleUploadedFile(name, data),
        },
        format="multipart",
    )


def test_a_photo_a_little_over_the_limit_says_by_how_much(bzg_camera, settings):
    """A photo of 3.04 MB was told «The file is too large (3.0 MB; the limit is 3.0 MB)»."""
    settings.ANPR_MAX_PHOTO_BYTES = 3 * 2**20
    photo = files.jpeg((640, 480))
    response = post_photo(bzg_camera, photo[:-2] + b"\0" * (int(3.04 * 2**20) - len(photo)) + b"\xff\xd9")
    assert response.status_code == 413
    assert response.json()["error"]["fields"]["photo"] == ["The file is too large (3.04 MB; the limit is 3 MB)."]
    assert PlateRead.objects.count() == 0


@pytest.mark.persian
def test_a_photo_a_little_over_the_limit_says_by_how_much_in_persian(bzg_camera, settings):
    settings.ANPR_MAX_PHOTO_BYTES = 3 * 2**20
    response = post_photo(bzg_camera, files.jpeg((640, 480)) + b"\0" * (3 * 2**20))
    assert "(۳٫۰۱ مگابایت؛ سقف مجاز ۳ مگابایت)" in response.json()["error"]["message"]


def animated_png() -> bytes:
    """Two frames: a browser plays both, the plate reader reads the first."""
    buf = io.BytesIO()
    first, second = Image.new("RGB", (640, 480), (200, 200, 200)), Image.new("RGB", (640, 480), (20, 20, 20))
    first.save(buf, "PNG", save_all=True, append_images=[second])
    return buf.getvalue()


def test_an_animated_png_is_refused_naming_the_photo(bzg_camera, settings):
    """It was stored: its review page played frames the reader never read."""
    response = post_photo(bzg_camera, animated_png(), "read.png")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["photo"] == [
        "An animated image (2 frames) is not accepted as a photo: send one still image."
    ]
    assert PlateRead.objects.count() == 0


def test_an_animated_png_in_a_batch_is_that_reads_error(bzg_camera, recent):
    reads = [
        {"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(animated_png()).decode()},
        {"captured_at": recent.isoformat(), "photo_base64": base64.b64encode(files.png((640, 480))).decode()},
    ]
    body = camera_client(bzg_camera).post("/api/anpr/reads/bulk/", {"reads": reads}, format="json").json()
    assert body["stored"] == 1 and body["rejected"] == 1
    (error,) = body["errors"]
    assert error["index"] == 0 and "animated" in error["fields"]["photo_base64"][0]
