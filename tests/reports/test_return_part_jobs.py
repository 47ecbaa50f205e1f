"""An office's part of a monthly return, as its staff take it: the XLSX and PDF links land on the export's
page (built by the worker, never in the request), which names the return, its version and the office; the
file is the part as the request used to make it; the CSV streams as the stored list is read. Neither is
ever made from a stored CSV altered since the return was built."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.test import TestCase
from django.urls import reverse

from accounts.models import CustomsOffice
from core.dates import jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import parts, services
from reports.models import Symptom, SystemProblem
from tests.export_jobs import ask, job_of
from tests.factories import DeclarationFactory, OfficeFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def built(bazargan, tehran, west_az, inspector):
    """West Azerbaijan's return of Mordad 1404: two unsettled declarations from Bazargan, one from Urmia."""
    urmia = OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)
    for i, origin in enumerate([bazargan, bazargan, urmia]):
        DeclarationFactory(
            serial=f"{origin.code}-{i}",
            origin=origin,
            destination=tehran,
            declared_at=S - (20 + i) * DAY,
            deadline=S - (16 + i) * DAY,
            status=Status.UNSETTLED,
            unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
            unsettled_at=S - 10 * DAY,
        )
    return services.return_build(year=1404, month=5, province=west_az, by=inspector)


def _url(snap, fmt: str) -> str:
    return reverse("reports:return_download", args=[snap.pk, fmt])


def _filters(html: str) -> list[str]:
    """The filters as the page writes them ("name: value"), tags left out."""
    block = html.split("data-filters", 1)[1].split("</d", 1)[0]
    spans = re.findall(r'<span class="d-inline-block me-3">(.*?)</span>', block, re.S)
    return [re.sub(r"<[^>]+>", "", s).strip() for s in spans]


def _alter(settings, fieldfile) -> None:
    """Someone with write access to the media directory changes four bytes of the stored file."""
    path = settings.MEDIA_ROOT / fieldfile.name
    with open(path, "r+b") as fh:
        fh.seek(40)
        fh.write(b"\x00BAD")


def test_the_xlsx_link_lands_on_the_exports_page_and_builds_nothing_in_the_request(
    client, built, origin_clerk, monkeypatch
):
    monkeypatch.setattr(parts, "write_part", lambda *a, **k: pytest.fail("built in the request"))
    client.force_login(origin_clerk)
    with TestCase.captureOnCommitCallbacks():  # the build is queued, not run
        job = job_of(client.get(_url(built, "xlsx")))
    assert (job.kind, job.fmt, job.state) == ("return-part", "xlsx", "queued")
    assert QueryDict(job.query).dict() == {"return": str(built.pk), "version": "1", "office": "BZG"}

    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "Monthly return, an office&#x27;s part" in html
    assert f'href="{reverse("reports:return", args=[built.pk])}"' in html  # back to the return
    assert _filters(html) == ["Monthly return: Mordad 1404 — West Azerbaijan", "version: 1", "office: Bazargan"]
    listed = client.get(reverse("core:export-list")).content.decode()
    assert _filters(listed) == ["Monthly return: Mordad 1404 — West Azerbaijan", "version: 1", "office: Bazargan"]


@pytest.mark.persian
def test_the_exports_page_names_the_part_in_persian(client, built, origin_clerk):
    client.force_login(origin_clerk)
    with TestCase.captureOnCommitCallbacks():
        job = job_of(client.get(_url(built, "pdf")))
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "سهم یک گمرک از گزارش ماهانه تسویه" in html
    assert _filters(html) == ["گزارش ماهانه تسویه: مرداد ۱۴۰۴ — آذربایجان غربی", "نسخه: ۱", "گمرک: گمرک بازرگان"]


def test_the_worker_builds_the_part_under_the_name_it_had(client, built, origin_clerk, dest_clerk, it_officer):
    client.force_login(origin_clerk)
    job = ask(client, _url(built, "pdf"))
    job.refresh_from_db()
    assert (job.state, job.filename, job.rows) == ("done", "return-1404-05-WAZ-BZG-v1.pdf", 2)
    download = reverse("core:export-download", args=[job.pk])
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="return-1404-05-WAZ-BZG-v1.pdf"'
    text = pdf_text(b"".join(response.streaming_content))
    assert "BZG-0" in text and "BZG-1" in text and "URM-2" not in text  # the office's own serials only
    client.force_login(dest_clerk)
    assert client.get(download).status_code == 404
    client.force_login(it_officer)
    assert client.get(download).status_code == 200


def test_a_part_is_never_made_from_a_stored_csv_altered_since_the_return_was_built(
    client, built, origin_clerk, bazargan, settings
):
    _alter(settings, built.csv)
    client.force_login(origin_clerk)

    job = ask(client, _url(built, "xlsx"))

    job.refresh_from_db()
    assert job.state == "failed" and not job.file and not job.filename
    assert "stored CSV" in job.error and "SHA-256 no longer matches" in job.error
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "The file could not be built." in html and "export-download" not in html
    problem = SystemProblem.objects.get()
    assert (problem.symptom, problem.office) == (Symptom.FILE_ALTERED, bazargan)
    assert client.get(_url(built, "csv")).status_code == 409


def test_a_clerk_moved_to_another_office_before_the_build_gets_neither_part(client, built, origin_clerk):
    client.force_login(origin_clerk)
    with TestCase.captureOnCommitCallbacks() as queued:
        job = job_of(client.get(_url(built, "xlsx")))
    origin_clerk.office = CustomsOffice.objects.get(code="URM")  # whose part is in the same return
    origin_clerk.save(update_fields=["office"])

    for run in queued:
        run()

    job.refresh_from_db()
    assert job.state == "failed" and not job.file and "no longer yours" in job.error


def test_the_part_csv_streams_its_rows_as_the_stored_list_is_read(client, built, origin_clerk):
    client.force_login(origin_clerk)

    response = client.get(_url(built, "csv"))

    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="return-1404-05-WAZ-BZG-v1.csv"'
    chunks = [chunk.decode("utf-8") for chunk in response.streaming_content]
    head, rows = chunks[0], chunks[1:]
    assert head.startswith("\ufeffsection,key,label,value\r\n") and "BZG-0" not in head  # the figures first
    assert [row.split(",", 2)[:2] for row in rows] == [["BZG-0", "BZG"], ["BZG-1", "BZG"]]  # then a line a row
