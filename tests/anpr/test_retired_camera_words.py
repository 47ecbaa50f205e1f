"""A retired camera: the action said «خارج کردن از خدمت» and the status «از رده خارج», and its health read
«بررسی‌نشده». One term now, «خارج از خدمت», and a retired camera's health says it is out of service."""

import pytest
from django.urls import reverse

from anpr import services

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_a_retired_camera_is_out_of_service_everywhere(client, hq, thr_camera):
    services.camera_retire(camera=thr_camera, by=hq, reason="جابه‌جا شد")
    client.force_login(hq)
    detail = client.get(reverse("anpr:camera", args=[thr_camera.pk])).content.decode()
    status = detail.split('id="camera-health">', 1)[1].split("</dd>", 1)[0]
    assert "خارج از خدمت" in status
    assert "بررسی‌نشده" not in status and "از رده خارج" not in detail

    listing = client.get(reverse("anpr:cameras")).content.decode()
    row = listing.split(f'data-camera="{thr_camera.code}"', 1)[1].split("</tr>", 1)[0]
    assert "بررسی‌نشده" not in row and "از رده خارج" not in row
    assert row.count("خارج از خدمت") == 2  # its status, and in place of its health

    installation = client.get(reverse("anpr:installation")).content.decode()
    assert "از رده خارج" not in installation and "خارج از خدمت" in installation


@pytest.mark.persian
def test_the_admin_lists_a_retired_camera_as_out_of_service_not_unchecked(client, hq, thr_camera):
    from accounts.models import User

    services.camera_retire(camera=thr_camera, by=hq, reason="جابه‌جا شد")
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    page = client.get(reverse("admin:anpr_camera_changelist")).content.decode()
    row = page.split(thr_camera.code, 1)[1].split("</tr>", 1)[0]
    assert "بررسی‌نشده" not in row and "از رده خارج" not in row
    assert row.count("خارج از خدمت") == 1  # its state (status and health share a column)
