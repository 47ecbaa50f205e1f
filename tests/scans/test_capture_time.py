"""A scan's capture time must fall in the declaration's journey: not from an earlier pass of the truck."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.dates import format_jalali
from declarations import services as declaration_services
from scans.models import Scan
from tests.scans import images
from tests.scans.conftest import stored_files

pytestmark = pytest.mark.django_db


def post(client, declaration, stage: str, captured_at: str):
    return client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": stage,
            "scanner_id": "NUC-7",
            "captured_at": captured_at,
            "files": SimpleUploadedFile("truck.png", images.png()),
        },
        HTTP_ACCEPT="application/json",
    )


def test_a_scan_from_years_before_the_declaration_is_refused_naming_the_field(
    client, settings, declaration, origin_clerk
):
    client.force_login(origin_clerk)
    response = post(client, declaration, "origin", "1400/01/01 10:00")  # the declaration is two days old
    assert response.status_code == 400
    error = response.json()["error"]
    assert "captured_at" in error["fields"]
    assert "before the declaration was registered" in error["message"]
    assert format_jalali(declaration.declared_at, persian=False) in error["message"]
    assert Scan.objects.count() == 0 and stored_files(settings) == []
    declaration.refresh_from_db()
    assert declaration.origin_scan_at is None


def test_an_origin_scan_shortly_before_registration_is_kept(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    at = declaration.declared_at - dt.timedelta(hours=3)  # through the gate's scanner, then keyed in
    assert post(client, declaration, "origin", at.isoformat()).status_code == 201


def test_a_destination_scan_before_the_truck_left_is_refused_naming_the_departure(client, departed, dest_clerk):
    client.force_login(dest_clerk)
    before = departed.departed_at - dt.timedelta(hours=7)  # same day, hours before the truck left Bazargan
    response = post(client, departed, "destination", before.isoformat())
    assert response.status_code == 400
    error = response.json()["error"]
    assert "captured_at" in error["fields"]
    assert "before the truck left the origin" in error["message"]
    assert format_jalali(departed.departed_at, persian=False) in error["message"]
    assert Scan.objects.count() == 0
    departed.refresh_from_db()
    assert departed.dest_scan_at is None
    # A scanner's clock a few minutes off the recorded departure is no other pass of the truck.
    within_tolerance = departed.departed_at - dt.timedelta(minutes=20)
    assert post(client, departed, "destination", within_tolerance.isoformat()).status_code == 201


@pytest.mark.persian
def test_the_destination_page_shows_the_departure_beside_the_capture_time(client, departed, dest_clerk):
    client.force_login(dest_clerk)
    before = departed.departed_at - dt.timedelta(hours=7)
    response = client.post(
        reverse("scans:upload", args=[departed.pk]),
        {
            "stage": "destination",
            "scanner_id": "NUC-7",
            "captured_at": format_jalali(before, persian=False),
            "files": SimpleUploadedFile("truck.png", images.png()),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('name="captured_at"', 1)[1].split('<div class="mb-2', 1)[0]
    assert "پیش از خروج کامیون از مبدأ" in field
    assert format_jalali(departed.departed_at, persian=True) in field
    assert Scan.objects.count() == 0


def test_an_origin_scan_after_the_truck_was_confirmed_arrived_is_refused(client, departed, origin_clerk, dest_clerk):
    declaration_services.declaration_confirm_arrival(
        declaration=departed,
        by=dest_clerk,
        at=departed.departed_at + dt.timedelta(hours=20),
        unseen_reason="camera off",
    )
    departed.refresh_from_db()
    client.force_login(origin_clerk)
    after = departed.arrived_at + dt.timedelta(hours=2)
    response = post(client, departed, "origin", after.isoformat())
    assert response.status_code == 400
    error = response.json()["error"]
    assert "captured_at" in error["fields"]
    assert "after the truck was confirmed arrived" in error["message"]
    assert format_jalali(departed.arrived_at, persian=False) in error["message"]
    assert Scan.objects.count() == 0
    # Uploaded late, taken at departure: kept.
    assert post(client, departed, "origin", departed.departed_at.isoformat()).status_code == 201


def test_the_plain_form_shows_it_beside_the_capture_time(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": "1400/01/01 10:00",
            "files": SimpleUploadedFile("truck.png", images.png()),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = html.split('name="captured_at"', 1)[1].split('<div class="mb-2', 1)[0]
    assert "before the declaration was registered" in field


@pytest.mark.persian
def test_a_capture_time_minutes_ahead_is_refused_beside_the_field(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    ahead = timezone.now() + dt.timedelta(minutes=3)  # the timeline put the comparison before this scan
    response = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": format_jalali(ahead, persian=True),
            "files": SimpleUploadedFile("truck.png", images.png()),
        },
    )
    assert response.status_code == 400
    field = response.content.decode().split('name="captured_at"', 1)[1].split('<div class="mb-2', 1)[0]
    assert "در آینده است" in field
    assert Scan.objects.count() == 0
    # A clock a few seconds fast is no future.
    assert (
        post(client, declaration, "origin", (timezone.now() + dt.timedelta(seconds=30)).isoformat()).status_code == 201
    )
