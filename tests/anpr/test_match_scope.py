"""A read's matches show only declarations the user may see; the others are counted, never named.

The Tehran office reads two trucks at its gate: one on its own declaration (Bazargan → Tehran),
one on a Bazargan → Sarakhs declaration that Tehran cannot open. Tehran sees both reads (its
gate), the serial of the first truck's declaration, and of the second only that the read matched
one declaration outside its scope: no id, no serial, in the API, the read search and the plate
history exports. A camera learns nothing of matches at all.
"""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from anpr import ingest
from anpr.models import MatchState, PlateRead
from declarations.models import Status, TransitDeclaration
from tests.anpr.conftest import camera_client
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db

OTHER_PLATE = "15ع73861"


@pytest.fixture
def elsewhere(bazargan, sarakhs):
    """A Bazargan → Sarakhs declaration on the road (outside Tehran's scope)."""
    d = DeclarationFactory(origin=bazargan, destination=sarakhs, vehicle=VehicleFactory(plate=OTHER_PLATE))
    TransitDeclaration.objects.filter(pk=d.pk).update(status=Status.IN_TRANSIT)
    return d


@pytest.fixture
def reads(thr_camera, truck, elsewhere):
    at = timezone.now() - dt.timedelta(hours=1)
    items = [
        ingest.ReadInput(captured_at=at, plate_raw=truck.plate),
        ingest.ReadInput(captured_at=at + dt.timedelta(minutes=1), plate_raw=OTHER_PLATE),
    ]
    ours, theirs = (PlateRead.objects.get(pk=r.id) for r in ingest.reads_ingest(camera=thr_camera, items=items))
    assert ours.match_state == theirs.match_state == MatchState.MATCHED
    return ours, theirs


def test_the_read_api_names_only_declarations_in_scope(client, dest_clerk, hq, declaration, elsewhere, reads):
    ours, theirs = reads
    client.force_login(dest_clerk)
    body = client.get(f"/api/anpr/reads/{theirs.pk}/").json()
    assert body["match_state"] == "matched"
    assert body["matches"] == [] and body["matches_outside_scope"] == 1
    mine = client.get(f"/api/anpr/reads/{ours.pk}/").json()
    assert [m["serial"] for m in mine["matches"]] == [declaration.serial] and mine["matches_outside_scope"] == 0
    # HQ sees everything.
    client.force_login(hq)
    body = client.get(f"/api/anpr/reads/{theirs.pk}/").json()
    assert [m["serial"] for m in body["matches"]] == [elsewhere.serial] and body["matches_outside_scope"] == 0


def test_the_read_search_names_only_declarations_in_scope(client, dest_clerk, elsewhere, reads):
    client.force_login(dest_clerk)
    resp = client.get("/api/anpr/reads/search/", {"plate": OTHER_PLATE})
    assert resp.status_code == 200
    (row,) = resp.json()["results"]
    assert row["matches"] == [] and row["matches_outside_scope"] == 1
    text = resp.content.decode()
    assert elsewhere.serial not in text and f'"declaration":{elsewhere.pk}' not in text.replace(" ", "")


def test_the_plate_history_exports_count_but_do_not_name_other_declarations(client, dest_clerk, elsewhere, reads):
    client.force_login(dest_clerk)
    resp = download(client, "/anpr/plates/", {"q": OTHER_PLATE, "format": "csv"})
    assert resp.status_code == 200
    header, row = csv.reader(io.StringIO(resp.content.decode("utf-8-sig")))
    assert elsewhere.serial not in resp.content.decode("utf-8-sig")
    assert row[header.index("Declarations")] == "" and row[header.index("Declarations outside your scope")] == "1"
    cells = [
        [c.value for c in r]
        for r in table(sheet(download(client, "/anpr/plates/", {"q": OTHER_PLATE, "format": "xlsx"})))
    ]
    assert not any(elsewhere.serial in str(v) for r in cells for v in r)
    assert cells[1][cells[0].index("Declarations outside your scope")] == 1


def test_the_plate_history_names_the_users_own_declarations(client, dest_clerk, declaration, truck, reads):
    client.force_login(dest_clerk)
    resp = download(client, "/anpr/plates/", {"q": truck.plate, "format": "csv"})
    header, row = csv.reader(io.StringIO(resp.content.decode("utf-8-sig")))
    assert row[header.index("Declarations")] == declaration.serial
    assert row[header.index("Declarations outside your scope")] == "0"


def test_a_camera_learns_nothing_of_matches(thr_camera, truck, elsewhere, recent):
    """A camera's answer is the read's id and whether it was a repeat: not even whether it matched."""
    client = camera_client(thr_camera)
    single = client.post("/api/anpr/reads/", {"captured_at": recent.isoformat(), "plate": OTHER_PLATE}, format="json")
    assert single.status_code == 201 and set(single.json()) == {"id", "duplicate"}
    later = (recent + dt.timedelta(seconds=5)).isoformat()
    bulk = client.post(
        "/api/anpr/reads/bulk/", {"reads": [{"captured_at": later, "plate": truck.plate}]}, format="json"
    )
    assert bulk.status_code == 200 and [set(r) for r in bulk.json()["results"]] == [{"index", "id", "duplicate"}]
    assert PlateRead.objects.filter(match_state=MatchState.MATCHED).count() == 2
    # Nor can its token read reads back.
    read_id = single.json()["id"]
    for path in (f"/api/anpr/reads/{read_id}/", "/api/anpr/reads/search/?plate=" + OTHER_PLATE):
        assert client.get(path).status_code in (401, 403)


@pytest.mark.persian
def test_the_review_page_counts_matches_outside_the_scope_in_persian_digits(client, dest_clerk, elsewhere, reads):
    _ours, theirs = reads
    client.force_login(dest_clerk)
    page = client.get(f"/anpr/reads/{theirs.pk}/review/").content.decode()
    assert "با ۱ اظهارنامه بیرون از حوزه شما" in page and elsewhere.serial not in page
