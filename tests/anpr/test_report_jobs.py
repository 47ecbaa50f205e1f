"""A plate-reader report's CSV, XLSX and PDF, and a plate's sighting history's, are built by the worker: the
button lands on the export's page (no file is built in the request), the file is the report's as the
request used to build it, and only the person who asked (and the IT office) may take it."""

import datetime as dt
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from anpr import ingest, reports
from core import exports
from core.models import ExportJob
from core.templatetags.evidence import file_name
from declarations import idents
from notifications.models import Notification
from tests.export_jobs import ask, job_of
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
URL = "/anpr/reports/anpr-camera-corrections/"


def _seen(camera, plate="12ب34567"):
    at = timezone.now() - dt.timedelta(hours=1)
    ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw=plate)])


def test_the_pdf_button_starts_a_job_and_builds_nothing_in_the_request(client, inspector, bzg_camera, monkeypatch):
    _seen(bzg_camera)
    monkeypatch.setattr(reports.Report, "to_pdf", lambda self: pytest.fail("built in the request"))
    client.force_login(inspector)
    with TestCase.captureOnCommitCallbacks():  # the build is queued, not run
        job = job_of(client.get(URL, {"format": "pdf", "sort": "2", "dir": "desc"}))
    assert (job.kind, job.fmt, job.params, job.state) == (
        "anpr-report",
        "pdf",
        {"report": "anpr-camera-corrections"},
        "queued",
    )
    assert job.query == "format=pdf&sort=2&dir=desc"
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert f'href="{URL}?sort=2&amp;dir=desc"' in html  # back to the report as it was asked, without the format
    assert "Plate reads corrected by people, per camera" in html  # the report's own title, not "a report"


def _filters(html: str) -> list[str]:
    """The filters as the page writes them ("name: value"), tags left out."""
    block = html.split("data-filters", 1)[1].split("</d", 1)[0]
    spans = re.findall(r'<span class="d-inline-block me-3">(.*?)</span>', block, re.S)
    return [re.sub(r"<[^>]+>", "", s).strip() for s in spans]


def test_the_exports_page_shows_the_filters_as_a_person_reads_them(client, inspector, bzg_camera):
    client.force_login(inspector)
    with TestCase.captureOnCommitCallbacks():
        job = job_of(client.get(URL, {"from": "1405/08/15", "to": "۱۴۰۵/۰۹/۱۴", "format": "xlsx"}))
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert _filters(html) == ["period from: 1405/08/15", "period to: 1405/09/14"]  # as the English page writes them
    assert "%2F" not in html.split("data-filters", 1)[1][:400]


@pytest.mark.persian
def test_a_persian_reader_reads_the_period_in_persian_digits_however_it_was_typed(client, inspector, bzg_camera):
    client.force_login(inspector)
    with TestCase.captureOnCommitCallbacks():
        job = job_of(client.get(URL, {"from": "1405-8-15", "to": "1405/09/14", "sort": "2", "format": "pdf"}))

    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    listed = client.get(reverse("core:export-list")).content.decode()

    # The sort by the column's header and its direction, as the page shows it (not «ستون: ۳», a number nobody sees).
    expected = ["دوره از: ۱۴۰۵/۰۸/۱۵", "دوره تا: ۱۴۰۵/۰۹/۱۴", "مرتب‌شده بر پایهٔ: قرائت‌ها (صعودی)"]
    assert _filters(page) == expected
    assert _filters(listed) == expected


def test_a_day_the_report_refused_is_written_as_asked(client, inspector):
    job = ExportJob.objects.create(
        user=inspector,
        kind="anpr-report",
        fmt="xlsx",
        language="en",
        query="from=1405/13/40",
        params={"report": "anpr-camera-corrections"},
    )
    client.force_login(inspector)
    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert _filters(page) == ["period from: 1405/13/40"]


def test_the_report_pdf_is_built_by_the_worker_and_only_its_asker_may_take_it(
    client, inspector, bzg_camera, dest_clerk, it_officer
):
    _seen(bzg_camera)
    client.force_login(inspector)
    job = ask(client, URL, {"format": "pdf"})
    job.refresh_from_db()
    assert job.state == "done" and job.filename.startswith("anpr-camera-corrections_") and job.filename.endswith(".pdf")
    download = reverse("core:export-download", args=[job.pk])
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Plate reads corrected by people, per camera" in text and "BZG-1" in text  # the asker's language
    note = Notification.objects.get(user=inspector, kind="export_ready")
    assert str(note.title) == "Plate reads corrected by people, per camera"
    client.force_login(dest_clerk)
    assert client.get(download).status_code == 404
    client.force_login(it_officer)
    assert client.get(download).status_code == 200


