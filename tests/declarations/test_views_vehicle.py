"""The vehicle page: a truck's declarations in the user's scope, and panels from other apps."""

import pytest
from django.urls import reverse

from declarations import hooks
from tests.factories import DeclarationFactory, VehicleFactory


def test_it_lists_the_trucks_declarations_in_scope(client, inspector, bazargan, tehran, sarakhs):
    truck = VehicleFactory(plate="12ع34567")
    mine = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck)
    other = DeclarationFactory(origin=sarakhs, destination=tehran, vehicle=truck)
    client.force_login(inspector)
    html = client.get(reverse("declarations:vehicle", args=[truck.pk])).content.decode()
    assert mine.serial in html and other.serial not in html


@pytest.mark.persian
def test_it_renders_vehicle_panels(client, hq, declaration, monkeypatch):
    monkeypatch.setattr(
        hooks,
        "vehicle_panels",
        [lambda request, v: hooks.TemplatePanel("includes/capped_count.html", {"count": {"value": 4242}})],
    )
    client.force_login(hq)
    html = client.get(reverse("declarations:vehicle", args=[declaration.vehicle_id])).content.decode()
    assert "۴٬۲۴۲" in html  # the panel renders, its count grouped as Persian writes it


def test_a_truck_outside_the_scope_is_a_404(client, outsider, declaration):
    client.force_login(outsider)
    assert client.get(reverse("declarations:vehicle", args=[declaration.vehicle_id])).status_code == 404


def test_the_plate_search_finds_the_truck_in_persian_digits(client, dest_clerk, bazargan, tehran):
    truck = VehicleFactory(plate="12ع34567")
    DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck)
    client.force_login(dest_clerk)
    response = client.get(reverse("declarations:vehicle-search"), {"plate": "۱۲ ع ۳۴۵ - ۶۷"})
    assert response.status_code == 302
    assert response.url == reverse("declarations:vehicle", args=[truck.pk])
    assert client.get(reverse("declarations:vehicle-search"), {"plate": "؟؟"}).status_code == 400


@pytest.mark.persian
def test_a_plate_search_for_no_plate_is_refused_in_the_pages_language(client, dest_clerk):
    client.force_login(dest_clerk)
    response = client.get(reverse("declarations:vehicle-search"), {"plate": "؟؟"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "«\u2067؟؟\u2069» پلاک معتبری نیست." in html and "is not a plate" not in html


def test_a_plate_search_for_no_plate_quotes_it_isolated_in_its_own_order(client, dest_clerk):
    """Latin letters and Persian digits typed together kept their order only by chance of the sentence."""
    client.force_login(dest_clerk)
    response = client.get(reverse("declarations:vehicle-search"), {"plate": "AB ۱۲ ?"})
    assert response.status_code == 400
    assert "&#x27;\u2066AB ۱۲ ?\u2069&#x27; is not a plate." in response.content.decode()


@pytest.mark.persian
def test_a_plate_search_for_no_plate_quotes_it_isolated_in_persian(client, dest_clerk):
    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:vehicle-search"), {"plate": "AB ۱۲ ?"}).content.decode()
    assert "«\u2066AB ۱۲ ?\u2069» پلاک معتبری نیست." in html
