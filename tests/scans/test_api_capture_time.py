"""``captured_at`` of a scan sent to the API takes Jalali in any digit script, as every other API date does, and
a time it cannot read is told in the app's words; a time more than a minute in the future is refused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import CLOCK_SKEW, datetime_example, format_jalali
from scans.models import Scan
from tests.anpr.conftest import bzg_camera  # noqa: F401 - the fixture
from tests.scans import images

pytestmark = pytest.mark.django_db


def _post(user, declaration, captured_at: str):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        "/api/scans/",
        {
            "declaration": declaration.pk,
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": captured_at,
            "file": SimpleUploadedFile("scan.png", images.png()),
        },
        format="multipart",
    )


@pytest.mark.parametrize("persian", [False, True])
def test_a_jalali_capture_time_is_taken_in_either_digit_script(declaration, origin_clerk, persian):
    at = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    response = _post(origin_clerk, declaration, format_jalali(at, persian=persian))
    assert response.status_code == 201, response.json()
    assert Scan.objects.get().captured_at == at


def test_a_time_it_cannot_read_is_told_in_the_apps_words(declaration, origin_clerk):
    response = _post(origin_clerk, declaration, "yesterday")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"captured_at": [f"Enter a date and time like {datetime_example()}."]}
    assert not Scan.objects.exists()


def test_a_capture_time_in_the_future_is_refused_past_a_minute_of_clock_skew(declaration, origin_clerk):
    for ahead in (CLOCK_SKEW + dt.timedelta(minutes=3), dt.timedelta(minutes=2)):
        # Minutes ahead put the comparison, made at the upload, before its own scan on the timeline.
        response = _post(origin_clerk, declaration, (timezone.now() + ahead).isoformat())
        assert response.status_code == 400
        assert "captured_at" in response.json()["error"]["fields"]
        assert not Scan.objects.exists()
    response = _post(origin_clerk, declaration, (timezone.now() + dt.timedelta(seconds=30)).isoformat())
    assert response.status_code == 201


def test_the_schema_says_captured_at_takes_both_forms():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name, holder in (("ScanUploadIn", "ScanUploadIn"), ("ReadIn", "ReadIn")):
        field = components[holder]["properties"]["captured_at"]
        assert field["type"] == "string" and "Jalali" in field["description"] and "ISO 8601" in field["description"]


@pytest.mark.parametrize("persian", [False, True])
def test_a_camera_read_and_a_bulk_read_take_a_jalali_time_too(bzg_camera, persian):  # noqa: F811
    from anpr.models import PlateRead
    from tests.anpr.conftest import camera_client

    at = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    client = camera_client(bzg_camera)
    body = {"captured_at": format_jalali(at, persian=persian), "plate": "12ب34567"}
    response = client.post("/api/anpr/reads/", body, format="json")
    assert response.status_code in (200, 201), response.json()
    later = format_jalali(at + dt.timedelta(minutes=1), persian=persian)
    response = client.post(
        "/api/anpr/reads/bulk/", {"reads": [{"captured_at": later, "plate": "13ج45678"}]}, format="json"
    )
    assert response.status_code in (200, 201, 207), response.json()
    assert sorted(PlateRead.objects.values_list("captured_at", flat=True)) == [at, at + dt.timedelta(minutes=1)]
    response = client.post("/api/anpr/reads/", {"captured_at": "NOW", "plate": "12ب34567"}, format="json")
    assert response.json()["error"]["fields"]["captured_at"] == [f"Enter a date and time like {datetime_example()}."]
