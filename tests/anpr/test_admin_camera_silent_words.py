"""The admin's cameras: a silent camera's «بدون قرائت از» (no read since) gave the time the health check flagged
it, two days after its last read. The admin now says what it shows as the camera's page does: «زمان آخرین
قرائت» the last read, «زمان هشدار بدون قرائت» the time it was flagged."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from anpr.models import Camera

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_the_admin_names_the_flag_time_as_the_flag_and_the_last_read_as_the_last_read(client, hq, bzg_camera):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    last_read = timezone.now() - dt.timedelta(days=2, hours=13)
    Camera.objects.filter(pk=bzg_camera.pk).update(
        health=Camera.Health.SILENT, last_read_at=last_read, silent_since=timezone.now() - dt.timedelta(hours=1)
    )
    pages = [
        client.get(reverse("admin:anpr_camera_changelist")).content.decode(),
        client.get(reverse("admin:anpr_camera_change", args=[bzg_camera.pk])).content.decode(),
    ]
    for page in pages:
        assert "بدون قرائت از" not in page
    assert ">آخرین قرائت</a>" in pages[0] and "زمان آخرین قرائت" in pages[1]  # the list's header is short
    assert "زمان هشدار بدون قرائت" in pages[1]
