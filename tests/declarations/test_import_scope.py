"""Import follows the lifecycle's roles and the offices' scope, through the page and the API.

Each persona imports one file holding every move an export can make (create as registered, as in
transit or as settled; depart, confirm the arrival, settle, record a reason, cancel) for a
declaration of its own offices (Bazargan → Tehran) and for one of two other offices (Sarakhs →
Yazd). What the persona may not do is refused with its row number and reason and writes
nothing; what it may do is recorded with the persona as actor and the import batch as source.

Headquarters and the national ICS client import for every office; office staff only what their
office does on the pages: the origin registers, departs and cancels, the destination confirms,
settles and records why it cannot settle.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.offices_data import ensure_offices
from declarations.importer import import_file
from declarations.models import DeclarationEvent, GoodsItem, ImportBatch, Status, TransitDeclaration
from tests.declarations.test_importer import row, to_csv
from tests.factories import UserFactory

# move -> (status held before the import or None for a new declaration, status in the export)
MOVES = {
    "create": (None, Status.REGISTERED),
    "create_departed": (None, Status.IN_TRANSIT),
    "create_settled": (None, Status.SETTLED),
    "depart": (Status.REGISTERED, Status.IN_TRANSIT),
    "confirm_arrival": (Status.IN_TRANSIT, Status.ARRIVED),
    "settle": (Status.ARRIVED, Status.SETTLED),
    "record_unsettled": (Status.ARRIVED, Status.UNSETTLED),
    "cancel": (Status.REGISTERED, Status.CANCELLED),
}
SCOPES = {"own": ("BZG", "THR"), "other": ("SRK", "YZD")}
EVERYTHING = {(scope, move) for scope in SCOPES for move in MOVES}
ALLOWED = {
    "hq": EVERYTHING,
    "ics": EVERYTHING,
    "origin_clerk": {("own", m) for m in ("create", "create_departed", "depart", "cancel")},
    "dest_clerk": {("own", m) for m in ("create", "confirm_arrival", "settle", "record_unsettled")},
}
HELD_AT = "1404/05/13 10:00"
EXPORT_AT = "1404/05/14 09:00"


@pytest.fixture
def offices(db):
    return ensure_offices()


@pytest.fixture
def ics(db):
    """The national integration client (the ICS token): no office, no province."""
    return UserFactory(username="ics", role=Role.INTEGRATION)


def _serial(scope: str, move: str) -> str:
    return f"T1404{list(SCOPES).index(scope)}{list(MOVES).index(move):07d}"


def _row(scope: str, move: str, status: str, at: str = EXPORT_AT) -> dict:
    origin, destination = SCOPES[scope]
    extra = {"unsettled_reason": "seal_discrepancy"} if status == Status.UNSETTLED else {}
    return row(
        serial=_serial(scope, move),
        origin=origin,
        destination=destination,
        route="",
        waybill_no=f"WB-{_serial(scope, move)}",
        goods_serials="",
        status=status,
        status_at=at if status != Status.REGISTERED else "",
        **extra,
    )


def _held(offices) -> None:
    """What ICS told us before (imported by the system): the declarations the moves start from."""
    rows = [
        _row(scope, move, held, HELD_AT)
        for scope in SCOPES
        for move, (held, _target) in MOVES.items()
        if held is not None
    ]
    summary = import_file(to_csv(rows), "earlier.csv")
    assert summary.rejected == [] and summary.exceptions == []


def _export() -> list[tuple[str, str]]:
    return [(scope, move) for scope in SCOPES for move in MOVES]


def _via_page(client, user) -> dict:
    client.force_login(user)
    rows = [_row(scope, move, MOVES[move][1]) for scope, move in _export()]
    upload = SimpleUploadedFile("export.csv", to_csv(rows))
    response = client.post(reverse("declarations:import"), {"file": upload})
    assert response.status_code == 200
    batch = ImportBatch.objects.latest("pk")
    return {**batch.report, "first_row": 2}


def _via_api(user) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    records = [_row(scope, move, MOVES[move][1]) for scope, move in _export()]
    response = api.post("/api/declarations/import/", json.dumps(records), content_type="application/json")
    assert response.status_code == 200, response.content
    return {**response.json(), "first_row": 1}


def _check(report: dict, user, allowed: set) -> None:
    batch = ImportBatch.objects.get(pk=report["batch"])
    assert batch.by == user
    rejected: dict[int, dict] = {}
    for e in report["rejected"]:  # a row's first error: its permission (a missing departure time may follow)
        rejected.setdefault(e["row"], e)
    outcome = {}
    for i, (scope, move) in enumerate(_export()):
        error = rejected.get(report["first_row"] + i)
        outcome[(scope, move)] = error is None
        held, target = MOVES[move]
        d = TransitDeclaration.objects.filter(serial=_serial(scope, move)).first()
        if error is None:
            # recorded with the importer as actor and the batch as source
            assert d is not None and d.status == target, (scope, move)
            assert d.status_changed_by == user and f"import batch {batch.pk}:" in d.status_source_ref
            events = DeclarationEvent.objects.filter(declaration=d, data__source_ref=d.status_source_ref)
            assert events.exists() and {e.actor for e in events} == {user}, (scope, move)
            continue
        # refused: named row, a reason, nothing written
        assert error["field"] == ("origin" if scope == "other" else "status") and error["message"], error
        if held is None:
            assert d is None and not GoodsItem.objects.filter(declaration__serial=_serial(scope, move)).exists()
        else:
            assert d.status == held and d.status_changed_by is None, (scope, move)
            assert not DeclarationEvent.objects.filter(declaration=d, actor=user).exists()
    assert {k for k, ok in outcome.items() if ok} == allowed
    assert report["exceptions"] == []
    # outside the scope: one answer, new serial or stored, that says nothing of what is stored
    outside = {
        rejected[report["first_row"] + i]["message"].replace(_serial(s, m), "#")
        for i, (s, m) in enumerate(_export())
        if s == "other" and not outcome[(s, m)]
    }
    assert len(outside) <= 1
    assert all("outside your scope" in message for message in outside)


@pytest.mark.parametrize("persona", ["hq", "origin_clerk", "dest_clerk"])
def test_the_import_page_applies_roles_and_scope(client, offices, persona, request):
    user = request.getfixturevalue(persona)
    _held(offices)
    _check(_via_page(client, user), user, ALLOWED[persona])


@pytest.mark.parametrize("persona", ["hq", "ics", "origin_clerk", "dest_clerk"])
def test_the_import_api_applies_roles_and_scope(offices, persona, request):
    user = request.getfixturevalue(persona)
    _held(offices)
    _check(_via_api(user), user, ALLOWED[persona])


@pytest.mark.parametrize("persona", ["inspector", "it_officer"])
def test_roles_that_do_not_import_are_refused_on_the_page_and_the_api(client, offices, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    upload = SimpleUploadedFile("export.csv", to_csv([_row("own", "create", Status.REGISTERED)]))
    assert client.post(reverse("declarations:import"), {"file": upload}).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    assert (
        api.post("/api/declarations/import/", [_row("own", "create", Status.REGISTERED)], format="json").status_code
        == 403
    )
    assert not TransitDeclaration.objects.exists() and not ImportBatch.objects.exists()


def test_an_office_bound_integration_client_imports_for_its_office_only(offices):
    client = UserFactory(username="bzg-gate", role=Role.INTEGRATION, office=offices["BZG"])
    _held(offices)
    _check(_via_api(client), client, ALLOWED["origin_clerk"])


def test_the_command_imports_as_a_named_user_with_its_scope(offices, origin_clerk, tmp_path, capsys):
    from django.core.management import call_command

    f = tmp_path / "e.csv"
    f.write_bytes(to_csv([_row("own", "create", Status.REGISTERED), _row("other", "create", Status.REGISTERED)]))
    call_command("import_ics", str(f), user="origin_clerk")
    out = capsys.readouterr().out
    assert "created 1" in out and "row 3: origin" in out and "outside your scope" in out
    assert TransitDeclaration.objects.get().status_changed_by == origin_clerk
