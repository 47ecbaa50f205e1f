"""A token starting «7BpJxcd_» showed «_7BpJxcd» on a Persian page: its trailing underscore, a neutral character, ran
to the left of the rest. The camera's page and the admin's cameras show the token's start isolated left to right, as
every identifier, followed by «…» (it is only its beginning)."""

import pytest
from django.urls import reverse

from accounts.models import User
from anpr.models import Camera

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

SHOWN = '<bdi dir="ltr" class="ident ident-token">7BpJxcd_…</bdi>'


@pytest.fixture
def camera(bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(token_prefix="7BpJxcd_")
    return bzg_camera


def test_the_cameras_page_isolates_the_token_start(client, hq, camera):
    client.force_login(hq)
    page = client.get(reverse("anpr:camera", args=[camera.pk])).content.decode()
    assert SHOWN in page


def test_the_admin_isolates_the_token_start(client, hq, camera):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    assert SHOWN in client.get(reverse("admin:anpr_camera_changelist")).content.decode()
    assert SHOWN in client.get(reverse("admin:anpr_camera_change", args=[camera.pk])).content.decode()
