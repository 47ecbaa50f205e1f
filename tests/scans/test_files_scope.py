"""Originals, previews and heat maps are served only through views that check the scope."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from scans.models import Stage
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan(departed, origin_clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s = upload(departed, Stage.ORIGIN, origin_clerk, images.jpeg())
    s.refresh_from_db()
    assert s.preview_status == "ready"
    return s


def urls_of(scan):
    return [
        reverse("scans:original", args=[scan.pk]),
        reverse("scans:preview", args=[scan.pk, "thumb"]),
        reverse("scans:preview", args=[scan.pk, "web"]),
    ]


@pytest.mark.parametrize("persona", ["origin_clerk", "dest_clerk", "inspector", "hq"])
def test_staff_of_both_ends_and_their_watchers_get_the_files(client, request, scan, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in urls_of(scan):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] in ("image/jpeg", "image/png")
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_original_is_the_stored_file_byte_for_byte(client, scan, dest_clerk):
    client.force_login(dest_clerk)
    body = b"".join(client.get(reverse("scans:original", args=[scan.pk])).streaming_content)
    import hashlib

    assert hashlib.sha256(body).hexdigest() == scan.sha256


def test_an_outsider_gets_404_for_every_file(client, scan, outsider):
    client.force_login(outsider)
    for url in [*urls_of(scan), reverse("scans:declaration", args=[scan.declaration_id])]:
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_login(client, scan):
    for url in urls_of(scan):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_media_is_not_reachable_by_url(client, scan, origin_clerk):
    client.force_login(origin_clerk)
    assert client.get("/media/" + scan.original.name).status_code == 404


def test_heatmap_scope(client, done_comparison, dest_clerk, outsider, inspector):
    png = images.png()
    done_comparison.heatmap.save("heat.png", ContentFile(png), save=False)
    done_comparison.heatmap_sha256 = hashlib.sha256(png).hexdigest()  # as the comparison job records it
    done_comparison.save()
    url = reverse("scans:heatmap", args=[done_comparison.pk])
    client.force_login(dest_clerk)
    assert client.get(url).status_code == 200
    client.force_login(inspector)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("scans:viewer", args=[done_comparison.pk])).status_code == 404


def test_the_api_serves_originals_in_scope_only(scan, dest_clerk, outsider):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    assert api.get(f"/api/scans/{scan.pk}/original/").status_code == 200
    api.force_authenticate(outsider)
    assert api.get(f"/api/scans/{scan.pk}/original/").status_code == 404
    assert api.get(f"/api/scans/{scan.pk}/").status_code == 404
