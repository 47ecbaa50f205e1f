"""The letter-answer API carries the reply letter's file as the page does: a multipart body with ``reply_document``
beside the other fields, checked as the page checks it (by content: PDF, JPEG or PNG; malware scan; size), stored
with its SHA-256 and named in the answer. It took JSON only and dropped a file sent in a multipart body, recording
the reply without it. A JSON body answers as before; the schema shows the file in the multipart body only."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from casework import services as casework
from casework.models import FollowUpLetter, LetterStatus
from core import malware
from declarations.models import Status
from tests import files
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    return casework.letter_send(letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk)


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


def _url(letter) -> str:
    return f"/api/casework/letters/{letter.pk}/answer/"


def _stored(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_multipart_answer_stores_the_reply_letter_file(client, sent, dest_clerk, origin_clerk):
    pdf = files.pdf()
    response = _api(dest_clerk).post(
        _url(sent),
        {
            "reply_text": "کامیون رسید.",
            "reply_number": "THR/1405/۸۸",
            "reply_document": SimpleUploadedFile("reply-88.pdf", pdf, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    digest = hashlib.sha256(pdf).hexdigest()
    assert body["status"] == "answered" and body["reply_number"] == "THR/1405/88"
    assert body["reply_document_name"] == "reply-88.pdf" and body["reply_document_sha256"] == digest
    sent.refresh_from_db()
    assert sent.status == LetterStatus.ANSWERED and sent.reply_document_sha256 == digest
    assert "reply-88" not in sent.reply_document.name  # stored under a random name, as from the page
    client.force_login(origin_clerk)
    served = client.get(f"/casework/letters/{sent.pk}/reply-file/")
    assert served.status_code == 200 and b"".join(served.streaming_content) == pdf


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        ("reply.pdf", b"<html>not a letter</html>", 415),
        ("reply.exe", files.EXE, 415),
        ("reply.png", files.png_bomb(), 413),
    ],
    ids=["html", "exe", "pixel-bomb"],
)
def test_a_file_that_is_no_letter_is_refused_naming_the_field_and_nothing_is_recorded(
    settings, sent, dest_clerk, name, data, status
):
    before = _stored(settings)
    response = _api(dest_clerk).post(
        _url(sent),
        {"reply_text": "کامیون رسید.", "reply_document": SimpleUploadedFile(name, data)},
        format="multipart",
    )
    assert response.status_code == status, response.json()
    assert list(response.json()["error"]["fields"]) == ["reply_document"]
    sent.refresh_from_db()
    assert sent.status == LetterStatus.SENT and not sent.reply_document and not sent.reply_text
    assert _stored(settings) == before


def test_a_reply_letter_carrying_malware_is_refused_before_it_is_stored(settings, sent, dest_clerk, monkeypatch):
    monkeypatch.setattr(malware, "enabled", lambda: True)
    monkeypatch.setattr(malware, "scan", lambda data: "Eicar-Test-Signature" if b"EICAR" in data else None)
    monkeypatch.setattr(malware, "record_infected", lambda **kw: None)
    before = _stored(settings)
    response = _api(dest_clerk).post(
        _url(sent),
        {"reply_text": "کامیون رسید.", "reply_document": SimpleUploadedFile("reply.pdf", files.pdf() + b"EICAR")},
        format="multipart",
    )
    assert response.status_code == 422 and "Eicar-Test-Signature" in response.json()["error"]["message"]
    sent.refresh_from_db()
    assert sent.status == LetterStatus.SENT and _stored(settings) == before


def test_a_multipart_answer_without_a_file_and_a_json_answer_are_recorded_as_before(
    sent, dest_clerk, bazargan, tehran, origin_clerk
):
    response = _api(dest_clerk).post(_url(sent), {"reply_text": "رسید.", "answered_at": ""}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["reply_document_name"] == "" and response.json()["reply_document_sha256"] == ""
    other = casework.letter_send(
        letter=casework.letter_draft(
            declaration=DeclarationFactory(
                origin=bazargan,
                destination=tehran,
                status=Status.IN_TRANSIT,
                deadline=timezone.now() - dt.timedelta(days=9),
            ),
            by=origin_clerk,
        ),
        by=origin_clerk,
    )
    response = _api(dest_clerk).post(_url(other), {"reply_text": "رسید.", "reply_document": None}, format="json")
    assert response.status_code == 200, response.json()
    assert FollowUpLetter.objects.get(pk=other.pk).status == LetterStatus.ANSWERED


def test_a_file_in_a_json_body_is_refused_naming_the_field(sent, dest_clerk):
    response = _api(dest_clerk).post(
        _url(sent), {"reply_text": "رسید.", "reply_document": "JVBERi0xLjQK"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["reply_document"]
    assert "multipart/form-data" in response.json()["error"]["message"]
    persian = _api(dest_clerk).post(
        _url(sent), {"reply_text": "رسید.", "reply_document": "JVBERi0xLjQK"}, format="json", HTTP_ACCEPT_LANGUAGE="fa"
    )
    assert persian.json()["error"]["fields"]["reply_document"] == [
        "فایل نامهٔ پاسخ را در بدنهٔ multipart/form-data، کنار دیگر فیلدها، بفرستید."
    ]
    sent.refresh_from_db()
    assert sent.status == LetterStatus.SENT


def test_the_schema_shows_the_file_in_the_multipart_body():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/casework/letters/{id}/answer/"]["post"]
    content = operation["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"]["$ref"].endswith("/AnswerUploadIn")
    assert content["application/json"]["schema"]["$ref"].endswith("/AnswerIn")
    components = schema["components"]["schemas"]
    assert components["AnswerUploadIn"]["properties"]["reply_document"]["format"] == "binary"
    assert "reply_document" not in components["AnswerIn"]["properties"]
    assert {"reply_document_name", "reply_document_sha256"} <= set(components["LetterOut"]["properties"])
    assert {"413", "415", "422", "503"} <= set(operation["responses"])
