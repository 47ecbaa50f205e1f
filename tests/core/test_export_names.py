"""Every export's file is named in one style: what it is, then its dates in Jalali with Latin digits, a period
as its first and last day (``1405-08-15_1405-09-14``), else when it was made (``1405-09-14_2343``, Tehran
time): the declarations, a tab of the system problems, the audit trail, a plate-reader report."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import TEHRAN
from core.files import export_filename
from tests.export_jobs import ask

pytestmark = pytest.mark.django_db


def _stamps(before: dt.datetime) -> set[str]:
    """The made-at stamps a file asked for since ``before`` may carry (a minute may turn meanwhile)."""
    return {export_filename("x", "xlsx", made_at=at)[2:-5] for at in (before, timezone.now())}


def test_the_helper_writes_a_period_and_a_making_time_in_jalali():
    at = dt.datetime(2026, 12, 5, 23, 43, tzinfo=TEHRAN)  # 1405/09/14
    assert export_filename("declarations", "xlsx", made_at=at) == "declarations_1405-09-14_2343.xlsx"
    assert (
        export_filename("anpr-camera-corrections", "csv", period=(dt.date(2026, 11, 6), at.date()), then="office-THR")
        == "anpr-camera-corrections_1405-08-15_1405-09-14_office-THR.csv"
    )
    utc = dt.datetime(2026, 12, 5, 20, 13, tzinfo=dt.UTC)  # 23:43 in Tehran
    assert export_filename("audit", "csv", made_at=utc) == "audit_1405-09-14_2343.csv"


def test_every_export_names_its_dates_alike(client, hq, it_officer, inspector, declaration):
    before = timezone.now()
    client.force_login(hq)
    declarations = ask(client, reverse("declarations:export-xlsx"))
    client.force_login(it_officer)
    problems = ask(client, "/reports/problems/", {"status": "open", "format": "xlsx"})
    audit = ask(client, reverse("reports:audit_export", args=["xlsx"]))
    client.force_login(inspector)
    report = ask(
        client, "/anpr/reports/anpr-camera-corrections/", {"from": "1405/08/15", "to": "1405/09/14", "format": "xlsx"}
    )

    names = []
    for job in (declarations, problems, audit, report):
        job.refresh_from_db()
        assert job.state == "done", job.error
        names.append(job.filename)
    stamps = _stamps(before)
    assert any(names[0] == f"declarations_{s}.xlsx" for s in stamps), names[0]
    assert any(names[1] == f"system-problems-open_{s}.xlsx" for s in stamps), names[1]
    assert any(names[2] == f"audit_{s}.xlsx" for s in stamps), names[2]
    assert names[3] == "anpr-camera-corrections_1405-08-15_1405-09-14_province-WAZ.xlsx"
    response = client.get(reverse("core:export-download", args=[report.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{names[3]}"'
