"""A yes/no column of an ANPR report reads «بله»/«خیر» in its CSV and XLSX, as on the page, not True/False."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from declarations.services import declaration_confirm_arrival
from tests.anpr.sheets import sheet, table
from tests.export_jobs import download

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_arrival_evidence_exports_say_whether_the_office_has_a_camera_in_persian(
    client, hq, thr_camera, truck, declaration
):
    declaration_confirm_arrival(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(hq)
    url = "/anpr/reports/anpr-arrival-evidence/"
    rows = list(csv.reader(io.StringIO(download(client, url, {"format": "csv"}).content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["بله"]
    cell = table(sheet(download(client, url, {"format": "xlsx"})))[1][1]  # the office in one cell before it
    assert (cell.data_type, cell.value) == ("s", "بله")
