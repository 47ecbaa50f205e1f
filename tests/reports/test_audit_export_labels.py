"""The audit trail's CSV and XLSX name interfaces, accesses and subjects in the reader's words, as the page
does: a background job by what it does (not «core.tasks.build_export»), an API token as «توکن … کاربر …»,
an export's access as «خروجی ساخته شد» (not «export_built»), an export by its title, format and number (not
«declarations xlsx #3»)."""

import csv
import io
import re

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core import audit
from core.models import Via
from tests.export_jobs import download

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

RAW = ("core.tasks.build_export", "export_built", "export_requested", "token 55e41a8f", "audit csv #", "audit xlsx #")


def _csv_rows(client) -> list[list[str]]:
    response = download(client, reverse("reports:audit_export", args=["csv"]))
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def _xlsx_rows(client) -> list[list[str]]:
    response = download(client, reverse("reports:audit_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "زمان")  # past the title block
    return rows[start + 1 :]


def test_both_files_write_the_readers_words(client, declaration, hq, it_officer, origin_clerk):
    with audit.actor(origin_clerk), audit.interface(Via.API, "token 55e41a8f… of bazargan"):
        audit.record_access(None, declaration, "download")
    client.force_login(it_officer)
    _csv_rows(client)  # another reader's export of the trail: its request and its build are in the trail now
    client.force_login(hq)

    for rows in (_csv_rows(client), _xlsx_rows(client)):
        text = "\n".join("|".join(r) for r in rows)
        for raw in RAW:
            assert raw not in text, raw
        built = next(r for r in rows if "خروجی ساخته شد" in r[10])
        assert built[5] == "ساخت خروجی"  # the job that wrote it, by what it does
        assert re.fullmatch(r"سوابق ممیزی · CSV · #[۰-۹]+", built[9])  # the export: its title, format, number
        assert any("خروجی درخواست شد" in r[10] for r in rows)
        (token,) = [r for r in rows if "bazargan" in r[5]]
        assert token[5].startswith("توکن") and "55e41a8f" in token[5]
    assert LogEntry.objects.filter(additional_data__access="export_built").exists()
