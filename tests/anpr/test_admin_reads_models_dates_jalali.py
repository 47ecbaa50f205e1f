"""The admin's plate reads (with their matches), plate labels, recognition models and training runs gave their
times in Gregorian («4 دسامبر 2026، ساعت 9:30») in their lists and on their pages; they are now Jalali, Tehran
time, Persian digits, as the rest of the admin gives them."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.models import User
from anpr import services
from anpr.models import PlateLabel, PlateMatch, PlateRead, RecognitionModel, TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

GREGORIAN = re.compile(r"نوامبر|دسامبر|\b2026\b|\+00:00")
AT = dt.datetime(2026, 12, 4, 6, 0, tzinfo=dt.UTC)  # 1405/09/13 09:30 in Tehran


def _later(minutes: int) -> dt.datetime:
    return AT + dt.timedelta(minutes=minutes)


@pytest.fixture
def admin_client(client, hq):
    User.objects.filter(pk=hq.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=hq.pk))
    return client


def _content(admin_client, name: str, pk=None) -> str:
    url = reverse(f"admin:{name}_change", args=[pk]) if pk else reverse(f"admin:{name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200, url
    return re.search(r'<div id="content".*?<!-- END Content -->', response.content.decode(), re.S)[0]


def _jalali(page: str, *times: str) -> None:
    for time in times:
        assert f"۱۴۰۵/۰۹/۱۳ {time}" in page, time
    assert not GREGORIAN.search(page), GREGORIAN.search(page)


def test_a_read_its_matches_and_its_label_give_their_times_in_jalali(admin_client, tehran, inspector, declaration):
    camera, _token = services.camera_register(office=tehran, code="THR-CAM-1", direction="in")
    read = PlateRead.objects.create(
        camera=camera, office=tehran, captured_at=AT, received_at=_later(1), plate="12ب34567", recognition="camera"
    )
    match = PlateMatch.objects.create(
        read=read, declaration=declaration, vehicle_plate="12ب34567", score=0.9, exact=False, on_route=True,
        at_destination=True,
    )  # fmt: skip
    PlateMatch.objects.filter(pk=match.pk).update(matched_at=_later(2), review="confirmed", reviewed_at=_later(3))
    label = PlateLabel.objects.create(
        read=read, camera=camera, office=tehran, captured_at=AT, plate="12ب34568", country="IR",
        corrected=True, reason="other", by=inspector, at=_later(4),
    )  # fmt: skip

    _jalali(_content(admin_client, "anpr_plateread"), "۰۹:۳۰")
    _jalali(_content(admin_client, "anpr_plateread", read.pk), "۰۹:۳۰", "۰۹:۳۱", "۰۹:۳۲", "۰۹:۳۳")
    _jalali(_content(admin_client, "anpr_platelabel", label.pk), "۰۹:۳۰", "۰۹:۳۴")


def test_a_model_and_a_training_run_give_their_times_in_jalali(admin_client):
    model = RecognitionModel.objects.create(
        version=2, source="trained", sha256="d" * 64, created_at=AT, promoted=True, promoted_at=_later(5)
    )
    run = TrainingRun.objects.create(
        state="done", active=False, candidate=model, promoted=True, created_at=_later(-10), started_at=_later(-9),
        finished_at=_later(-1),
    )  # fmt: skip

    _jalali(_content(admin_client, "anpr_recognitionmodel"), "۰۹:۳۰", "۰۹:۳۵")
    _jalali(_content(admin_client, "anpr_recognitionmodel", model.pk), "۰۹:۳۰", "۰۹:۳۵")
    _jalali(_content(admin_client, "anpr_trainingrun"), "۰۹:۲۰")
    _jalali(_content(admin_client, "anpr_trainingrun", run.pk), "۰۹:۲۰", "۰۹:۲۱", "۰۹:۲۹")
