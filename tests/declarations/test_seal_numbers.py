"""Seal numbers are read the same way wherever they are typed (registration, import, arrival form, API):
separated by commas, semicolons (Latin or Persian), spaces or new lines. «Seals intact» is not ticked for the
officer (intact or broken is an explicit choice), and a record cannot say intact while the seal numbers found differ from the declared ones."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations import services
from declarations.models import Status, TransitDeclaration

pytestmark = pytest.mark.django_db


def _act(d, action="confirm_arrival"):
    return reverse("declarations:action", args=[d.pk, action])


def _page(client, d) -> str:
    return client.get(reverse("declarations:detail", args=[d.pk])).content.decode()


def _beside_intact(html: str) -> str:
    """From the «Seals intact» box to the next field of the arrival form."""
    return html.split('name="confirm_arrival-seals_intact"', 1)[1].split('name="confirm_arrival-seal_numbers', 1)[0]


@pytest.fixture
def in_transit(declaration, origin_clerk):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(seal_numbers=["S1", "S3"])
    declaration.refresh_from_db()
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _confirm(client, d, seals: str, intact: bool):
    data = {
        "confirm_arrival-seal_numbers_found": seals,
        "confirm_arrival-unseen_reason": "camera down",
        "confirm_arrival-seals_intact": "intact" if intact else "broken",
    }
    return client.post(_act(d), data)


@pytest.mark.parametrize("typed", ["S1;S3", "S1, S3", "S1،S3", "S1 ؛ S3", "S1 S3", "S1\nS3", "S3,S1"])
def test_the_declared_seals_typed_with_any_separator_are_no_discrepancy(client, dest_clerk, in_transit, typed):
    client.force_login(dest_clerk)
    assert _confirm(client, in_transit, typed, intact=True).status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.status == Status.ARRIVED and in_transit.arrival.seals_intact
    page = _page(client, in_transit)
    assert "seals intact" in page and "Seal numbers differ" not in page


def test_seals_intact_is_refused_beside_the_box_when_the_numbers_differ(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    page = _page(client, in_transit)
    assert "checked" not in _beside_intact(page)  # not ticked for the officer
    assert "commas, semicolons" in page.split('name="confirm_arrival-seal_numbers_found"', 1)[1]  # how to type them
    response = _confirm(client, in_transit, "S1;S9", intact=True)
    assert response.status_code == 400
    assert "differ from the declared ones" in _beside_intact(response.content.decode())
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
    assert _confirm(client, in_transit, "S1;S9", intact=False).status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.arrival.seal_numbers_found == ["S1", "S9"] and not in_transit.arrival.seals_intact
    page = _page(client, in_transit)
    assert "seals not intact" in page and "Seal numbers differ from the declaration" in page


def test_the_api_reads_seals_the_same_way_and_refuses_intact_with_other_numbers(dest_clerk, in_transit):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{in_transit.pk}/confirm-arrival/"
    # In the list each element is one seal: one holding a separator is refused naming its index.
    response = api.post(
        url, {"seals_intact": True, "seal_numbers_found": ["S1;S9"], "unseen_reason": "camera down"}, format="json"
    )
    assert (
        response.status_code == 400 and "element 1" in response.json()["error"]["fields"]["seal_numbers_found"]["0"][0]
    )
    response = api.post(
        url, {"seals_intact": True, "seal_numbers_found": ["S1", "S9"], "unseen_reason": "camera down"}, format="json"
    )
    assert response.status_code == 400 and "seals_intact" in response.json()["error"]["fields"]
    response = api.post(
        url, {"seals_intact": True, "seal_numbers_found": ["S3", "S1"], "unseen_reason": "camera down"}, format="json"
    )
    assert response.status_code == 200
    in_transit.refresh_from_db()
    assert in_transit.arrival.seal_numbers_found == ["S3", "S1"]


def test_registration_reads_seals_with_any_separator_as_its_help_says(client, origin_clerk, bazargan, tehran):
    from tests.declarations.test_register import URL, _form

    client.force_login(origin_clerk)
    assert "commas, semicolons" in client.get(URL).content.decode()
    response = client.post(URL, _form(bazargan, tehran, seals="S1؛ S2 S3،S۴"))
    assert response.status_code == 302
    assert TransitDeclaration.objects.get(serial="HAND-0001").seal_numbers == ["S1", "S2", "S3", "S4"]
