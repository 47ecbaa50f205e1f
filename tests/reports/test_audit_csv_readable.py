"""The audit trail's CSV writes «what changed» as the page and the XLSX write it: labels, not codes; a person
by name, not an id; Jalali Tehran times in the reader's digits; «—» for nothing (an outside walk found
``status: acknowledged → resolved; resolved_at: None → 2026-…`` and ``assigned_to: None → 2`` in it)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from core.dates import format_jalali
from declarations.audit_text import ChangeWriter
from reports import services
from reports.models import ProblemStatus, Symptom, System
from tests.export_jobs import download
from tests.sheets import table_values

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_csv_writes_a_problems_changes_as_the_xlsx_and_the_page_do(client, bazargan, origin_clerk, it_officer, hq):
    problem = services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=timezone.now() - dt.timedelta(days=1),
        description="arrivals not visible",
    )
    services.problem_acknowledge(problem=problem, by=it_officer)
    services.problem_resolve(problem=problem, by=it_officer, resolution="ICS fixed the arrival screen today.")
    problem.refresh_from_db()
    resolved = LogEntry.objects.get_for_object(problem).latest("id")
    client.force_login(hq)
    rows = list(
        csv.reader(
            io.StringIO(download(client, reverse("reports:audit_export", args=["csv"])).content.decode("utf-8-sig"))
        )
    )
    cell = next(r[10] for r in rows[1:] if r[11] == str(resolved.seal.seq))
    acknowledged, done = ProblemStatus.ACKNOWLEDGED.label, ProblemStatus.RESOLVED.label
    assert f"{acknowledged} ← {done}" in cell
    assert format_jalali(problem.resolved_at) in cell  # Jalali, Tehran time, Persian digits
    for raw in ("acknowledged", "resolved", "None", "2026", "status:", "resolved_at"):
        assert raw not in cell
    xlsx = table_values(download(client, reverse("reports:audit_export", args=["xlsx"])).content)
    assert {r[11]: r[10] for r in xlsx[1:]}[resolved.seal.seq] == cell  # one text for both files
    acknowledging = LogEntry.objects.get_for_object(problem).filter(id__lt=resolved.pk).latest("id")
    cell = next(r[10] for r in rows[1:] if r[11] == str(acknowledging.seal.seq))
    assert ChangeWriter.name_of(it_officer) in cell and f"→ {it_officer.pk}" not in cell and "None" not in cell
    page = client.get(reverse("reports:audit"), {"object": str(problem.pk)}).content.decode()
    assert format_jalali(problem.resolved_at) in page
