"""A tractor pulls different trailers on different trips: a trailer plate given at registration or import
for a truck already stored was silently dropped (the stored vehicle was never updated), so a second trip's
declaration showed the first trip's trailer. The trailer plate is the declaration's; the vehicle keeps the
last one known."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations import idents
from declarations.importer import import_rows
from declarations.models import TransitDeclaration, Vehicle
from tests.declarations.test_importer import row
from tests.declarations.test_register import _form
from tests.declarations.test_register_backdate import _body
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _truck_line(page: str) -> str:
    return page.split("Truck</dt>", 1)[1].split("</dd>", 1)[0]


def test_two_trips_registered_on_the_form_each_show_their_own_trailer(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    first = client.post(reverse("declarations:register"), _form(bazargan, tehran, trailer_plate="12ع345"))
    second = client.post(
        reverse("declarations:register"), _form(bazargan, tehran, serial="HAND-0002", trailer_plate="67ع891")
    )
    assert first.status_code == second.status_code == 302
    assert Vehicle.objects.count() == 1  # the same truck
    one, two = _truck_line(client.get(first.url).content.decode()), _truck_line(client.get(second.url).content.decode())
    assert str(idents.plate_html("12ع345", "IR")) in one and str(idents.plate_html("67ع891", "IR")) not in one
    assert str(idents.plate_html("67ع891", "IR")) in two and str(idents.plate_html("12ع345", "IR")) not in two
    assert Vehicle.objects.get().trailer_plate == "67ع891"  # the truck's last known trailer


def test_the_api_registers_and_shows_each_trips_trailer(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    first = api.post("/api/declarations/", _body(trailer_plate="34TR111"), format="json")
    second = api.post("/api/declarations/", _body(serial="API-HAND-2", trailer_plate="34TR222"), format="json")
    assert first.status_code == second.status_code == 201, (first.json(), second.json())
    assert first.json()["trailer_plate"] == "34TR111" and second.json()["trailer_plate"] == "34TR222"
    shown = api.get(f"/api/declarations/{first.json()['id']}/").json()
    assert shown["trailer_plate"] == "34TR111"
    assert shown["vehicle"]["trailer_plate"] == "34TR222"  # the truck's last known trailer


def test_the_import_keeps_each_rows_trailer_and_an_older_trip_does_not_turn_the_trucks_back(bazargan, tehran):
    summary = import_rows(
        [
            (2, row(serial="T-TRL-1", route="", declared_at="1404/05/12 10:30", trailer_plate="12ع345")),
            (3, row(serial="T-TRL-2", route="", declared_at="1404/05/20 10:30", trailer_plate="67ع891")),
        ],
        source_ref="test",
    )
    assert summary.created == 2, summary.rejected
    late = import_rows(
        [(2, row(serial="T-TRL-0", route="", declared_at="1404/05/01 10:30", trailer_plate="55ع555"))], source_ref="t"
    )
    assert late.created == 1, late.rejected
    trailers = dict(TransitDeclaration.objects.values_list("serial", "trailer_plate"))
    assert trailers == {"T-TRL-0": "55ع555", "T-TRL-1": "12ع345", "T-TRL-2": "67ع891"}
    assert Vehicle.objects.get().trailer_plate == "67ع891"  # the newest trip's, not the one imported last


def test_a_declaration_stored_before_it_kept_its_trailer_shows_the_trucks(client, hq):
    d = DeclarationFactory(vehicle__trailer_plate="34TR999", vehicle__country="TR", vehicle_country="TR")
    assert d.trailer_plate is None  # not recorded on the row
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    assert str(idents.plate_html("34TR999", "TR")) in _truck_line(page)
    api = APIClient()
    api.force_authenticate(hq)
    assert api.get(f"/api/declarations/{d.pk}/").json()["trailer_plate"] == "34TR999"


def test_a_trip_registered_without_a_trailer_shows_none_though_the_truck_had_one(
    client, origin_clerk, bazargan, tehran
):
    client.force_login(origin_clerk)
    client.post(reverse("declarations:register"), _form(bazargan, tehran, trailer_plate="12ع345"))
    bare = client.post(reverse("declarations:register"), _form(bazargan, tehran, serial="HAND-0003", trailer_plate=""))
    assert bare.status_code == 302
    assert TransitDeclaration.objects.get(serial="HAND-0003").trailer_plate == ""  # given: none
    assert "trailer" not in _truck_line(client.get(bare.url).content.decode())
    assert Vehicle.objects.get().trailer_plate == "12ع345"  # the truck's last known trailer stays
