"""A camera read whose plate no layout can be («XXXX», no digit) was stored; it is refused naming ``plate``.
``confidence`` above 1 is a percentage, as the schema said: it now says exactly how it is read (2 is 2 %)."""

import pytest

from anpr.models import PlateRead
from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.django_db
SINGLE = "/api/anpr/reads/"
BULK = "/api/anpr/reads/bulk/"


def test_a_plate_without_a_digit_is_refused_naming_the_field(bzg_camera, recent):
    client = camera_client(bzg_camera)
    response = client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "XXXX"}, format="json")
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["plate"][0]
    assert "XXXX" in message and "12ب34567" in message
    body = client.post(BULK, {"reads": [{"captured_at": recent.isoformat(), "plate": "XXXX"}]}, format="json").json()
    assert not PlateRead.objects.exists(), body
    assert client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "34ABC123"}, format="json").status_code in (
        200,
        201,
    )


def test_a_confidence_above_one_is_a_percentage_as_the_schema_says_exactly(bzg_camera, recent):
    from drf_spectacular.generators import SchemaGenerator

    client = camera_client(bzg_camera)
    client.post(SINGLE, {"captured_at": recent.isoformat(), "plate": "12ب34567", "confidence": 2}, format="json")
    assert PlateRead.objects.get().confidence == pytest.approx(0.02)
    schema = SchemaGenerator().get_schema(request=None, public=True)
    description = schema["components"]["schemas"]["ReadIn"]["properties"]["confidence"]["description"]
    assert "2 is 2 % (0.02)" in description and "1 is 100 %" in description
