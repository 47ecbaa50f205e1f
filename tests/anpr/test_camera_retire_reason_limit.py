"""A walk: a reason of 3,000 characters retired a camera, and the camera's page became very wide. The reason has one
limit (``services.RETIRE_REASON_MAX``), said beside the field on the page, by the API and by the service, with both
lengths; a long reason that was kept wraps on the camera's page and on its retire page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from anpr import services
from anpr.models import Camera
from core.errors import InvalidInput
from tests.core.test_form_style import beside

pytestmark = pytest.mark.django_db

LONG = "دوربین سوخت " * 250  # 3,000 characters


def _main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_the_limit_is_one_number_of_the_service():
    assert services.RETIRE_REASON_MAX == 500
    assert len(LONG.strip()) > services.RETIRE_REASON_MAX


@pytest.mark.persian
def test_the_page_refuses_a_reason_past_the_limit_beside_the_field(client, it_officer, thr_camera):
    client.force_login(it_officer)
    resp = client.post(reverse("anpr:camera_retire", args=[thr_camera.pk]), {"reason": LONG})
    assert resp.status_code == 400
    beside(resp.content.decode(), "id_reason", "حداکثر ۵۰۰ نویسه؛ ۲٬۹۹۹ نوشته شد.")
    assert Camera.objects.get(pk=thr_camera.pk).status == Camera.Status.ACTIVE


def test_the_service_and_the_api_refuse_it_naming_the_field(it_officer, thr_camera):
    with pytest.raises(InvalidInput) as refused:
        services.camera_retire(camera=thr_camera, by=it_officer, reason=LONG)
    assert refused.value.fields == {"reason": "too long"}
    assert str(refused.value) == "At most 500 characters; 2,999 were written."
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=it_officer, name='test')[1]}")
    resp = api.post(f"/api/anpr/cameras/{thr_camera.pk}/retire/", {"reason": LONG}, format="json")
    assert resp.status_code == 400 and "reason" in resp.json()["error"]["fields"]
    assert Camera.objects.get(pk=thr_camera.pk).status == Camera.Status.ACTIVE
    # At the limit it is taken.
    resp = api.post(f"/api/anpr/cameras/{thr_camera.pk}/retire/", {"reason": "ب" * 500}, format="json")
    assert resp.status_code == 200


def test_a_long_reason_wraps_on_the_camera_page_and_the_retire_page(client, hq, thr_camera):
    word = "ب" * services.RETIRE_REASON_MAX  # one word, nowhere to break it but anywhere
    services.camera_retire(camera=thr_camera, by=hq, reason=word)
    client.force_login(hq)
    for url in (reverse("anpr:camera", args=[thr_camera.pk]), reverse("anpr:camera_retire", args=[thr_camera.pk])):
        main = _main(client.get(url))
        cell = main[: main.index(word)].rsplit("<dd", 1)[1]
        assert "text-break" in cell.split(">", 1)[0], url
