"""Every upload against the hostile corpus (tests/security/fuzz_corpus.py): a 4xx naming the field
or the problem, nothing stored (no row, no file under MEDIA_ROOT), never a 5xx (issue 13 §5;
probe findings 3, 10, 16 and "What held up": uploads).

Uploads: scans (page and API), plate photos (camera API: multipart, base64, bulk base64),
arrival evidence (the confirm-arrival form), inspection attachments (the inspection form), a reply letter's
file (the letter-answer API) and ICS imports (the page: CSV/XLSX/JSON files; the API: JSON bodies).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.days import months_back, typed
from tests.security import fixtures, fuzz_corpus
from tests.security.fixtures import api_token

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

camera, ics = fixtures.camera, fixtures.ics  # fixtures

IMAGES = fuzz_corpus.images()
IMPORTS = fuzz_corpus.imports()
API_IMPORTS = fuzz_corpus.api_import_bodies()

# What a refusal says, in the words of its problem (the tests run in English).
PROBLEM_WORDS = (
    "empty",
    "damaged",
    "incomplete",
    "not a",
    "pixels",
    "too large",
    "bytes follow",
    "plain",
    "scripts",
    "multi-page",
    "utf-8",
    "binary",
    "xlsx",
    "json",
    "zip bomb",
    "nested",
    "lacks the column",
    "does not contain what its name says",
    "nul character",
    "surrogate",
    "whatever its name says",
    "submitted",
    "or a photo",
    "no file",
    "records",
)


def _stored(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _rows() -> dict[str, int]:
    from anpr.models import PlateRead
    from declarations.models import ArrivalConfirmation, ImportBatch, TransitDeclaration
    from reports.models import Inspection, InspectionAttachment
    from scans.models import Scan

    models = [PlateRead, ArrivalConfirmation, ImportBatch, TransitDeclaration, Inspection, InspectionAttachment, Scan]
    return {m.__name__: m.objects.count() for m in models}


def _says_the_problem(response, field: str) -> str:
    """The refusal's text; asserts that it names the field or the problem."""
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        error = body.get("error", body)
        text = json.dumps(error, ensure_ascii=False)
        fields = error.get("fields", {}) if isinstance(error, dict) else {}
        assert field in fields or any(w in text.lower() for w in PROBLEM_WORDS), text
    else:
        text = response.content.decode()
        assert any(w in text.lower() for w in PROBLEM_WORDS), text[-3000:]
    return text


def _refused(response, field: str, settings, rows_before, files_before) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:500])
    _says_the_problem(response, field)
    assert _rows() == rows_before
    assert _stored(settings) == files_before


@pytest.fixture
def in_transit(declaration, origin_clerk):
    from declarations.services import declaration_depart

    declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    return declaration


def _session(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# --- Images and documents ------------------------------------------------------------------


@pytest.mark.parametrize("hostile", IMAGES, ids=[h.case for h in IMAGES])
def test_the_scan_page_refuses_it(settings, declaration, origin_clerk, hostile):
    client = _session(origin_clerk)
    before, files = _rows(), _stored(settings)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "files": SimpleUploadedFile(hostile.name, hostile.data),
        },
    )
    _refused(response, "files", settings, before, files)


@pytest.mark.parametrize("hostile", IMAGES, ids=[h.case for h in IMAGES])
def test_the_scan_api_refuses_it(settings, declaration, origin_clerk, hostile):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    before, files = _rows(), _stored(settings)
    response = api.post(
        "/api/scans/",
        {
            "declaration": declaration.pk,
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
            "file": SimpleUploadedFile(hostile.name, hostile.data),
        },
        format="multipart",
    )
    _refused(response, "file", settings, before, files)


def _camera_client(camera) -> APIClient:
    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Camera {camera.token}")
    return api


def _captured() -> str:
    return (timezone.now() - dt.timedelta(minutes=5)).replace(microsecond=0).isoformat()


@pytest.mark.parametrize("hostile", IMAGES, ids=[h.case for h in IMAGES])
def test_the_camera_api_refuses_it_as_a_photo_file(settings, camera, hostile):
    before, files = _rows(), _stored(settings)
    response = _camera_client(camera).post(
        "/api/anpr/reads/",
        {"captured_at": _captured(), "photo": SimpleUploadedFile(hostile.name, hostile.data)},
        format="multipart",
    )
    _refused(response, "photo", settings, before, files)


@pytest.mark.parametrize("hostile", IMAGES, ids=[h.case for h in IMAGES])
def test_the_camera_api_refuses_it_in_base64(settings, camera, hostile):
    before, files = _rows(), _stored(settings)
    photo = base64.b64encode(hostile.data).decode()
    response = _camera_client(camera).post(
        "/api/anpr/reads/", {"captured_at": _captured(), "photo_base64": photo}, format="json"
    )
    _refused(response, "photo_base64", settings, before, files)


