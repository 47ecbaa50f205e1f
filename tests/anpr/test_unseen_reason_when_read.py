"""«Why the truck was not seen at the gate» beside a read of it at that gate is a contradiction in evidence:
an arrival confirmed with a reason although the destination's camera read the truck is refused, on the API
as on the page, with the time of the read; without a reason it is recorded."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anpr import ingest, sightings
from declarations import services
from declarations.models import ArrivalConfirmation, Status
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
PLATE = "12ب34565"


@pytest.fixture
def read_at_tehran(bazargan, tehran, thr_camera):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=PLATE))
    services.declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    at = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=PLATE)])
    sightings.reads_match(read_ids=[r.id])
    d.refresh_from_db()
    return d, at


def test_the_api_refuses_a_reason_beside_a_read_and_names_the_time(dest_clerk, read_at_tehran):
    declaration, read_at = read_at_tehran
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{declaration.pk}/confirm-arrival/"
    response = api.post(
        url, {"seals_intact": True, "unseen_reason": "camera down"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["unseen_reason"]
    assert "read this truck at the gate" in message
    assert services.format_jalali(read_at, persian=False) in message
    declaration.refresh_from_db()
    assert declaration.status == Status.IN_TRANSIT and not ArrivalConfirmation.objects.exists()

    response = api.post(url, {"seals_intact": True, "unseen_reason": ""}, format="json")
    assert response.status_code == 200
    assert ArrivalConfirmation.objects.get().unseen_reason == ""


def test_the_service_refuses_it_too(dest_clerk, read_at_tehran):
    declaration, _ = read_at_tehran
    with pytest.raises(services.InvalidInput) as caught:
        services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, unseen_reason="camera off")
    assert caught.value.fields == {"unseen_reason": "read at the gate"}
