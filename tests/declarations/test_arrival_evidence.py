"""Arrival evidence: checked by content, hashed, shown with its SHA-256, opened by those in scope only."""

import datetime as dt
import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.errors import FileRejected
from declarations import services
from declarations.models import ArrivalConfirmation, Source, Status
from tests import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def confirm_from_outside(client, declaration, name: str, data: bytes):
    return client.post(
        reverse("declarations:action", args=[declaration.pk, "confirm_arrival"]),
        {
            "confirm_arrival-seals_intact": "intact",
            "confirm_arrival-from_outside": "on",
            "confirm_arrival-unseen_reason": "Tehran's plate reader was under repair",
            "confirm_arrival-evidence": SimpleUploadedFile(name, data, content_type="application/pdf"),
        },
    )


def evidence_url(declaration, download=False):
    return reverse("declarations:arrival-evidence", args=[declaration.pk]) + ("?download=1" if download else "")


def test_an_exe_as_evidence_is_refused_on_the_form_and_nothing_is_written(client, settings, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = confirm_from_outside(client, in_transit, "evil.exe", files.EXE)
    assert response.status_code == 415
    html = response.content.decode()
    assert "not a PDF, JPEG or PNG file" in html
    assert 'data-action="confirm_arrival"' in html  # the form is shown again with its error
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
    assert not ArrivalConfirmation.objects.exists()
    assert stored_files(settings) == []


def test_an_exe_named_pdf_is_refused_by_the_service_too(settings, dest_clerk, in_transit):
    with pytest.raises(FileRejected) as exc:
        services.declaration_confirm_arrival(
            declaration=in_transit,
            by=dest_clerk,
            source=Source.OUTSIDE,
            evidence=SimpleUploadedFile("arrival.pdf", files.EXE),
        )
    assert exc.value.fields == {"evidence": "wrong_type"} and exc.value.status == 415
    assert not ArrivalConfirmation.objects.exists() and stored_files(settings) == []


def test_a_pdf_is_stored_hashed_shown_and_opened_in_scope(client, settings, dest_clerk, origin_clerk, in_transit):
    pdf = files.pdf(2)
    client.force_login(dest_clerk)
    response = confirm_from_outside(client, in_transit, "arrival note.pdf", pdf)
    assert response.status_code == 302
    arrival = ArrivalConfirmation.objects.get(declaration=in_transit)
    assert arrival.evidence_sha256 == hashlib.sha256(pdf).hexdigest()
    assert arrival.evidence_name == "arrival note.pdf"
    assert "arrival note" not in arrival.evidence.name and arrival.evidence.name.endswith(".pdf")

    page = client.get(reverse("declarations:detail", args=[in_transit.pk])).content.decode()
    section = page.split('id="arrival-evidence"', 1)[1].split("</p>", 1)[0]
    assert arrival.evidence_sha256 in section and "arrival note.pdf" in section
    assert evidence_url(in_transit) in section

    # The origin office sees the declaration, so it may open the evidence too.
    for user in (dest_clerk, origin_clerk):
        client.force_login(user)
        opened = client.get(evidence_url(in_transit))
        assert opened.status_code == 200
        assert b"".join(opened.streaming_content) == pdf
        assert opened["Content-Type"] == "application/pdf"
        assert opened["Content-Disposition"].startswith("inline;")
        assert f"{in_transit.serial}-arrival-evidence.pdf" in opened["Content-Disposition"]
        assert opened["X-Content-Type-Options"] == "nosniff"
    downloaded = client.get(evidence_url(in_transit, download=True))
    assert downloaded["Content-Disposition"].startswith("attachment;")


def test_the_evidence_is_a_404_outside_the_scope_and_when_there_is_none(client, outsider, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    assert client.get(evidence_url(in_transit)).status_code == 404  # no arrival yet
    services.declaration_confirm_arrival(
        declaration=in_transit, by=dest_clerk, source=Source.OUTSIDE, evidence=SimpleUploadedFile("a.png", files.png())
    )
    assert client.get(evidence_url(in_transit)).status_code == 200
    client.force_login(outsider)
    assert client.get(evidence_url(in_transit)).status_code == 404


def test_evidence_stored_before_the_checks_is_only_downloaded(client, dest_clerk, in_transit):
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk)
    arrival = ArrivalConfirmation.objects.get(declaration=in_transit)
    arrival.evidence.save("evil.exe", SimpleUploadedFile("evil.exe", files.EXE))  # as the old form stored it
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[in_transit.pk])).content.decode()
    assert "No SHA-256 was recorded" in page.split('id="arrival-evidence"', 1)[1].split("</p>", 1)[0]
    assert client.get(evidence_url(in_transit)).status_code == 409  # no hash: nothing vouches for it

    backfill = importlib.import_module("declarations.migrations.0011_backfill_arrival_evidence_sha256")
    backfill.forwards(django_apps, SimpleNamespace(connection=connection))  # what the migration does
    arrival.refresh_from_db()
    assert arrival.evidence_sha256 == hashlib.sha256(files.EXE).hexdigest()
    response = client.get(evidence_url(in_transit))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_claiming_too_many_pixels_is_refused_before_decoding(client, settings, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = confirm_from_outside(client, in_transit, "arrival.png", files.png_bomb(30_000, 30_000))
    assert response.status_code == 413
    form = response.content.decode().split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    assert "900,000,000" in form and "50,000,000" in form  # the claim and the EVIDENCE_MAX_PIXELS limit
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
    assert not ArrivalConfirmation.objects.exists() and stored_files(settings) == []


def test_a_future_time_is_named_beside_its_field_with_the_other_errors(client, settings, dest_clerk, in_transit):
    """The time is checked with the rest of the form: a clerk who also mistyped the weight sees both
    errors at once, not the future time only after correcting the weight."""
    client.force_login(dest_clerk)
    response = client.post(
        reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"]),
        {
            "confirm_arrival-at": "1499/01/01 10:00",
            "confirm_arrival-seals_intact": "intact",
            "confirm_arrival-gross_weight_found_kg": "heavy",
        },
    )
    form = response.content.decode().split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    assert "is in the future." in form
    assert "“Gross weight found (kg)” must be a number." in form
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
