"""A reason the data proposed, accepted as it was offered, kept its note written in the language of the
person who accepted it: an English reader saw «goods serial/IMEI mismatch: شماره سریال کالای SN1 …». The
note is kept as a message id and parameters (as the timeline's events are) and shown in each reader's
language; a person's own words, and the notes of rows from before, are shown as they were written."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services
from declarations.models import GoodsSerial, Status, TransitDeclaration, UnsettledReason
from tests.factories import DeclarationFactory, GoodsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(bazargan, tehran, dest_clerk):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, departed_at=timezone.now() - dt.timedelta(days=2)
    )
    other = DeclarationFactory(origin=bazargan, destination=tehran, serial="T1404-0091")
    for d in (declaration, other):
        GoodsSerial.objects.create(value="SN1", declaration=d, goods_item=GoodsFactory(declaration=d))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    return declaration


def _why(client, declaration, language: str) -> str:
    """The page's «Why not settled» in ``language``."""
    client.cookies["django_language"] = language
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    label = "Why not settled" if language == "en" else "علت تسویه‌نشدن"
    return page.split(label, 1)[1].split("</dd>", 1)[0]


@pytest.mark.persian
def test_an_accepted_proposal_reads_in_each_readers_language(client, dest_clerk, arrived):
    client.force_login(dest_clerk)
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    note = html.unescape(
        re.search(
            r'name="record_unsettled-reason" value="serial_mismatch">\s*<input type="hidden" '
            r'name="record_unsettled-note" value="([^"]*)"',
            page,
        )[1]
    )
    assert "سریال" in note
    response = client.post(
        reverse("declarations:action", args=[arrived.pk, "record_unsettled"]),
        {"record_unsettled-reason": "serial_mismatch", "record_unsettled-note": note},
    )
    assert response.status_code == 302
    arrived.refresh_from_db()
    assert arrived.status == Status.UNSETTLED and arrived.unsettled_note_msgid
    assert arrived.unsettled_note == note  # the copy in the project's language, as before

    english = _why(client, arrived, "en")
    assert (
        'Goods serial <bdi dir="ltr" class="ident ident-goods">SN1</bdi> is also on open declaration(s) '
        '<bdi dir="ltr" class="ident ident-serial">T1404-0091</bdi>.'
    ) in english
    assert not re.search("[\u0600-\u06ff]", english)
    assert "SN1" in _why(client, arrived, "fa") and "سریال" in _why(client, arrived, "fa")


def test_a_persons_own_words_and_older_rows_are_shown_as_written(client, dest_clerk, arrived):
    services.declaration_record_unsettled(
        declaration=arrived, by=dest_clerk, reason=UnsettledReason.OTHER, note="پلمب شکسته بود"
    )
    arrived.refresh_from_db()
    assert arrived.unsettled_note_msgid == "" and arrived.unsettled_note_text() == "پلمب شکسته بود"
    TransitDeclaration.objects.filter(pk=arrived.pk).update(unsettled_note="goods serial/IMEI mismatch: متن قدیمی")
    client.force_login(dest_clerk)
    assert "متن قدیمی" in _why(client, arrived, "en")
