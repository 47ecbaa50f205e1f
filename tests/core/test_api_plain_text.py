"""The API's JSON is plain text: the isolate marks (U+2066..U+2069) that keep a serial or a plate in its order
inside a Persian sentence on a page are not sent to a program, which showed them raw (and in the CSV it made)
and matched no serial it held. The pages keep them."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework import services as casework
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]
MARKS = "\u2066\u2067\u2068\u2069"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _plain(text: str) -> bool:
    return not any(mark in text for mark in MARKS)


def test_an_error_names_the_plate_without_isolate_marks(origin_clerk):
    response = _api(origin_clerk).get("/api/anpr/reads/search/", {"plate": "??"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "??" in error["message"] and _plain(error["message"]) and _plain(error["fields"]["plate"][0])


def test_a_letters_subject_gives_the_serial_as_plain_text_and_its_page_keeps_the_marks(
    client, bazargan, tehran, origin_clerk, dest_clerk
):
    now = timezone.now()
    overdue = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - dt.timedelta(days=12),
        departed_at=now - dt.timedelta(days=12),
        deadline=now - dt.timedelta(days=9),
    )
    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    assert not _plain(letter.subject)  # stored as the page shows it
    (row,) = _api(dest_clerk).get("/api/casework/inbox/").json()["results"]
    assert overdue.serial in row["subject"] and _plain(row["subject"])
    assert _plain(_api(dest_clerk).get("/api/casework/inbox/").content.decode())
