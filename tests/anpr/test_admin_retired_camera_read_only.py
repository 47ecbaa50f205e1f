"""A retired camera's admin page read «سلامت: بررسی‌نشده» beside a health check time and could still be edited and
saved, and the list's health filter «بررسی‌نشده» counted retired cameras. Retirement is final (``camera_retire``):
the page now says the camera is out of service, when and why, read-only; the health filter leaves retired ones out."""

import pytest
from django.urls import reverse

from accounts.models import User
from anpr import services
from anpr.models import Camera

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=hq.pk)


@pytest.mark.persian
def test_a_retired_cameras_admin_page_says_out_of_service_and_is_read_only(client, admin_user, bzg_camera):
    services.camera_retire(camera=bzg_camera, by=None, reason="دوربین سوخت")
    client.force_login(admin_user)
    url = reverse("admin:anpr_camera_change", args=[bzg_camera.pk])
    html = client.get(url).content.decode()
    assert "بررسی‌نشده" not in html and "خارج از خدمت" in html and "دوربین سوخت" in html
    assert "زمان خارج شدن از خدمت" in html
    assert 'name="_save"' not in html and 'name="code"' not in html
    assert client.post(url, {"code": "BZG-9", "model_name": "x"}).status_code == 403
    assert Camera.objects.get(pk=bzg_camera.pk).code == "BZG-1"


def test_a_camera_in_service_stays_editable(client, admin_user, bzg_camera):
    client.force_login(admin_user)
    html = client.get(reverse("admin:anpr_camera_change", args=[bzg_camera.pk])).content.decode()
    assert 'name="_save"' in html and 'name="code"' in html


def test_the_health_filter_leaves_retired_cameras_out(client, admin_user, bzg_camera, thr_camera):
    services.camera_retire(camera=thr_camera, by=None, reason="moved to the other gate")
    client.force_login(admin_user)
    page = client.get(reverse("admin:anpr_camera_changelist"), {"health__exact": ""})
    shown = {camera.code for camera in page.context["cl"].result_list}
    assert shown == {"BZG-1"}
    everything = client.get(reverse("admin:anpr_camera_changelist"))
    assert {camera.code for camera in everything.context["cl"].result_list} == {"BZG-1", "THR-1"}
