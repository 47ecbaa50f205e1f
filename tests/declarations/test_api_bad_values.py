"""Values the API took that it should refuse, each named under its field: a country code that is no country
(«ZZ»), a seal number 1000 characters long, a seals array element holding several seals («S 1;S2» became
three), a serial longer than the stored column; the schema gives the lengths."""

import pytest
from rest_framework.test import APIClient

from declarations.models import TransitDeclaration
from tests.declarations.test_register import _api_body

pytestmark = pytest.mark.django_db
REGISTER = "/api/declarations/"


@pytest.fixture
def api(origin_clerk, bazargan, tehran):
    client = APIClient()
    client.force_authenticate(origin_clerk)
    return client


def _refused(api, **changes) -> dict:
    response = api.post(REGISTER, _api_body(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert not TransitDeclaration.objects.exists()
    return response.json()["error"]["fields"]


def test_a_country_code_that_is_no_country_is_refused_under_plate_country(api):
    fields = _refused(api, plate_country="ZZ")
    assert list(fields) == ["plate_country"] and "ZZ" in fields["plate_country"][0]
    assert "such as TR" in fields["plate_country"][0]
    assert api.post(REGISTER, _api_body(plate_country="AM"), format="json").status_code == 201


def test_a_seal_number_of_a_thousand_characters_is_refused(api):
    fields = _refused(api, seals=["S" * 1000])
    assert list(fields) == ["seals"]


def test_a_seal_of_a_thousand_characters_in_the_import_is_refused_too(bazargan, tehran):
    from declarations.importer import import_records

    body = _api_body(seals="S" * 1000)
    summary = import_records([body])
    assert summary.created == 0 and [e.field for e in summary.rejected] == ["seals"]
    assert "At most 40 characters; 1,000 were written." in summary.rejected[0].message


def test_an_array_element_holding_a_separator_is_refused_naming_its_index(api):
    fields = _refused(api, seals=["S0", "S 1;S2"])
    assert list(fields) == ["seals"] and list(fields["seals"]) == ["1"]  # under its index, as a too-long one
    assert "element 2" in fields["seals"]["1"][0] and "S 1;S2" in fields["seals"]["1"][0]
    response = api.post(REGISTER, _api_body(seals=["S1", "S2"]), format="json")
    assert response.status_code == 201
    assert TransitDeclaration.objects.get().seal_numbers == ["S1", "S2"]


def test_a_serial_longer_than_its_column_is_refused(api):
    fields = _refused(api, serial="A" * 33)
    assert list(fields) == ["serial"]


def test_a_plate_of_a_thousand_characters_is_refused_by_its_length(api):
    fields = _refused(api, plate="1" * 1000)
    assert list(fields) == ["plate"] and "32" in fields["plate"][0]


def test_the_schema_gives_the_lengths():
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    register = components["RegisterIn"]["properties"]
    assert register["serial"]["maxLength"] == 32 and register["plate"]["maxLength"] == 32
    assert register["seals"]["items"]["maxLength"] == 40
    assert components["ConfirmArrivalIn"]["properties"]["seal_numbers_found"]["items"]["maxLength"] == 40


@pytest.mark.parametrize("text", ["NaN", "nan", "sNaN", "Infinity", "-inf"])
def test_a_number_that_is_no_number_is_refused_under_its_field(api, text):
    """«NaN» was read by Decimal and then compared (``value < 0``): a 500; «Infinity» was called negative."""
    fields = _refused(api, guarantee_amount=text)
    assert list(fields) == ["guarantee_amount"] and "is not a number" in str(fields["guarantee_amount"])
    goods = [{"hs_code": "870323", "description": "cars", "quantity": text, "goods_serials": ["VIN1"]}]
    fields = _refused(api, goods=goods)
    assert "is not a number" in str(fields) and "quantity" in str(fields)


def test_a_nan_in_one_imported_record_refuses_that_record_alone(bazargan, tehran):
    from declarations.importer import import_records

    bad = _api_body(serial="API-NAN-1", goods=[{"hs_code": "870323", "description": "cars", "quantity": "NaN"}])
    summary = import_records([bad, _api_body(serial="API-OK-1", plate="34ABC124")])
    assert summary.created == 1 and [e.field for e in summary.rejected] == ["quantity"]
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["API-OK-1"]
