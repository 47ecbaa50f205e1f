"""The retire page of a camera already out of service still offered its form, and sending it answered 409 «… پیش‌تر از
خدمت خارج شده است.». It now says when, by whom and why the camera was taken out of service, without the form; the
camera's page names the person too."""

import datetime as dt

import pytest
from django.urls import reverse

from anpr import services
from anpr.models import Camera
from core.dates import format_jalali

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

REASON = "دوربین به خط ۲ منتقل شد"


def _main(response) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_the_retire_page_of_a_retired_camera_says_when_by_whom_and_why(client, hq, thr_camera):
    hq.first_name, hq.last_name = "مریم", "احمدی"
    hq.save()
    services.camera_retire(camera=thr_camera, by=hq, reason=REASON)
    at = dt.datetime(2026, 12, 5, 6, 0, tzinfo=dt.UTC)
    Camera.objects.filter(pk=thr_camera.pk).update(retired_at=at)
    client.force_login(hq)
    url = reverse("anpr:camera_retire", args=[thr_camera.pk])
    for response in (client.get(url), client.post(url, {"reason": "دوباره"})):
        main = _main(response)
        assert 'name="reason"' not in main and "<form" not in main
        assert format_jalali(at, persian=True) in main and "مریم احمدی" in main and REASON in main
        assert reverse("anpr:camera", args=[thr_camera.pk]) in main
    assert response.status_code == 409
    assert Camera.objects.get(pk=thr_camera.pk).retired_reason == REASON
    detail = _main(client.get(reverse("anpr:camera", args=[thr_camera.pk])))
    assert "مریم احمدی" in detail and REASON in detail


def test_the_retire_page_of_a_camera_in_service_still_asks_why(client, hq, thr_camera):
    client.force_login(hq)
    main = _main(client.get(reverse("anpr:camera_retire", args=[thr_camera.pk])))
    assert 'name="reason"' in main
