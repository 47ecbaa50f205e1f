"""A camera retired in the admin: its «retired at» was a Gregorian box anyone could fill (and «status» set to retired)
beside the audited service the camera's page uses. The admin retires through that service, with an action that asks
why, and shows when in Jalali."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.models import User
from anpr import services
from anpr.models import Camera

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=hq.pk)


def _retire(client, camera, **extra):
    data = {"action": "retire_cameras", "_selected_action": [camera.pk], **extra}
    return client.post(reverse("admin:anpr_camera_changelist"), data)


def test_retiring_in_the_admin_goes_through_the_service_and_is_audited(client, admin_user, bzg_camera):
    client.force_login(admin_user)
    asked = _retire(client, bzg_camera)
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()  # why, before anything changes
    assert Camera.objects.get(pk=bzg_camera.pk).status == Camera.Status.ACTIVE

    refused = _retire(client, bzg_camera, apply="1", reason="  ")
    assert refused.status_code == 200 and "Say why the camera is retired." in refused.content.decode()
    assert Camera.objects.get(pk=bzg_camera.pk).status == Camera.Status.ACTIVE

    done = _retire(client, bzg_camera, apply="1", reason="burnt out in the storm")
    assert done.status_code == 302
    camera = Camera.objects.get(pk=bzg_camera.pk)
    assert (
        camera.status == Camera.Status.RETIRED
        and camera.retired_reason == "burnt out in the storm"
        and camera.retired_at
    )
    entry = LogEntry.objects.get_for_object(camera).filter(actor=admin_user).latest("timestamp")
    assert entry.changes_dict["status"][1] == Camera.Status.RETIRED
    assert entry.changes_dict["retired_reason"][1] == "burnt out in the storm"


def test_the_change_form_neither_retires_nor_takes_a_gregorian_retiring_time(client, admin_user, bzg_camera):
    client.force_login(admin_user)
    page = client.get(reverse("admin:anpr_camera_change", args=[bzg_camera.pk]))
    form = page.context["adminform"].form
    assert "retired_at" not in form.fields and "retired_reason" not in form.fields
    assert Camera.Status.RETIRED not in [value for value, _label in form.fields["status"].choices]


@pytest.mark.persian
def test_a_retired_cameras_page_gives_when_in_jalali_and_its_status_read_only(client, admin_user, bzg_camera):
    import datetime as dt

    services.camera_retire(camera=bzg_camera, by=None, reason="moved to the other gate")
    Camera.objects.filter(pk=bzg_camera.pk).update(retired_at=dt.datetime(2026, 12, 4, 6, 0, tzinfo=dt.UTC))
    client.force_login(admin_user)
    page = client.get(reverse("admin:anpr_camera_change", args=[bzg_camera.pk]))
    assert "status" not in page.context["adminform"].form.fields  # retired for good
    html = page.content.decode()
    assert "۱۴۰۵/۰۹/۱۳ ۰۹:۳۰" in html and not re.search(r"دسامبر|\b2026-12-04\b", html)
    assert 'name="retired_at' not in html


def test_a_new_token_for_a_retired_camera_is_refused_on_the_list_not_a_server_error(client, admin_user, bzg_camera):
    """The token action let the service's refusal through (a server error page); it says why, as retiring does,
    and the other cameras chosen with it get their token."""
    from anpr.models import Camera as Cam

    other = Cam.objects.create(code="BZG-OUT-9", office=bzg_camera.office, direction=bzg_camera.direction)
    services.camera_retire(camera=bzg_camera, by=None, reason="moved to the other gate")
    before = Cam.objects.get(pk=bzg_camera.pk).token_hash
    client.force_login(admin_user)
    data = {"action": "rotate_token", "_selected_action": [bzg_camera.pk, other.pk]}
    done = client.post(reverse("admin:anpr_camera_changelist"), data, follow=True)
    assert done.status_code == 200
    shown = [str(m) for m in done.context["messages"]]
    assert any("is retired: it gets no new token" in m for m in shown)
    assert any("BZG-OUT-9" in m and "shown once" in m for m in shown)
    assert Cam.objects.get(pk=bzg_camera.pk).token_hash == before