def test_the_camera_bulk_api_refuses_each_in_base64_and_stores_none(settings, camera):
    """A bulk post answers for each read (one bad read must not lose the others): every hostile
    photo is rejected by index with its problem, and none is stored."""
    before, files = _rows(), _stored(settings)
    captured = timezone.now() - dt.timedelta(minutes=5)
    reads = [
        {
            "captured_at": (captured + dt.timedelta(seconds=i)).replace(microsecond=0).isoformat(),
            "photo_base64": base64.b64encode(h.data).decode(),
        }
        for i, h in enumerate(IMAGES)
    ]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024  # the corpus in one body
    response = _camera_client(camera).post("/api/anpr/reads/bulk/", {"reads": reads}, format="json")

    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["stored"] == 0 and body["rejected"] == len(IMAGES)
    for error in body["errors"]:  # the empty one is no photo at all: "give the plate text or a photo"
        assert "photo_base64" in error["fields"] or "or a photo" in str(error["fields"]), error
    assert _rows() == before
    assert _stored(settings) == files


DOCUMENTS = [h for h in IMAGES if not h.name.endswith(".tif")] + [
    fuzz_corpus.Hostile("tiff (not a document kind)", "scan.tif", fuzz_corpus.tiff()),
]


@pytest.mark.parametrize("hostile", DOCUMENTS, ids=[h.case for h in DOCUMENTS])
def test_the_arrival_form_refuses_it_as_evidence(settings, dest_clerk, in_transit, hostile):
    client = _session(dest_clerk)
    before, files = _rows(), _stored(settings)
    response = client.post(
        reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"]),
        {
            "confirm_arrival-seals_intact": "intact",
            "confirm_arrival-from_outside": "on",
            "confirm_arrival-evidence": SimpleUploadedFile(hostile.name, hostile.data),
        },
    )
    _refused(response, "evidence", settings, before, files)
    in_transit.refresh_from_db()
    assert in_transit.status == "in_transit"


@pytest.mark.parametrize("hostile", DOCUMENTS, ids=[h.case for h in DOCUMENTS])
def test_the_inspection_form_refuses_it_as_an_attachment(settings, bazargan, inspector, hostile):
    from reports.models import CHECKLIST

    client = _session(inspector)
    before, files = _rows(), _stored(settings)
    response = client.post(
        "/reports/inspections/new/",
        {
            "office": bazargan.pk,
            "inspected_on": typed(months_back()),
            "findings": "",
            **dict.fromkeys(CHECKLIST, "yes"),
            "attachments": [SimpleUploadedFile(hostile.name, hostile.data)],
        },
    )
    _refused(response, "attachments", settings, before, files)


@pytest.mark.parametrize("hostile", DOCUMENTS, ids=[h.case for h in DOCUMENTS])
def test_the_letter_answer_api_refuses_it_as_the_reply_letter(settings, declaration, origin_clerk, dest_clerk, hostile):
    from casework import services as casework
    from casework.models import LetterStatus
    from declarations.models import Status, TransitDeclaration

    TransitDeclaration.objects.filter(pk=declaration.pk).update(  # overdue: a letter asks after it
        status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    declaration.refresh_from_db()
    letter = casework.letter_send(
        letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk
    )
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(dest_clerk)
    before, files = _rows(), _stored(settings)
    response = api.post(
        f"/api/casework/letters/{letter.pk}/answer/",
        {"reply_text": "رسید.", "reply_document": SimpleUploadedFile(hostile.name, hostile.data)},
        format="multipart",
    )
    _refused(response, "reply_document", settings, before, files)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SENT and not letter.reply_document


# --- Imports -------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", IMPORTS, ids=[h.case for h in IMPORTS])
def test_the_import_page_refuses_it(settings, bazargan, tehran, hq, hostile):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 32 * 1024 * 1024  # the corpus's bomb unpacks to 64 MB
    client = _session(hq)
    before, files = _rows(), _stored(settings)
    response = client.post(reverse("declarations:import"), {"file": SimpleUploadedFile(hostile.name, hostile.data)})
    _refused(response, "file", settings, before, files)


@pytest.mark.parametrize(("case", "body"), API_IMPORTS, ids=[c for c, _ in API_IMPORTS])
def test_the_import_api_refuses_it(settings, bazargan, tehran, ics, case, body):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {api_token(ics)}")
    before, files = _rows(), _stored(settings)
    response = client.post("/api/declarations/import/", body, content_type="application/json")
    if response.status_code == 200:  # refused record by record: each named, none written
        result = response.json()
        assert result["created"] == result["updated"] == 0 and result["rejected"], result
        assert all(r["message"] for r in result["rejected"]), result
        rows = _rows()
        assert {k: v for k, v in rows.items() if k != "ImportBatch"} == {
            k: v for k, v in before.items() if k != "ImportBatch"
        }
        assert _stored(settings) == files
    else:
        _refused(response, "records", settings, before, files)
