"""Evidence files are served through one door (core/files.py): the SHA-256 recorded at storage is
checked on every download, an altered file is refused and reported to the IT office once, every
download is in the audit trail, and nothing a logged-in user saw stays in the browser's cache."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr import services as anpr_services
from casework import letters
from casework import services as casework
from core import files as core_files
from core.dates import jalali_month_of
from declarations import services as declaration_services
from declarations.models import Status
from reports import services as report_services
from reports.models import CHECKLIST, Symptom, SystemProblem
from scans import services as scan_services
from scans.models import Stage
from tests import files
from tests.export_jobs import download, exported
from tests.factories import DeclarationFactory
from tests.scans import images

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4


@dataclass
class Served:
    """One stored evidence file: where it is downloaded, the page that links it, who may see it."""

    url: str
    page: str
    user: object
    fieldfile: object
    sha256: str
    office_id: int


def _departed(declaration, origin_clerk):
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    declaration.refresh_from_db()
    return declaration


def scan_original(declaration, origin_clerk, **_):
    declaration = _departed(declaration, origin_clerk)
    (scan,) = scan_services.scan_upload(
        declaration=declaration,
        stage=Stage.ORIGIN,
        scanner_id="NUC-7",
        captured_at=timezone.now() - dt.timedelta(hours=1),
        files=[SimpleUploadedFile("scan.png", images.png())],
        by=origin_clerk,
    )
    return Served(
        reverse("scans:original", args=[scan.pk]),
        reverse("scans:declaration", args=[declaration.pk]),
        origin_clerk,
        scan.original,
        scan.sha256,
        scan.office_id,
    )


def plate_photo(origin_clerk, bazargan, **_):
    camera, _token = anpr_services.camera_register(office=bazargan, code="BZG-1", direction="in", lane="1")
    at = timezone.now() - dt.timedelta(hours=1)
    (result,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=JPEG)])
    read = camera.reads.get(pk=result.id)
    return Served(
        reverse("anpr:photo", args=[read.pk]),
        reverse("anpr:camera", args=[camera.pk]),
        origin_clerk,
        read.photo,
        read.photo_sha256,
        bazargan.pk,
    )


def inspection_attachment(inspector, bazargan, **_):
    inspection = report_services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist=dict.fromkeys(CHECKLIST, "yes"),
        attachments=[SimpleUploadedFile("report.pdf", files.pdf(), content_type="application/pdf")],
    )
    att = inspection.attachments.get()
    return Served(
        reverse("reports:attachment", args=[att.pk]),
        reverse("reports:inspection", args=[inspection.pk]),
        inspector,
        att.file,
        att.sha256,
        bazargan.pk,
    )


def letter_pdf(origin_clerk, bazargan, tehran, **_):
    overdue = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )
    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    letter = letters.letter_store_pdf(letter_id=letter.pk)  # what the task does after the commit
    return Served(
        reverse("casework:letter_pdf", args=[letter.pk]),
        reverse("casework:letter", args=[letter.pk]),
        origin_clerk,
        letter.pdf,
        letter.pdf_sha256,
        bazargan.pk,
    )


def arrival_evidence(declaration, origin_clerk, dest_clerk, **_):
    declaration = _departed(declaration, origin_clerk)
    declaration_services.declaration_confirm_arrival(
        declaration=declaration,
        by=dest_clerk,
        evidence=SimpleUploadedFile("arrival.pdf", files.pdf(), content_type="application/pdf"),
    )
    declaration.refresh_from_db()
    return Served(
        reverse("declarations:arrival-evidence", args=[declaration.pk]),
        reverse("declarations:detail", args=[declaration.pk]),
        dest_clerk,
        declaration.arrival.evidence,
        declaration.arrival.evidence_sha256,
        declaration.destination_id,
    )


KINDS = [scan_original, plate_photo, inspection_attachment, letter_pdf, arrival_evidence]


@pytest.fixture(params=KINDS, ids=[k.__name__ for k in KINDS])
def served(request, declaration, origin_clerk, dest_clerk, inspector, bazargan, tehran):
    return request.param(
        declaration=declaration,
        origin_clerk=origin_clerk,
        dest_clerk=dest_clerk,
        inspector=inspector,
        bazargan=bazargan,
        tehran=tehran,
    )


def _alter(settings, fieldfile) -> None:
    """Someone with write access to the media directory changes four bytes of the stored file."""
    path = settings.MEDIA_ROOT / fieldfile.name
    with open(path, "r+b") as fh:
        fh.seek(min(12, path.stat().st_size - 4))
        fh.write(b"\x00BAD")


def _accesses():
    """Downloads and exports (logins are ACCESS entries too)."""
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exclude(
        additional_data__access__in=["login", "logout"]
    )


def test_an_untouched_file_is_served_with_no_store_and_one_access_entry(client, served):
    assert len(served.sha256) == 64
    assert hashlib.sha256(served.fieldfile.open("rb").read()).hexdigest() == served.sha256
    client.force_login(served.user)

    response = client.get(served.url)

    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == served.sha256
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" not in policy or "sandbox" not in policy  # one policy or the other, never mixed
    if response["Content-Type"].startswith("image/"):  # the browser's image view: its own style, nothing else
        assert policy == core_files.IMAGE_CSP and "sandbox" in policy and "script" not in policy
    else:
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    (entry,) = _accesses()
    assert entry.actor == served.user and entry.remote_addr == "127.0.0.1"
    assert entry.additional_data["sha256"] == served.sha256 and entry.additional_data["file"] == served.fieldfile.name
    assert not SystemProblem.objects.exists()


def test_a_file_altered_on_disk_is_refused_and_reported_once(client, served, settings, caplog):
    _alter(settings, served.fieldfile)
    client.force_login(served.user)

    first, second = client.get(served.url), client.get(served.url)

    for response in (first, second):
        assert response.status_code == 409
        assert response["Cache-Control"] == "no-store"
        body = response.content.decode()
        assert "navbar-brand" in body and "changed or removed after it was stored" in body
        assert served.sha256 in body  # the recorded hash, beside the one found now
    (problem,) = SystemProblem.objects.all()  # one open problem per file, not one per request
    assert problem.symptom == Symptom.FILE_ALTERED and problem.office_id == served.office_id
    assert served.fieldfile.name in problem.description and served.sha256 in problem.description
    assert any(r.levelname == "ERROR" and served.fieldfile.name in r.getMessage() for r in caplog.records)
    assert [e.additional_data["outcome"] for e in _accesses()] == ["refused: altered"] * 2


def test_a_file_removed_from_storage_is_refused_and_reported(client, served, settings):
    (settings.MEDIA_ROOT / served.fieldfile.name).unlink()
    client.force_login(served.user)

    response = client.get(served.url)

    assert response.status_code == 409 and "the file is missing" in response.content.decode()
    assert SystemProblem.objects.get().symptom == Symptom.FILE_ALTERED


def test_the_page_shows_the_sha256_beside_the_link(client, served):
    client.force_login(served.user)

    page = client.get(served.page).content.decode()

    assert served.url in page
    short = f'title="SHA-256 {served.sha256}" data-sha256="{served.sha256}">{served.sha256[:12]}…</bdi>'
    assert short in page and 'dir="ltr"' in page.split(short, 1)[0].rsplit("<bdi", 1)[1]


def test_once_the_problem_is_resolved_a_new_alteration_opens_a_new_one(client, served, settings, it_officer):
    _alter(settings, served.fieldfile)
    client.force_login(served.user)
    client.get(served.url)
    report_services.problem_resolve(
        problem=SystemProblem.objects.get(), by=it_officer, resolution="the link was restored"
    )

    client.get(served.url)

    assert SystemProblem.objects.count() == 2 and SystemProblem.objects.open().count() == 1


def test_the_api_refuses_an_altered_scan_with_its_error_body(declaration, origin_clerk, settings):
    from rest_framework.test import APIClient

    served = scan_original(declaration=declaration, origin_clerk=origin_clerk)
    api = APIClient()
    api.force_authenticate(origin_clerk)
    url = reverse("scans-api-original", args=[served.fieldfile.instance.pk])
    ok = api.get(url)
    assert ok.status_code == 200 and ok["Cache-Control"] == "no-store"
    assert (
        ok["Content-Disposition"]
        == f'attachment; filename="{declaration.serial}_origin_scan-{served.fieldfile.instance.pk}.png"'
    )

    _alter(settings, served.fieldfile)
    refused = api.get(url)

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "file_integrity"
    assert SystemProblem.objects.count() == 1


def test_a_persian_file_name_is_sent_in_utf8_with_an_ascii_fallback(client, inspector, bazargan):
    inspection = report_services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist=dict.fromkeys(CHECKLIST, "yes"),
        attachments=[SimpleUploadedFile('گزارش "بازرسی"\u202e.pdf', files.pdf(), content_type="application/pdf")],
    )
    client.force_login(inspector)

    response = client.get(reverse("reports:attachment", args=[inspection.attachments.get().pk]) + "?download=1")

    disposition = response["Content-Disposition"]
    expected = quote("گزارش _بازرسی_.pdf", safe="")  # no quote, no bidi override
    assert disposition == f"attachment; filename=\"_____ ________.pdf\"; filename*=UTF-8''{expected}"


def test_a_return_file_altered_on_disk_is_refused(client, hq, bazargan, settings):
    # Last month: a return is built only from the month the data starts (or two years back) on.
    year, month = jalali_month_of(timezone.now() - dt.timedelta(days=31))
    snap = report_services.return_build(year=year, month=month, province=bazargan.province, by=hq)
    assert len(snap.pdf_sha256) == 64 and len(snap.xlsx_sha256) == 64 and len(snap.csv_sha256) == 64
    client.force_login(hq)
    page = client.get(reverse("reports:return", args=[snap.pk])).content.decode()
    assert snap.pdf_sha256 in page.split('id="return-files"', 1)[1].split("</table>", 1)[0]
    assert client.get(reverse("reports:return_download", args=[snap.pk, "pdf"])).status_code == 200

    _alter(settings, snap.pdf)

    assert client.get(reverse("reports:return_download", args=[snap.pk, "pdf"])).status_code == 409
    assert client.get(reverse("reports:return_download", args=[snap.pk, "xlsx"])).status_code == 200
    assert SystemProblem.objects.get().office.province == bazargan.province


def test_exports_are_not_cached_and_are_in_the_audit_trail(client, origin_clerk, declaration):
    client.force_login(origin_clerk)

    response = download(client, reverse("declarations:export-csv"), {"status": "registered"})

    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="declarations_')
    (entry,) = _accesses().filter(additional_data__access="export")
    assert entry.content_type.model == "exportjob"
    assert entry.additional_data["query"] == "status=registered"


def test_every_answer_to_a_logged_in_user_says_no_store(client, origin_clerk, declaration):
    anonymous = Client().get(reverse("login"))
    assert anonymous["Cache-Control"] != "no-store"  # its own (Django's never_cache), left as it is
    client.force_login(origin_clerk)

    for url in (reverse("declarations:detail", args=[declaration.pk]), "/api/declarations/"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_viewing_a_draft_letter_pdf_again_and_again_stores_nothing(client, origin_clerk, bazargan, tehran, settings):
    overdue = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )
    draft = casework.letter_draft(declaration=overdue, by=origin_clerk)
    client.force_login(origin_clerk)

    for _ in range(3):  # each an export job built by the worker (tests/casework/test_letter_preview_jobs.py)
        assert exported(client, reverse("casework:letter_pdf", args=[draft.pk])).startswith(b"%PDF")

    draft.refresh_from_db()
    letters_dir = settings.MEDIA_ROOT / "letters"
    assert not draft.pdf and not (letters_dir.exists() and any(p.is_file() for p in letters_dir.rglob("*")))
    assert _accesses().filter(additional_data__access="export").count() == 3  # each preview is a download all the same


@pytest.mark.parametrize(
    "migration, build, fields",
    [
        ("anpr.migrations.0005_backfill_photo_sha256", plate_photo, ["photo_sha256"]),
        ("scans.migrations.0003_backfill_derived_sha256", scan_original, ["thumbnail_sha256", "web_image_sha256"]),
    ],
)
def test_the_migrations_record_the_hash_of_files_stored_before(
    migration, build, fields, declaration, origin_clerk, bazargan, settings
):
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    served = build(declaration=declaration, origin_clerk=origin_clerk, bazargan=bazargan)
    record = served.fieldfile.instance
    if fields[0] == "thumbnail_sha256":
        scan_services.scan_make_previews(scan_id=record.pk)  # the task after the upload's commit
    record.refresh_from_db()
    before = {f: getattr(record, f) for f in fields}
    assert all(len(v) == 64 for v in before.values())  # recorded when made
    type(record).objects.filter(pk=record.pk).update(**dict.fromkeys(fields, ""))  # as stored before

    importlib.import_module(migration).forwards(apps, SimpleNamespace(connection=connection))

    record.refresh_from_db()
    assert {f: getattr(record, f) for f in fields} == before


def test_a_derived_preview_is_checked_like_the_original(client, declaration, origin_clerk, settings):
    served = scan_original(declaration=declaration, origin_clerk=origin_clerk)
    scan = scan_services.scan_make_previews(scan_id=served.fieldfile.instance.pk)
    assert scan.thumbnail_sha256 == hashlib.sha256(scan.thumbnail.open("rb").read()).hexdigest()
    client.force_login(origin_clerk)
    url = reverse("scans:preview", args=[scan.pk, "thumb"])
    assert client.get(url).status_code == 200

    _alter(settings, scan.thumbnail)

    assert client.get(url).status_code == 409
    assert client.get(served.url).status_code == 200  # the original is untouched
    assert SystemProblem.objects.get().alert_key == f"file:{scan.thumbnail.name}"


@pytest.mark.persian
def test_the_refusal_page_is_in_persian(client, declaration, origin_clerk, settings):
    served = scan_original(declaration=declaration, origin_clerk=origin_clerk)
    _alter(settings, served.fieldfile)
    client.force_login(origin_clerk)

    body = client.get(served.url).content.decode()

    assert "پرونده ارائه نشد" in body and "به دفتر فاوا اطلاع داده شد" in body
    assert "پرونده ذخیره‌شده" in SystemProblem.objects.get().description
