"""A draft withdrawn before it was sent (its letter answered, or replaced by an escalation) reads as
cancelled on its page: the heading says «ابطال‌شده», not «پیش‌نویس», and there is no draft PDF to preview
and no send button; its PDF address answers 404."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework.models import LetterStatus
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _overdue(bazargan, tehran):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - dt.timedelta(days=12),
        departed_at=now - dt.timedelta(days=12),
        deadline=now - dt.timedelta(days=9),
    )


def test_a_cancelled_draft_is_headed_cancelled_with_no_preview_and_no_send(client, origin_clerk, bazargan, tehran):
    declaration = _overdue(bazargan, tehran)
    letter = casework.letter_draft(declaration=declaration, by=origin_clerk)
    casework.letter_cancel(letter=letter, by=origin_clerk)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.CANCELLED
    client.force_login(origin_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.get(reverse("casework:letter", args=[letter.pk])).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert "ابطال‌شده" in heading and "پیش‌نویس" not in heading, heading
    assert "پیش‌نمایش PDF" not in html and reverse("casework:letter_pdf", args=[letter.pk]) not in html
    assert reverse("casework:letter_send", args=[letter.pk]) not in html
    assert client.get(reverse("casework:letter_pdf", args=[letter.pk])).status_code == 404


def test_a_draft_still_offers_its_preview(client, origin_clerk, bazargan, tehran):
    letter = casework.letter_draft(declaration=_overdue(bazargan, tehran), by=origin_clerk)
    client.force_login(origin_clerk)
    html = client.get(reverse("casework:letter", args=[letter.pk])).content.decode()
    assert reverse("casework:letter_pdf", args=[letter.pk]) in html
