"""The proposed reasons' evidence as the reason form shows it and as its note stores it: identifiers isolated
with their own characters, lists and numbers written as the reader's language writes them."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services
from declarations.models import Status
from tests.factories import DeclarationFactory, GoodsFactory

LRI, PDI = "\u2066", "\u2069"


@pytest.fixture
def arrived(bazargan, tehran, dest_clerk):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=timezone.now() - dt.timedelta(days=2),
        waybill_no="WB-1404-77",
    )
    GoodsFactory(declaration=declaration, gross_weight_kg=Decimal("1000"))
    for serial in ("T1404-0091", "T1404-0092"):
        DeclarationFactory(origin=bazargan, destination=tehran, waybill_no="WB-1404-77", serial=serial)
    services.declaration_confirm_arrival(
        declaration=declaration,
        by=dest_clerk,
        seals_intact=False,  # other numbers found: not intact
        seal_numbers_found=["S999"],
        gross_weight_found_kg=Decimal("1100"),
    )
    return declaration


def _proposed(client, user, declaration) -> tuple[str, str]:
    """The reasons as the form lists them, and the duplicate-waybill one's note as accepting it would store it."""
    client.force_login(user)
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    listed = html.split('id="proposed-reasons"', 1)[1].split("</div>", 1)[0]
    note = re.search(
        r'name="record_unsettled-reason" value="duplicate_waybill">\s*<input type="hidden" '
        r'name="record_unsettled-note" value="([^"]*)"',
        html,
    )[1]
    return listed, note


@pytest.mark.persian
def test_the_serials_and_waybill_keep_their_latin_digits_isolated_on_a_persian_page(client, dest_clerk, arrived):
    listed, note = _proposed(client, dest_clerk, arrived)
    for text in (listed, note):
        assert f"{LRI}WB-1404-77{PDI}" in text
        assert f"{LRI}T1404-0091{PDI}، {LRI}T1404-0092{PDI}" in text
        assert "۰۰۹۱" not in text and "۱۴۰۴-۷۷" not in text
    assert "۱٬۱۰۰" in listed and "۱٬۰۰۰" in listed  # the weights are numbers: Persian digits, grouped
    assert f"{LRI}S999{PDI}" in listed


def test_an_english_page_lists_with_an_english_comma_and_latin_digits(client, dest_clerk, arrived):
    listed, note = _proposed(client, dest_clerk, arrived)
    assert f"{LRI}T1404-0091{PDI}, {LRI}T1404-0092{PDI}" in note and "،" not in listed
    assert "Gross weight found 1,100 kg, declared 1,000 kg." in listed


def test_a_long_evidence_is_cut_in_its_note_before_the_serial_the_limit_falls_in(
    client, dest_clerk, arrived, monkeypatch
):
    from declarations import detection
    from declarations.models import UnsettledReason

    others = [f"T1404-{n:04d}" for n in range(1, 40)]
    evidence = f"Waybill {LRI}WB-1404-77{PDI} is also on declaration(s) " + ", ".join(f"{LRI}{s}{PDI}" for s in others)
    cut = evidence[:499]  # what truncatechars:500 keeps, before its «…»
    assert cut.count(LRI) > cut.count(PDI)  # the 500th character falls inside a serial: the test's premise
    last_whole = cut[: cut.rindex(LRI)].rstrip(", ")
    monkeypatch.setattr(
        detection, "propose_reasons", lambda d: [detection.ProposedReason(UnsettledReason.DUPLICATE_WAYBILL, evidence)]
    )

    _listed_text, note = _proposed(client, dest_clerk, arrived)

    assert len(note) <= 500 and note.count(LRI) == note.count(PDI)  # every serial it names is closed
    assert note.startswith(last_whole) and note.endswith("…")  # the cut serial dropped whole, not half of it
    client.post(
        reverse("declarations:action", args=[arrived.pk, "record_unsettled"]),
        {"record_unsettled-reason": "duplicate_waybill", "record_unsettled-note": note},
    )
    arrived.refresh_from_db()
    assert arrived.unsettled_note == note
