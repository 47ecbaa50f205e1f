"""One file per person (AML executive regulation, Arts. 12-13 and 34, by analogy): by national ID,
legal-entity national ID, foreign-national number or postal code, everything linked to the person
in the user's scope, and nothing outside it."""

import pytest

from declarations import persons
from tests.factories import CompanyFactory, DeclarationFactory, DriverFactory, VehicleFactory


@pytest.fixture
def people(bazargan, tehran, sarakhs):
    company = CompanyFactory(national_id="10101234567", postal_code="5716617631")
    iranian = DriverFactory(national_id="0012345679", postal_code="1969713111")
    afghan = DriverFactory(name="Ahmad Karimi", country="AF", foreign_national_no="100200300400")
    here = DeclarationFactory(origin=bazargan, destination=tehran, company=company, driver=iranian, serial="T-HERE")
    owned = DeclarationFactory(
        origin=bazargan, destination=tehran, vehicle=VehicleFactory(company=company), serial="T-OWNED"
    )
    away = DeclarationFactory(origin=sarakhs, destination=tehran, driver=afghan, serial="T-AWAY")
    return {"company": company, "iranian": iranian, "afghan": afghan, "here": here, "owned": owned, "away": away}


@pytest.mark.parametrize(
    ("typed", "serials"),
    [
        ("10101234567", {"T-HERE", "T-OWNED"}),  # legal-entity national ID: as carrier and as owner
        ("۵۷۱۶۶-۱۷۶۳۱", {"T-HERE", "T-OWNED"}),  # the company's postal code, Persian digits, a dash
        ("001-234567-9", {"T-HERE"}),  # the driver's national ID
        ("1969713111", {"T-HERE"}),  # the driver's postal code
    ],
)
def test_it_finds_everything_linked_to_the_person(people, origin_clerk, typed, serials):
    found = persons.person_file(typed, origin_clerk)
    assert {d.serial for d in found.declarations} == serials


def test_a_person_outside_the_scope_is_not_confirmed(people, origin_clerk, hq, outsider):
    assert not persons.person_file("100200300400", origin_clerk).found  # foreign national, another province
    national = persons.person_file("100200300400", hq)
    assert [d.serial for d in national.declarations] == ["T-AWAY"] and national.drivers == [people["afghan"]]
    assert persons.person_file("100200300400", outsider).declarations[0].serial == "T-AWAY"
    assert not persons.person_file("10101", hq).found  # no fragments


def test_the_page_shows_the_file_with_isolated_identifiers(people, client, origin_clerk):
    client.force_login(origin_clerk)
    r = client.get("/declarations/persons/", {"q": "0012345679"})
    body = r.content.decode()
    assert r.status_code == 200
    assert '<bdi dir="ltr" class="ident ident-person">0012345679</bdi>' in body
    assert "T-HERE" in body and "T-AWAY" not in body and "T-OWNED" not in body
    assert client.get("/declarations/persons/", {"q": "100200300400"}).status_code == 404