def test_a_plate_history_xlsx_job_keeps_the_plate(client, hq, bzg_camera):
    _seen(bzg_camera)
    client.force_login(hq)
    job = ask(client, "/anpr/plates/", {"q": "12ب34567", "format": "xlsx"})
    job.refresh_from_db()
    assert job.params == {"report": "anpr-plate-history", "plate": "12ب34567"} and job.state == "done"
    assert "12ب34567" in job.filename or job.filename.startswith("anpr-plate-history-")
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert str(idents.plate_html("12ب34567")) in html  # the plate as the pages write it, isolated
    # Each character in the order it is written: left to right, the plate's letter isolated on its own.
    assert str(file_name(job.filename)) in html and "<bdo" not in html


def test_a_report_no_longer_the_persons_fails_saying_so(client, inspector, bzg_camera, monkeypatch):
    client.force_login(inspector)
    monkeypatch.setattr(reports.CameraCorrections, "is_available_to", classmethod(lambda cls, user: False))
    job = ExportJob.objects.create(
        user=inspector, kind="anpr-report", fmt="xlsx", language="en", params={"report": "anpr-camera-corrections"}
    )
    from core import exports

    assert exports.build(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error == "This report is not available to you."
    assert (
        "This report is not available to you." in client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    )
    assert Notification.objects.filter(user=inspector, kind="export_failed").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_my_exports_says_how_many_rows_the_report_file_holds(client, inspector, bazargan, bzg_camera, fmt):
    from anpr import services

    _seen(bzg_camera)
    for code in ("BZG-2", "BZG-3"):
        _seen(services.camera_register(office=bazargan, code=code, direction="in")[0])
    client.force_login(inspector)
    job = ask(client, URL, {"format": fmt})
    job.refresh_from_db()
    assert (job.state, job.rows) == ("done", 3)  # one row per camera, as in the file
    listed = client.get(reverse("core:export-list")).content.decode()
    assert "<td data-rows>3</td>" in listed


def test_a_plate_history_file_says_how_many_sightings_it_holds(client, hq, bzg_camera):
    _seen(bzg_camera)
    _seen(bzg_camera)
    client.force_login(hq)
    job = ask(client, "/anpr/plates/", {"q": "12ب34567", "format": "xlsx"})
    job.refresh_from_db()
    assert (job.state, job.rows) == ("done", 2)


def test_a_pdf_counts_the_rows_it_holds_not_the_rows_beyond_it(inspector, bzg_camera, monkeypatch):
    monkeypatch.setattr(reports, "PDF_MAX_ROWS", 2)
    monkeypatch.setattr(
        reports.CameraCorrections, "rows", lambda self: iter([["BZG", "BZG-1", 1, 0, 0, None, None]] * 5)
    )
    counted = []
    report = reports.CameraCorrections(inspector, timezone.now() - dt.timedelta(days=1), timezone.now())
    report.to_pdf(lambda done, total: counted.append(done))
    assert counted == [2]  # the PDF holds two rows and says the table goes on in the XLSX


@pytest.mark.parametrize(
    ("url", "params", "report"),
    [
        (URL, {}, "anpr-camera-corrections"),
        ("/anpr/plates/", {"q": "12ب34567"}, "anpr-plate-history"),
    ],
)
def test_the_csv_button_starts_a_job_and_builds_nothing_in_the_request(
    client, hq, bzg_camera, monkeypatch, url, params, report
):
    """Up to a hundred thousand sightings read and written: the worker's work, as the XLSX and the PDF are."""
    _seen(bzg_camera)
    real = reports.Report.to_csv
    monkeypatch.setattr(reports.Report, "to_csv", lambda self, *a: pytest.fail("built in the request"))
    client.force_login(hq)
    with TestCase.captureOnCommitCallbacks():  # the build is queued, not run
        job = job_of(client.get(url, {**params, "format": "csv"}))
    assert (job.kind, job.fmt, job.params["report"], job.state) == ("anpr-report", "csv", report, "queued")
    monkeypatch.setattr(reports.Report, "to_csv", real)
    # Asked again while it waits, the same job (a double click starts no second one); the worker builds it.
    assert ask(client, url, {**params, "format": "csv"}).pk == job.pk
    exports.build(job.pk)
    job.refresh_from_db()
    assert (job.state, job.rows) == ("done", 1) and job.filename.endswith(".csv")
    response = client.get(reverse("core:export-download", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 2  # the header, the row
    assert Notification.objects.filter(user=hq, kind="export_ready", subject=f"export:{job.pk}").exists()
