"""A value quoted in an error is set apart from the sentence as everywhere else (quoted, and isolated on a page;
the API's JSON drops the isolate marks, ``core.renderers``): a camera bulk's per-item «x پلاک نیست…» and
«سریال حداکثر ۴۰ نویسه است: AAAA…» ran the value into the Persian sentence."""

import pytest
from rest_framework.test import APIClient

from declarations import services
from tests.anpr.conftest import camera_client

BULK = "/api/anpr/reads/bulk/"


def _messages(body) -> list[str]:
    return [m for e in body["errors"] for ms in e["fields"].values() for m in ms]


@pytest.mark.parametrize("plate", ["x", "<b>"])
def test_a_plate_that_is_no_plate_is_quoted(bzg_camera, recent, plate):
    items = [{"captured_at": recent.isoformat(), "plate": plate}]
    body = camera_client(bzg_camera).post(BULK, {"reads": items}, format="json").json()
    assert _messages(body) == [f"'{plate}' is no plate: every plate has digits, e.g. 12ب34567 or 34ABC123"]


@pytest.mark.persian
def test_a_plate_that_is_no_plate_is_quoted_in_persian(bzg_camera, recent):
    items = [{"captured_at": recent.isoformat(), "plate": "x"}]
    body = camera_client(bzg_camera).post(BULK, {"reads": items}, format="json").json()
    assert _messages(body)[0].startswith("«x» پلاک نیست")


def test_the_plate_search_quotes_what_is_no_plate(hq):
    api = APIClient()
    api.force_authenticate(hq)
    body = api.get("/api/anpr/reads/search/", {"plate": "--"}).json()
    assert body["error"]["fields"]["plate"] == ["'--' is not a plate"]


@pytest.mark.persian
def test_a_serial_too_long_is_quoted(declaration, origin_clerk, dest_clerk):
    import datetime as dt

    from django.utils import timezone

    from core.errors import InvalidInput
    from declarations import serials

    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, at=timezone.now())
    with pytest.raises(InvalidInput) as refused:
        serials.arrival_serials_record(declaration=declaration, by=dest_clerk, values=["A" * 45])
    assert "«\u2066" + "A" * 45 + "\u2069»" in str(refused.value)
