"""A read's photo is written only when the read is stored: a batch rolled back, or a re-sent event refused for its
other plate, left its photo in the storage under its hash, referenced by no read. A photo sent again (the same
bytes) is still stored once."""

import base64

import pytest
from django.db import transaction

from anpr import ingest
from anpr.models import PlateRead
from tests import files
from tests.anpr.conftest import camera_client

SINGLE = "/api/anpr/reads/"
BULK = "/api/anpr/reads/bulk/"
pytestmark = pytest.mark.django_db


def _photos(settings) -> list:
    root = settings.MEDIA_ROOT / "anpr" / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _read(recent, colour, **more) -> dict:
    photo = base64.b64encode(files.jpeg((640, 480), colour=colour)).decode()
    return {"captured_at": recent.isoformat(), "photo_base64": photo, **more}


def test_a_batch_rolled_back_leaves_no_photo_behind(bzg_camera, recent, settings, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ingest, "_touch_camera", broken)  # the last write of the batch's transaction
    with pytest.raises(RuntimeError):
        camera_client(bzg_camera).post(BULK, {"reads": [_read(recent, (200, 30, 30), plate="12ب34567")]}, format="json")
    assert not PlateRead.objects.exists()
    assert _photos(settings) == []


def test_a_batch_inside_a_transaction_rolled_back_later_leaves_no_photo_behind(bzg_camera, recent, settings):
    item = ingest.ReadInput(captured_at=recent, plate_raw="12ب34567", photo=files.jpeg((640, 480)))
    with pytest.raises(RuntimeError), transaction.atomic():
        ingest.reads_ingest(camera=bzg_camera, items=[item])
        raise RuntimeError("the caller's next step failed")
    assert not PlateRead.objects.exists()
    assert _photos(settings) == []


def test_an_event_refused_for_its_other_plate_leaves_no_photo_behind(bzg_camera, recent, settings):
    client = camera_client(bzg_camera)
    assert (
        client.post(
            SINGLE, _read(recent, (200, 30, 30), plate="12ب34567", client_event_id="E-1"), format="json"
        ).status_code
        == 201
    )
    assert len(_photos(settings)) == 1
    again = _read(
        recent, (30, 200, 30), plate="12ب34568", client_event_id="E-1"
    )  # another plate and photo, the same event
    assert client.post(SINGLE, again, format="json").status_code == 409
    assert PlateRead.objects.count() == 1 and len(_photos(settings)) == 1


def test_the_same_photo_sent_again_is_stored_once(bzg_camera, recent, settings):
    client = camera_client(bzg_camera)
    assert client.post(SINGLE, _read(recent, (200, 30, 30), plate="12ب34567"), format="json").status_code == 201
    later = recent.replace(second=(recent.second + 1) % 60)
    assert client.post(SINGLE, _read(later, (200, 30, 30), plate="12ب34567"), format="json").status_code == 201
    names = set(PlateRead.objects.values_list("photo", flat=True))
    assert len(names) == 1 and len(_photos(settings)) == 1
    assert PlateRead.objects.first().photo.read() == files.jpeg((640, 480), colour=(200, 30, 30))
