"""A silent camera's page says when it last read («آخرین قرائت: …») and, apart, when the health check flagged
it («از … هشدار داده شد»); «هرگز قرائتی نفرستاده» for one that never read. It said «بدون قرائت از» the flag's
time, two days after the last read."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from anpr.models import Camera
from core.dates import format_jalali

pytestmark = pytest.mark.django_db


def _status(page: str) -> str:
    return page.split('id="camera-health"', 1)[1].split("</dd>", 1)[0]


@pytest.mark.parametrize("has_read", [True, False])
def test_a_silent_camera_says_its_last_read_and_when_it_was_flagged_apart(client, it_officer, bzg_camera, has_read):
    last_read = timezone.now() - dt.timedelta(days=2, hours=13) if has_read else None
    flagged = timezone.now() - dt.timedelta(hours=1)
    Camera.objects.filter(pk=bzg_camera.pk).update(
        health=Camera.Health.SILENT, last_read_at=last_read, silent_since=flagged
    )
    client.force_login(it_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    status = _status(client.get(f"/anpr/cameras/{bzg_camera.pk}/").content.decode())
    assert "بدون قرائت از" not in status
    assert f"از {format_jalali(flagged, persian=True)} هشدار داده شد" in status
    if has_read:
        assert f"آخرین قرائت: {format_jalali(last_read, persian=True)}" in status
    else:
        assert "هرگز قرائتی نفرستاده" in status
