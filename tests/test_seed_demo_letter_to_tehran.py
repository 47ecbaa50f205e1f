"""The demo's Tehran has a letter to answer: an escalation letter addressed to THR, sent through the app's own
services (a follow-up unanswered, the daily job's escalation, sent by the origin) and not answered, so the
«tehran» demo user finds it in the letters addressed to its office (its inbox was empty: the demo's letters
all went to other offices)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from casework.models import FollowUpLetter, LetterKind, LetterStatus

pytestmark = pytest.mark.django_db


def test_the_demo_sends_tehran_an_escalation_letter_left_to_answer(client, tmp_path):
    call_command("seed_demo", declarations=1200, credentials=str(tmp_path / "credentials.txt"), stdout=io.StringIO())
    letters = FollowUpLetter.objects.filter(
        to_office__code="THR", kind=LetterKind.ESCALATION, status=LetterStatus.SENT, answered_at__isnull=True
    )
    letter = letters.select_related("previous").order_by("pk").first()
    assert letter is not None, "no escalation letter to Tehran awaiting its reply"
    assert letter.number and letter.sent_at and letter.sent_by is not None
    assert letter.previous is not None and letter.previous.status == LetterStatus.SENT  # the letter it escalates
    assert letter.previous.answered_at is None

    client.force_login(User.objects.get(username="tehran"))
    page = client.get(reverse("casework:inbox")).content.decode()
    assert reverse("casework:letter", args=[letter.pk]) in page
