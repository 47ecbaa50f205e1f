"""Camera tokens: stored hashed, optionally expiring, rotated through the service or the admin
(the new token shown once, the old refused at once), and every read names its camera."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from anpr import services
from anpr.authentication import forget_cameras
from anpr.models import Camera, PlateRead
from declarations import idents
from tests.anpr.conftest import camera_client

SINGLE = "/api/anpr/reads/"


def post_read(camera, plate="12ب34567"):
    body = {"captured_at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(), "plate": plate}
    return camera_client(camera).post(SINGLE, body, format="json")


def test_the_database_holds_no_camera_token(bzg_camera):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Camera._meta.db_table}")
        stored = repr(cursor.fetchall())

    assert bzg_camera.token not in stored
    assert bzg_camera.token[8:] not in stored


def test_a_token_never_expires_by_default(bzg_camera):
    assert bzg_camera.token_expires_at is None
    assert post_read(bzg_camera).status_code == 201


def test_an_expired_camera_token_is_refused_with_a_clear_401(bazargan, settings):
    settings.ANPR_CAMERA_TOKEN_DAYS = 30
    camera, token = services.camera_register(office=bazargan, code="BZG-2", direction="in")
    camera.token = token
    assert timezone.now() + dt.timedelta(days=29) < camera.token_expires_at
    assert post_read(camera).status_code == 201

    # Thirty days later (the expiry moved back rather than the clock forward), in a fresh process.
    Camera.objects.filter(pk=camera.pk).update(token_expires_at=timezone.now() - dt.timedelta(seconds=1))
    forget_cameras()
    response = post_read(camera, "12ب34568")

    assert response.status_code == 401
    assert "token of camera BZG-2 expired" in response.json()["error"]["message"]
    assert PlateRead.objects.count() == 1


def test_rotation_renews_the_expiry_and_refuses_the_old_token(bzg_camera, hq):
    old = bzg_camera.token

    _camera, new = services.camera_rotate_token(camera=bzg_camera, by=hq, days=10)

    bzg_camera.refresh_from_db()
    assert new != old and bzg_camera.token_prefix == new[:8]
    assert timezone.now() + dt.timedelta(days=9) < bzg_camera.token_expires_at
    bzg_camera.token = old
    assert post_read(bzg_camera).status_code == 401
    bzg_camera.token = new
    assert post_read(bzg_camera).status_code == 201


def test_the_admin_action_shows_the_new_token_once(client, hq, bzg_camera):
    hq.is_staff = hq.is_superuser = True
    hq.save()
    client.force_login(hq)

    response = client.post(
        reverse("admin:anpr_camera_changelist"), {"action": "rotate_token", "_selected_action": [bzg_camera.pk]}
    )

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1 and "shown once" in shown[0]
    # The camera's code isolated as every page names it (a Latin code in a Persian sentence); the token bare, to
    # be copied as it is.
    assert f"Token of camera {idents.camera_text(bzg_camera)} (shown once): " in shown[0]
    new = shown[0].rsplit(" ", 1)[-1]
    bzg_camera.refresh_from_db()
    assert bzg_camera.token_prefix == new[:8]
    assert post_read(bzg_camera).status_code == 401  # the fixture's token is the old one
    bzg_camera.token = new
    assert post_read(bzg_camera).status_code == 201


@pytest.mark.parametrize("fixture", ["bzg_camera", "thr_camera"])
def test_each_read_names_the_camera_whose_token_posted_it(fixture, request):
    camera = request.getfixturevalue(fixture)

    response = post_read(camera)

    read = PlateRead.objects.get(pk=response.json()["id"])
    assert read.camera_id == camera.pk and read.office_id == camera.office_id
    camera.refresh_from_db()
    assert camera.last_read_at is not None  # the camera's last use, as the health panel shows it


@pytest.mark.persian
def test_a_persons_or_systems_token_on_the_read_endpoints_is_told_to_send_a_camera_token(api_token_for, hq):
    """The integration client posting a read with its own Token got «credentials were not provided»."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(hq)}")
    for path in ("/api/anpr/reads/", "/api/anpr/reads/bulk/"):
        response = client.post(path, {}, format="json")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == (
            "قرائت پلاک با توکن خود دوربین فرستاده می‌شود: Authorization: Camera <token>."
        )
