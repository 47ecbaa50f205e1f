"""Photos a camera posts in the image kinds cameras write: refused ones say which field and why."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

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
