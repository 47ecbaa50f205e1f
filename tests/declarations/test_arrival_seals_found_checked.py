"""The seal numbers found on arrival are checked as registration checks the declared ones: each at most 40
characters and none given twice, the bad one named by its position beside the field. A 100-character «seal»
typed in the arrival form was stored, and only showed up as a seal mismatch."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import InvalidInput
from declarations import services
from declarations.models import ArrivalConfirmation, Status, TransitDeclaration

pytestmark = pytest.mark.django_db
LONG = "S" * 100


@pytest.fixture
def in_transit(declaration, origin_clerk):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(seal_numbers=["S1", "S3"])
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _confirm(client, d, seals: str):
    data = {
        "confirm_arrival-seals_intact": "broken",
        "confirm_arrival-seal_numbers_found": seals,
        "confirm_arrival-unseen_reason": "camera down",
    }
    return client.post(reverse("declarations:action", args=[d.pk, "confirm_arrival"]), data)


def _beside_seals(html: str) -> str:
    form = html.split('data-action="confirm_arrival"', 1)[1]
    return form.split('name="confirm_arrival-seal_numbers_found"', 1)[1].split('<div class="mb-2">', 1)[0]


def _nothing_recorded(d) -> None:
    d.refresh_from_db()
    assert d.status == Status.IN_TRANSIT
    assert not ArrivalConfirmation.objects.filter(declaration=d).exists()


def test_a_seal_too_long_is_refused_beside_the_field_naming_which(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = _confirm(client, in_transit, f"S1, {LONG}")
    assert response.status_code == 400
    assert "seal number 2 (" in _beside_seals(response.content.decode())
    assert "At most 40 characters; 100 were written." in _beside_seals(response.content.decode())
    _nothing_recorded(in_transit)


def test_a_seal_given_twice_is_refused_beside_the_field(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = _confirm(client, in_transit, "S1; S3 S1")
    assert response.status_code == 400
    beside = _beside_seals(response.content.decode())
    assert "seal number" in beside and "S1" in beside and "is given twice (items 1 and 3)" in beside
    _nothing_recorded(in_transit)


def test_seals_of_40_characters_with_any_separator_are_taken(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    forty = "S" * 40
    assert _confirm(client, in_transit, f"S1؛ {forty}").status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.arrival.seal_numbers_found == ["S1", forty]


@pytest.mark.persian
def test_the_persian_page_names_the_seal_in_persian_digits(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    beside = _beside_seals(_confirm(client, in_transit, f"S1 {LONG}").content.decode())
    assert "شمارهٔ پلمپ ۲" in beside and "حداکثر ۴۰ نویسه؛ ۱۰۰ نوشته شد." in beside


def test_the_service_refuses_it_naming_the_field_for_every_door(dest_clerk, in_transit):
    with pytest.raises(InvalidInput) as refused:
        services.declaration_confirm_arrival(
            declaration=in_transit, by=dest_clerk, seals_intact=False, seal_numbers_found=["S1", "S" * 41]
        )
    assert list(refused.value.fields) == ["seal_numbers_found"] and "seal number 2" in str(refused.value)
    _nothing_recorded(in_transit)


def test_the_api_refuses_a_seal_too_long_naming_its_index(dest_clerk, in_transit):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(
        f"/api/declarations/{in_transit.pk}/confirm-arrival/",
        {"seals_intact": False, "seal_numbers_found": ["S1", LONG], "unseen_reason": "camera down"},
        format="json",
    )
    assert response.status_code == 400
    assert "1" in response.json()["error"]["fields"]["seal_numbers_found"]
    _nothing_recorded(in_transit)


def test_registration_names_the_seal_the_same_way(client, origin_clerk, bazargan, tehran):
    from tests.declarations.test_register import URL, _form

    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran, seals=f"S1 {LONG}"))
    assert response.status_code == 400
    assert "seal number 2 (" in response.content.decode()
    assert not TransitDeclaration.objects.filter(serial="HAND-0001").exists()
