"""OPTIONS on the declarations API's POST routes described the declaration list's row (id, serial, status …)
whatever the route took: a client reading it sent the wrong body. Each now describes the body it takes, as
the schema at /api/schema/ does."""

import pytest
from rest_framework.test import APIClient

from declarations import serializers, serializers_serials
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(hq):
    client = APIClient()
    client.force_authenticate(hq)
    return client


def _described(api, path: str) -> dict:
    response = api.options(path)
    assert response.status_code == 200, response.content
    return response.json()["actions"]["POST"]


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("depart", serializers.DepartIn),
        ("confirm-arrival", serializers.ConfirmArrivalIn),
        ("settle", serializers.SettleIn),
        ("record-reason", serializers.RecordReasonIn),
        ("cancel", serializers.CancelIn),
        ("close", serializers.CloseIn),
        ("extend-deadline", serializers.ExtendDeadlineIn),
        ("arrival-serials", serializers_serials.ArrivalSerialsIn),
        ("resolve-discrepancy", serializers_serials.ReasonIn),
        ("settlement-override", serializers_serials.ReasonIn),
        ("imei-check", serializers_serials.ImeiCheckIn),
        ("transport-document", serializers_serials.TransportDocumentIn),
    ],
)
def test_an_action_describes_its_own_body(api, bazargan, tehran, action, body):
    d = DeclarationFactory(origin=bazargan, destination=tehran)
    described = _described(api, f"/api/declarations/{d.pk}/{action}/")
    assert list(described) == list(body().fields)
    assert "is_overdue" not in described  # the list's row, described before


def test_the_routes_described_fields_say_what_to_send(api, bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran)
    cancel = _described(api, f"/api/declarations/{d.pk}/cancel/")
    assert cancel["reason"]["required"] is True and cancel["reason"]["help_text"].startswith(
        "why the declaration is cancelled; at least 10 letters or digits"
    )
    extend = _described(api, f"/api/declarations/{d.pk}/extend-deadline/")
    assert set(extend) == {"new_deadline", "reason"}


def test_registering_and_importing_describe_their_bodies(api):
    register = _described(api, "/api/declarations/")
    assert {"serial", "declared_at", "origin", "destination", "plate", "trailer_plate", "goods"} <= set(register)
    assert "is_overdue" not in register and register["goods"]["required"] is True
    imported = _described(api, "/api/declarations/import/")
    assert list(imported) == ["records"] and imported["records"]["type"] == "list"


def test_the_permit_routes_describe_their_bodies(api):
    assert list(_described(api, "/api/permits/")) == list(serializers.PermitIn().fields)
    assert list(_described(api, "/api/permits/1/exit/")) == list(serializers.PermitExitIn().fields)


def test_the_list_and_the_schema_are_unchanged(api, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran)
    assert api.get("/api/declarations/").json()["results"][0]["is_overdue"] is False
    schema = api.get("/api/schema/?format=json").json()["paths"]
    body = schema["/api/declarations/{id}/depart/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DepartIn"}
    created = schema["/api/declarations/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/RegisterIn"}
