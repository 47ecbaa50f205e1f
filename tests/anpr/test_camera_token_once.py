"""Registering a camera answered the POST of /anpr/cameras/new/ with its token: a refresh posted the form again.
Registering and issuing a new token now redirect (Post/Redirect/Get) to the camera's token page, which shows
the token the first time it is opened and, after that, says it was shown once and how to get a new one.
The camera's page said nothing under «مدل» for a camera of no model given; it says «—»."""

import re

import pytest

from anpr.models import Camera, hash_token

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _form(office, **over):
    return {"office": office.pk, "code": "bzg-cam-7", "direction": "in", "lane": "3", "model_name": "", **over}


def test_registering_redirects_to_a_page_that_shows_the_token_once(client, it_officer, bazargan):
    client.force_login(it_officer)
    resp = client.post("/anpr/cameras/new/", _form(bazargan))
    camera = Camera.objects.get(code="BZG-CAM-7")
    assert resp.status_code == 302 and resp["Location"] == f"/anpr/cameras/{camera.pk}/token/"
    first = client.get(resp["Location"])
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    token = first.context["token"]
    assert camera.token_hash == hash_token(token)
    assert f'id="camera-token">{token}<' in first.content.decode()
    again = client.get(resp["Location"])  # a refresh: the token is not there any more
    page = again.content.decode()
    assert token not in page and 'id="camera-token"' not in page
    assert "فقط یک بار" in page and f"/anpr/cameras/{camera.pk}/rotate-token/" in page


def test_rotating_redirects_too_and_the_token_is_shown_once(client, it_officer, bzg_camera):
    client.force_login(it_officer)
    resp = client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/")
    assert resp.status_code == 302 and resp["Location"] == f"/anpr/cameras/{bzg_camera.pk}/token/"
    token = client.get(resp["Location"]).context["token"]
    bzg_camera.refresh_from_db()
    assert bzg_camera.token_hash == hash_token(token)
    assert token not in client.get(resp["Location"]).content.decode()


def test_the_token_page_is_for_those_who_manage_cameras(client, origin_clerk, it_officer, bzg_camera):
    client.force_login(it_officer)
    client.post(f"/anpr/cameras/{bzg_camera.pk}/rotate-token/")
    client.force_login(origin_clerk)
    assert client.get(f"/anpr/cameras/{bzg_camera.pk}/token/").status_code in (403, 404)


def test_a_camera_of_no_model_shows_a_dash(client, it_officer, bazargan):
    client.force_login(it_officer)
    client.post("/anpr/cameras/new/", _form(bazargan))
    camera = Camera.objects.get(code="BZG-CAM-7")
    page = client.get(f"/anpr/cameras/{camera.pk}/").content.decode()
    assert re.search(r"<dt[^>]*>مدل</dt><dd[^>]*>—</dd>", page), page
