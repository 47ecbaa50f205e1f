"""What anpr adds shows on the real pages of declarations: dashboard, vehicle page, declaration timeline."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import ingest
from anpr.models import Camera, PlateRead

pytestmark = pytest.mark.django_db
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture
def sighting(bzg_camera, truck):
    at = timezone.now() - dt.timedelta(hours=2)
    (r,) = ingest.reads_ingest(
        camera=bzg_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate, photo=JPEG)]
    )
    return PlateRead.objects.get(pk=r.id)


def test_it_shows_silent_cameras_on_the_dashboard(client, inspector, bzg_camera):
    Camera.objects.filter(pk=bzg_camera.pk).update(health=Camera.Health.SILENT, silent_since=timezone.now())
    client.force_login(inspector)
    html = client.get("/").content.decode()
    assert 'data-panel="camera-health"' in html and 'data-camera="BZG-1"' in html


def test_it_shows_the_reads_on_the_vehicle_page(client, inspector, truck, sighting):
    client.force_login(inspector)
    html = client.get(f"/declarations/vehicles/{truck.pk}/").content.decode()
    assert 'data-panel="vehicle-reads"' in html
    assert f'data-read="{sighting.pk}"' in html and f"/anpr/reads/{sighting.pk}/photo/" in html


def test_it_shows_the_read_with_its_photo_on_the_declaration_timeline(client, dest_clerk, declaration, sighting):
    client.force_login(dest_clerk)
    html = client.get(f"/declarations/{declaration.pk}/").content.decode()
    assert f"/anpr/reads/{sighting.pk}/photo/" in html
