"""A read a person corrected to the truck's plate is shown on the declaration's timeline as the plate they
gave, corrected by a person (the camera's reading beside it), not as the camera's wrong plate «read exactly»;
and a plate given for a read that came without a photo was not «read from the photo»."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, review, sightings
from anpr.models import PlateRead
from declarations.idents import plate_text
from declarations.models import Status
from tests.anpr.test_plate_review import _read, _timeline_item
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "74ل33723"
CAMERA_READ = "85د72491"


@pytest.fixture
def arrived(bazargan, tehran, thr_camera):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate=PLATE),
        status=Status.ARRIVED,
        departed_at=now - dt.timedelta(days=1),
        arrived_at=now - dt.timedelta(hours=2),
    )


def _timeline(client, user, declaration) -> str:
    client.force_login(user)
    return client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()


@pytest.mark.persian
def test_a_corrected_read_without_a_photo_shows_the_plate_the_person_gave(client, dest_clerk, thr_camera, arrived):
    at = (timezone.now() - dt.timedelta(hours=2.1)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=CAMERA_READ)])
    sightings.reads_match(read_ids=[r.id])
    read = PlateRead.objects.get(pk=r.id)
    assert not read.photo
    review.read_label(read=read, by=dest_clerk, plate=PLATE)

    html = _timeline(client, dest_clerk, arrived)
    seen = _timeline_item(html, "plate_read")
    assert "قرائت پلاک در مقصد" in seen
    assert f"پلاک {plate_text(PLATE, nowrap=True)}، اصلاح‌شده به‌دست کاربر" in seen
    assert f"آن را {plate_text(CAMERA_READ, nowrap=True)} خوانده بود" in seen
    assert "(دقیق)" not in seen
    labelled = _timeline_item(html, "plate_read_labelled")
    assert "پلاک به‌دست کاربر ثبت شد" in labelled and "از روی عکس" not in labelled


@pytest.mark.persian
def test_a_plate_read_from_the_photo_is_still_said_so(client, dest_clerk, thr_camera, arrived):
    read = _read(thr_camera, CAMERA_READ, hours_ago=2.1)
    assert read.photo
    review.read_label(read=read, by=dest_clerk, plate=PLATE)
    html = _timeline(client, dest_clerk, arrived)
    assert "پلاک از روی عکس به‌دست کاربر خوانده شد" in _timeline_item(html, "plate_read_labelled")
    assert "اصلاح‌شده به‌دست کاربر" in _timeline_item(html, "plate_read")


@pytest.mark.persian
def test_a_photo_nothing_read_then_read_by_a_person_is_not_called_a_correction(client, dest_clerk, thr_camera, arrived):
    from tests import files

    at = (timezone.now() - dt.timedelta(hours=2.1)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw="", photo=files.jpeg((60, 12)))]
    )
    read = PlateRead.objects.get(pk=r.id)
    assert read.photo and not read.plate
    review.read_label(read=read, by=dest_clerk, plate=PLATE)

    seen = _timeline_item(_timeline(client, dest_clerk, arrived), "plate_read")
    assert f"پلاک {plate_text(PLATE, nowrap=True)}، خوانده‌شده به‌دست کاربر از روی عکس دوربین" in seen
    assert "اصلاح‌شده" not in seen and "خوانده بود" not in seen
