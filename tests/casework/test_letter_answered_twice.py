"""Sending the answer form again on a letter already answered (a stale tab, a double click) answered a bare
400 with the letter page and no word of why: now it says when the letter was answered, shows the page as
answered, and the first reply stands."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as casework
from casework.models import LetterStatus
from core.dates import TEHRAN, format_jalali
from declarations.models import Status
from tests import files
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_answering_an_answered_letter_again_says_when_it_was_answered(
    client, bazargan, tehran, origin_clerk, dest_clerk
):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    letter = casework.letter_send(
        letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk
    )
    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="رسید.", reply_number="THR/1405/88")
    letter.refresh_from_db()

    client.force_login(dest_clerk)
    stale = {
        "reply_text": "دوباره",
        "reply_number": "THR/1405/99",
        "reply_document": SimpleUploadedFile("r.pdf", files.pdf()),
    }
    response = client.post(f"/casework/letters/{letter.pk}/answer/", stale)
    assert response.status_code == 302 and response["Location"] == f"/casework/letters/{letter.pk}/"
    page = client.get(response["Location"]).content.decode()
    day = format_jalali(letter.answered_at.astimezone(TEHRAN), with_time=False, persian=True)
    assert f"این نامه پیش‌تر در {day} پاسخ داده شده است." in page
    assert 'id="answer-form"' not in page and "THR/1405/88" in page  # shown as answered, the first reply
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ANSWERED and letter.reply_number == "THR/1405/88" and not letter.reply_document
