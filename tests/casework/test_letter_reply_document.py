"""The reply to a follow-up letter carries the reply letter itself: tehran records its answer with the scanned
letter (PDF or image), checked as every evidence upload is (by content, malware scan), stored with its SHA-256,
shown on the letter's page and opened or downloaded by whoever sees the letter (audited, 404 outside the scope).
The answer form had text, number and date only."""

import datetime as dt
import hashlib

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as casework
from casework.models import LetterStatus
from core import malware
from declarations.models import Status
from tests import files
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def sent(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    return casework.letter_send(letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk)


def _answer(client, letter, document):
    return client.post(
        f"/casework/letters/{letter.pk}/answer/",
        {"reply_text": "کامیون رسید.", "reply_number": "THR/1405/88", "reply_document": document},
    )


def test_the_reply_letter_is_kept_shown_and_served_to_whoever_sees_the_letter(
    client, sent, origin_clerk, dest_clerk, outsider
):
    pdf = files.pdf()
    client.force_login(dest_clerk)
    form = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in form and "فایل نامهٔ پاسخ (PDF، JPEG، PNG)" in form
    assert _answer(client, sent, SimpleUploadedFile("پاسخ-۸۸.pdf", pdf)).status_code == 302

    sent.refresh_from_db()
    assert sent.status == LetterStatus.ANSWERED and sent.reply_document_sha256 == hashlib.sha256(pdf).hexdigest()
    assert "پاسخ" not in sent.reply_document.name  # stored under a random name, the client's kept beside it
    client.force_login(origin_clerk)
    page = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    assert 'id="reply-document"' in page and "<bdi>پاسخ-۸۸.pdf</bdi>" in page
    served = client.get(f"/casework/letters/{sent.pk}/reply-file/")
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == pdf
    assert client.get(f"/casework/letters/{sent.pk}/reply-file/?download=1")["Content-Disposition"].startswith(
        "attachment"
    )
    viewed = LogEntry.objects.get_for_object(sent).filter(action=LogEntry.Action.ACCESS)
    assert [e.additional_data["access"] for e in viewed] == ["reply_document", "reply_document"]

    client.force_login(outsider)
    assert client.get(f"/casework/letters/{sent.pk}/reply-file/").status_code == 404


def test_a_file_that_is_no_letter_is_refused_beside_the_field_and_nothing_is_recorded(client, sent, dest_clerk):
    client.force_login(dest_clerk)
    refused = _answer(client, sent, SimpleUploadedFile("reply.pdf", b"<html>not a letter</html>"))
    assert refused.status_code == 415
    assert "فایل از نوع PDF، JPEG یا PNG نیست" in refused.content.decode()
    sent.refresh_from_db()
    assert sent.status == LetterStatus.SENT and not sent.reply_document


def test_a_reply_letter_carrying_malware_is_refused_before_it_is_stored(client, sent, dest_clerk, monkeypatch):
    monkeypatch.setattr(malware, "enabled", lambda: True)
    monkeypatch.setattr(malware, "scan", lambda data: "Eicar-Test-Signature" if b"EICAR" in data else None)
    monkeypatch.setattr(malware, "record_infected", lambda **kw: None)
    client.force_login(dest_clerk)
    refused = _answer(client, sent, SimpleUploadedFile("reply.pdf", files.pdf() + b"EICAR"))
    assert refused.status_code == 422 and "Eicar-Test-Signature" in refused.content.decode()
    sent.refresh_from_db()
    assert sent.status == LetterStatus.SENT and not sent.reply_document


def test_a_reply_without_its_letter_file_is_recorded_as_before(client, sent, dest_clerk):
    client.force_login(dest_clerk)
    assert client.post(f"/casework/letters/{sent.pk}/answer/", {"reply_text": "رسید."}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == LetterStatus.ANSWERED and not sent.reply_document
    assert client.get(f"/casework/letters/{sent.pk}/reply-file/").status_code == 404
