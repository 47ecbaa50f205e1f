"""Seal, weight, scan and transport-document proposals, accepted as the page offered them, kept their note
written in the language of the person who accepted them: accepted on an English page, a Persian reader saw
«Why not settled: seal discrepancy: Seals were reported broken on arrival.». Their notes are now kept as a
message id and parameters, as the serial and waybill proposals' are (``test_unsettled_note_language``), and
written in each reader's language; a note kept as text before still reads as it was written."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services, transport_docs
from declarations.models import Status, TransitDeclaration, UnsettledReason, Verdict
from tests.factories import DeclarationFactory, GoodsFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]
LATIN_WORD = re.compile(r"\b[a-z]{3,}\b")  # an English word outside the identifiers (S100200, CMR-5: no word)


@pytest.fixture
def in_transit(bazargan, tehran):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=timezone.now() - dt.timedelta(days=2),
        seal_numbers=["S100200", "S100201"],
    )
    GoodsFactory(declaration=declaration, description="گوشی تلفن همراه", quantity=Decimal(100))  # 250 kg
    return declaration


def _seals_broken(d, by):
    services.declaration_confirm_arrival(declaration=d, by=by, seals_intact=False)


def _seals_differ(d, by):
    services.declaration_confirm_arrival(
        declaration=d, by=by, seals_intact=False, seal_numbers_found=["S100200", "S999"]
    )


def _weight_differs(d, by):
    services.declaration_confirm_arrival(declaration=d, by=by, gross_weight_found_kg=Decimal(400))


def _scan_suspicious(d, by):
    services.declaration_confirm_arrival(declaration=d, by=by)
    TransitDeclaration.objects.filter(pk=d.pk).update(comparison_verdict=Verdict.SUSPICIOUS)


def _document_differs(d, by):
    transport_docs.transport_document_record(
        declaration=d,
        by=by,
        number="CMR-5",
        issued_on=dt.date(2025, 8, 1),
        origin="BZG",
        destination="MSH",
        route=["BZG", "TBZ", "THR"],
        goods_description="گوشی تلفن همراه",
        quantity=Decimal(90),
        gross_weight_kg=Decimal(400),
    )
    services.declaration_confirm_arrival(declaration=d, by=by)


def _page(client, declaration, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()


def _why(client, declaration, language: str) -> str:
    """The page's «Why not settled» in ``language``."""
    label = "Why not settled" if language == "en" else "علت تسویه‌نشدن"
    return _page(client, declaration, language).split(label, 1)[1].split("</dd>", 1)[0]


def _accept_in_english(client, declaration, reason: str, saying: str) -> str:
    """Accept the proposal of ``reason`` whose evidence says ``saying``, as the English page offers it; the
    note sent."""
    page = _page(client, declaration, "en")
    offered = re.findall(
        rf'name="record_unsettled-reason" value="{reason}">\s*<input type="hidden" '
        r'name="record_unsettled-note" value="([^"]*)"',
        page,
    )
    notes = [html.unescape(note) for note in offered if saying in html.unescape(note)]
    assert len(notes) == 1, f"{reason} «{saying}» proposed {len(notes)} times"
    note = notes[0]
    response = client.post(
        reverse("declarations:action", args=[declaration.pk, "record_unsettled"]),
        {"record_unsettled-reason": reason, "record_unsettled-note": note},
    )
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.UNSETTLED and declaration.unsettled_reason == reason
    return note


@pytest.mark.parametrize(
    "make,reason,english,persian",
    [
        (_seals_broken, UnsettledReason.SEAL_DISCREPANCY, "Seals were reported broken", "پلمپ"),
        (_seals_differ, UnsettledReason.SEAL_DISCREPANCY, "S999", "پلمپ"),
        (_weight_differs, UnsettledReason.QUANTITY_DISCREPANCY, "Gross weight found 400 kg", "۴۰۰"),
        (_scan_suspicious, UnsettledReason.SCAN_DISCREPANCY, "destination scan differs", "اسکن"),
        (_document_differs, UnsettledReason.DOCUMENT_DISCREPANCY, "Transport document", "سند حمل"),
    ],
    ids=["seals-broken", "seals-differ", "weight", "scan", "transport-document"],
)
def test_a_proposal_accepted_in_english_reads_in_persian_for_a_persian_reader(
    client, dest_clerk, in_transit, make, reason, english, persian
):
    make(in_transit, dest_clerk)
    client.force_login(dest_clerk)
    _accept_in_english(client, in_transit, reason, english)
    assert in_transit.unsettled_note_msgid  # kept as a message, not as the English text

    in_persian = re.sub(r"<[^>]*>", "", _why(client, in_transit, "fa"))  # as read, without the tags
    assert persian in in_persian
    assert not LATIN_WORD.search(in_persian.split(":", 1)[1]), in_persian  # the note: no English words
    assert english in _why(client, in_transit, "en")


def test_the_document_note_writes_the_date_and_numbers_in_the_readers_calendar_and_digits(
    client, dest_clerk, in_transit
):
    _document_differs(in_transit, dest_clerk)
    client.force_login(dest_clerk)
    _accept_in_english(client, in_transit, UnsettledReason.DOCUMENT_DISCREPANCY, "CMR-5")
    assert "۱۴۰۴/۰۵/۱۰" in _why(client, in_transit, "fa")  # 2025-08-01
    english = _why(client, in_transit, "en")
    assert "1404/05/10" in english and "document 90, declaration 100" in english


def test_a_note_kept_as_text_before_reads_as_written(client, dest_clerk, in_transit):
    _seals_broken(in_transit, dest_clerk)
    TransitDeclaration.objects.filter(pk=in_transit.pk).update(
        status=Status.UNSETTLED,
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
        unsettled_note="Seals were reported broken on arrival.",
        unsettled_note_msgid="",
        unsettled_note_params={},
    )
    client.force_login(dest_clerk)
    assert "Seals were reported broken on arrival." in _why(client, in_transit, "fa")
