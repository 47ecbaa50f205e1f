"""A truck's or a driver's nationality is read by its name («ترکیه», Türkiye), never as the bare code («TR»),
on the declaration page, the truck's page, the permit forms and the person file's driver table."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import DeclarationFactory, DriverFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(bazargan, tehran):
    truck = VehicleFactory(plate="34ABC123", country="TR")
    driver = DriverFactory(name="Mehmet Yilmaz", country="TR", foreign_national_no="100200300499")
    return DeclarationFactory(origin=bazargan, destination=tehran, vehicle=truck, vehicle_country="TR", driver=driver)


def _page(client, url, data=None, *, lang="en") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_declaration_page_names_the_trucks_country(client, foreign, origin_clerk):
    client.force_login(origin_clerk)
    url = reverse("declarations:detail", args=[foreign.pk])
    assert "· ترکیه" in _page(client, url, lang="fa")
    page = _page(client, url)
    assert "· Türkiye" in page and "· TR<" not in page and "· TR " not in page


def test_the_trucks_page_names_its_nationality(client, foreign, origin_clerk):
    client.force_login(origin_clerk)
    url = reverse("declarations:vehicle", args=[foreign.vehicle_id])
    assert "تابعیت: ترکیه" in _page(client, url, lang="fa")
    page = _page(client, url)
    assert "Nationality: Türkiye" in page and "Nationality: TR" not in page


def test_the_permit_forms_name_the_trucks_country(client, foreign, origin_clerk, inspector):
    client.force_login(origin_clerk)
    new = _page(client, reverse("declarations:permit-new", args=[foreign.pk]), lang="fa")
    assert "ترکیه" in new and "· TR" not in new
    client.force_login(inspector)
    waive = _page(client, reverse("declarations:permit-waive", args=[foreign.pk]))
    assert "· Türkiye" in waive and "· TR" not in waive


def test_the_driver_table_names_the_drivers_nationality(client, foreign, origin_clerk):
    client.force_login(origin_clerk)
    url = reverse("declarations:person")
    assert "<td>ترکیه</td>" in _page(client, url, {"q": "100200300499"}, lang="fa")
    page = _page(client, url, {"q": "100200300499"})
    assert "<td>Türkiye</td>" in page and "<td>TR</td>" not in page


def test_the_declarations_list_names_the_trucks_country(client, foreign, origin_clerk):
    client.force_login(origin_clerk)
    html = _page(client, reverse("declarations:list"), lang="fa")
    assert '<span class="badge text-bg-secondary" data-country="TR">ترکیه</span>' in html
