"""No cell of an ANPR export (plate history, reports; CSV and XLSX) runs as a formula in a spreadsheet."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from anpr import ingest, sightings
from anpr.models import PlateRead
from declarations.services import declaration_confirm_arrival
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download

pytestmark = pytest.mark.django_db
LINK = '=HYPERLINK("//evil.ir","x")'


def _csv(resp) -> list[list[str]]:
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


def _xlsx(resp) -> list[list]:
    return table(sheet(resp))


@pytest.fixture
def formula_read(thr_camera, truck):
    """A read matched to the truck whose text, as the camera sent it, is a formula."""
    at = timezone.now() - dt.timedelta(hours=1)
    (r,) = ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate)])
    sightings.reads_match(read_ids=[r.id])
    PlateRead.objects.filter(pk=r.id).update(plate="", plate_raw=LINK)
    assert PlateRead.objects.get(pk=r.id).vehicle_id == truck.pk
    return r


def test_the_plate_history_exports_carry_a_formula_as_text(client, hq, formula_read, truck):
    client.force_login(hq)
    rows = _csv(download(client, "/anpr/plates/", {"q": truck.plate, "format": "csv"}))
    assert rows[1][3] == "'" + LINK
    cell = _xlsx(download(client, "/anpr/plates/", {"q": truck.plate, "format": "xlsx"}))[1][3]
    assert (cell.data_type, cell.value) == ("s", "'" + LINK)


def test_the_anpr_reports_carry_a_formula_as_text(client, hq, thr_camera, truck, declaration, tehran):
    tehran.name_fa = tehran.name_en = "=1+1"  # an office name as typed in the admin (the page's language picks one)
    tehran.save()
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    at = timezone.now() - dt.timedelta(hours=1)
    ingest.reads_ingest(camera=thr_camera, items=[ingest.ReadInput(captured_at=at, plate_raw=truck.plate)])
    client.force_login(hq)
    for code, column in (("anpr-reads-per-office-day", 3), ("anpr-arrival-evidence", 2)):
        url = f"/anpr/reports/{code}/"
        rows = _csv(download(client, url, {"format": "csv"}))
        assert [r[column - 1] for r in rows[1:]] == ["'=1+1"], code
        cell = _xlsx(download(client, url, {"format": "xlsx"}))[1][column - 2]  # the office in one cell
        assert (cell.data_type, cell.value) == ("s", "'=1+1 (THR)"), code
