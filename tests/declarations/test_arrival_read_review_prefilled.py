"""The arrival form asks «why the truck was not seen at the gate»; the «arrival without plate read» review then
asked again for a note. Its first review starts from the arrival's answer (the note prefilled, to be checked
and completed); the reason, a choice from the review's list, is the person's to pick."""

import datetime as dt
import html as htmllib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import ArrivalReadReview, TransitDeclaration
from declarations.services import declaration_confirm_arrival, declaration_depart

pytestmark = pytest.mark.django_db

WHY = "دوربین ورودی از ساعت ۸ تا ۱۲ خاموش بود؛ برگ ورود مهر خورده است."


def _note(page: str) -> str:
    m = re.search(r'<textarea name="arrival_read-note"[^>]*>(.*?)</textarea>', page, re.S)
    assert m, "no review form"
    return htmllib.unescape(m.group(1)).strip()


@pytest.fixture
def arrived(declaration, dest_clerk):
    declaration_depart(declaration=declaration, by=None, at=timezone.now() - dt.timedelta(hours=20))
    declaration.refresh_from_db()
    declaration_confirm_arrival(
        declaration=declaration, by=dest_clerk, at=timezone.now() - dt.timedelta(hours=1), unseen_reason=WHY
    )
    return TransitDeclaration.objects.get(pk=declaration.pk)


def test_the_first_review_starts_from_the_arrivals_answer(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert _note(page) == WHY
    assert not ArrivalReadReview.objects.exists()  # prefilled, not recorded: the person checks and sends it


def test_a_revision_starts_empty(client, arrived, dest_clerk):
    ArrivalReadReview.objects.create(declaration=arrived, reason="plate_unreadable", note="x" * 12, by=dest_clerk)
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    assert _note(page) == ""
