"""The camera API's 409 names the stored read in the reader's digits, set apart from the Persian around it (the
JSON renderer drops the isolate marks, as for every API message; the message itself has them)."""

import pytest

from anpr import api, ingest
from core.text import LRI, PDI
from tests.anpr.conftest import camera_client

pytestmark = pytest.mark.django_db
SINGLE = "/api/anpr/reads/"


@pytest.mark.persian
def test_the_conflict_names_the_stored_read_in_persian_digits_isolated(bzg_camera, recent):
    client = camera_client(bzg_camera)
    body = {"captured_at": recent.isoformat(), "plate": "12ب34567", "client_event_id": "evt-1"}
    first = client.post(SINGLE, body, format="json").json()["id"]
    refused = client.post(SINGLE, {**body, "plate": "13ج45678"}, format="json", HTTP_ACCEPT_LANGUAGE="fa")
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    shown = str(first).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f" {shown} " in message and not any(c in "0123456789" for c in message)
    stored = ingest.IngestedRead(id=first, duplicate=True, differs=("plate",))
    assert f"{LRI}{shown}{PDI}" in api._conflict(stored)[0]
