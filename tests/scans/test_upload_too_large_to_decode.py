"""A 120 MB PNG was refused as «تصویر آسیب‌دیده یا ناقص است» (damaged): under the file limit (200 MB), the
worker could not hold it decoded, and a MemoryError was read as a damaged file. A file over the limit is
refused by its size before it is read (``test_upload``); one the server cannot decode is refused by its size
too (413, «too large to open here … the limit is … MB»), on the page and in the API, and nothing is stored."""

import pytest
from PIL import ImageFile

from scans.models import Scan
from tests.scans import images
from tests.scans.conftest import stored_files
from tests.scans.test_upload import api_post, post_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def out_of_memory(monkeypatch):
    def load(self):
        raise MemoryError

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


def test_the_page_names_the_size_not_damage(client, settings, declaration, origin_clerk, out_of_memory):
    settings.SCANS_MAX_UPLOAD_BYTES = 200 * 2**20
    client.force_login(origin_clerk)
    response = post_scan(client, declaration, images.png(), "big.png", json=False)
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large to open here" in page and "the limit is 200 MB" in page and "damaged" not in page
    body = post_scan(client, declaration, images.png(), "big.png").json()["error"]
    assert body["code"] == "too_large" and "too large to open here" in body["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []


@pytest.mark.persian
def test_the_api_names_the_size_in_persian(settings, declaration, origin_clerk, out_of_memory):
    settings.SCANS_MAX_UPLOAD_BYTES = 200 * 2**20
    response = api_post(origin_clerk, declaration, images.png())
    assert response.status_code == 413
    message = response.json()["error"]["message"]
    assert "سقف ۲۰۰ مگابایت" in message and "آسیب‌دیده" not in message
    assert Scan.objects.count() == 0
