"""Media on S3 (MinIO in production) is handed out as a short-lived presigned URL, never streamed from a
public bucket: the view checks the user's scope and the file's SHA-256 as it does for files on disk,
then redirects to a URL the store honours for ``S3_URL_EXPIRY_SECONDS`` only.

The store is a real S3-compatible server in its own process (moto's, tests/s3server.py, which checks
presigned signatures and their expiry as S3 does)."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from auditlog.models import LogEntry

from core.files import content_disposition
from tests import s3server
from tests.core.test_evidence_serving import KINDS, plate_photo, scan_original

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3server.running() as endpoint:
        yield endpoint


@pytest.fixture
def on_s3(settings, s3_endpoint):
    """Media stored on the S3 server, in a private bucket of this test's own."""
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3server.client(s3_endpoint).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": s3server.ACCESS_KEY,
                "secret_key": s3server.SECRET_KEY,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    settings.S3_PUBLIC_ENDPOINT_URL = ""
    settings.S3_URL_EXPIRY_SECONDS = 60
    return bucket


@pytest.fixture(params=KINDS, ids=[k.__name__ for k in KINDS])
def served(request, on_s3, declaration, origin_clerk, dest_clerk, inspector, bazargan, tehran):
    return request.param(
        declaration=declaration,
        origin_clerk=origin_clerk,
        dest_clerk=dest_clerk,
        inspector=inspector,
        bazargan=bazargan,
        tehran=tehran,
    )


def _fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), refused.headers


def test_in_scope_the_file_is_a_redirect_to_a_presigned_url_that_works(client, served, s3_endpoint, on_s3):
    client.force_login(served.user)

    response = client.get(served.url)

    assert response.status_code == 302 and response["Cache-Control"] == "no-store"
    location = response["Location"]
    assert location.startswith(f"{s3_endpoint}/{on_s3}/") and "X-Amz-Signature=" in location
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["60"]
    status, body, headers = _fetch(location)
    assert status == 200 and hashlib.sha256(body).hexdigest() == served.sha256
    assert headers["Cache-Control"] == "no-store"
    (entry,) = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__via="signed URL")
    assert entry.actor == served.user and entry.additional_data["sha256"] == served.sha256


def test_out_of_scope_there_is_no_url_at_all(client, served, outsider):
    client.force_login(outsider)

    response = client.get(served.url)

    assert response.status_code in (403, 404)
    assert "Location" not in response and b"X-Amz-Signature" not in response.content


def test_the_bucket_is_private_without_a_signature(client, on_s3, origin_clerk, bazargan):
    served = plate_photo(origin_clerk=origin_clerk, bazargan=bazargan)
    client.force_login(served.user)
    location = client.get(served.url)["Location"]

    status, _, _ = _fetch(location.split("?", 1)[0])

    assert status == 403


def test_an_altered_url_is_refused(client, on_s3, origin_clerk, bazargan):
    served = plate_photo(origin_clerk=origin_clerk, bazargan=bazargan)
    client.force_login(served.user)
    location = client.get(served.url)["Location"]
    path, query = location.split("?", 1)

    status, body, _ = _fetch(f"{path}x?{query}")  # another object, the same signature

    assert status == 403 and b"signature" in body


def test_the_url_stops_working_after_its_expiry(client, settings, on_s3, origin_clerk, bazargan):
    # Long enough for the first fetch on a loaded machine (1 s was not, beside another suite).
    settings.S3_URL_EXPIRY_SECONDS = 4
    served = plate_photo(origin_clerk=origin_clerk, bazargan=bazargan)
    client.force_login(served.user)
    location = client.get(served.url)["Location"]
    assert _fetch(location)[0] == 200

    time.sleep(5.1)  # the store's clock passes X-Amz-Date + 4 s (the date has whole seconds)

    status, body, _ = _fetch(location)
    assert status == 403 and b"Request has expired" in body


def test_the_store_answers_with_the_apps_name_type_and_disposition(client, declaration, origin_clerk, on_s3):
    served = scan_original(declaration=declaration, origin_clerk=origin_clerk)  # a PNG scan: shown in place
    client.force_login(served.user)
    location = client.get(served.url)["Location"]

    _, _, headers = _fetch(location)

    name = f"{declaration.serial}_origin_scan-{served.fieldfile.instance.pk}.png"
    assert headers["Content-Disposition"] == content_disposition(name, as_attachment=False)
    assert headers["Content-Type"] == "image/png"
