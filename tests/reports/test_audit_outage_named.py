"""The audit page names the outage an arrival read's review named (a camera out of service) as its keeper names it,
in the reader's language and digits: a system problem by its number, a camera by its code, never the stored
reference («problem:12», «camera:3»). ``declarations`` asks the apps that keep them (``hooks.outage_names``)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anpr import services as anpr_services
from core.text import LRI, PDI, digits
from declarations.models import ArrivalReadReason, DeclarationEvent
from declarations.models.arrival_reads import ArrivalReadReview
from reports.models import SystemProblem

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def test_a_reviews_outage_is_named_by_the_problems_number_or_the_cameras_code(client, declaration, tehran, hq):
    problem = SystemProblem.objects.create(
        system="anpr",
        symptom="unavailable",
        office=tehran,
        since=timezone.now() - dt.timedelta(hours=3),
        description="دوربین ورودی تصویری نمی‌فرستد.",
    )
    camera, _token = anpr_services.camera_register(office=tehran, code="THR-CAM-9", direction="in")
    review = ArrivalReadReview.objects.create(
        declaration=declaration,
        reason=ArrivalReadReason.CAMERA_DOWN,
        outage_ref=f"problem:{problem.pk}",
        outage="system problem no. 1: system unavailable",
        note="دوربین خاموش بود",
        by=hq,
    )
    event = DeclarationEvent.objects.create(
        declaration=declaration,
        at=timezone.now(),
        kind="arrival_read_explained",
        message="x",
        data={"review": review.pk, "reason": "camera_down", "note": "دوربین خاموش", "outage": f"camera:{camera.pk}"},
    )
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = _row(page, LogEntry.objects.get_for_object(review).get())
    assert f"قطعی نام‌برده: مشکل شمارهٔ {digits(problem.pk, persian=True)}" in row and "problem:" not in row
    row = _row(page, LogEntry.objects.get_for_object(event).get())
    assert f'قطعی نام‌برده: دوربین <span class="ident">{LRI}THR-CAM-9{PDI}</span>' in row and "camera:" not in row
