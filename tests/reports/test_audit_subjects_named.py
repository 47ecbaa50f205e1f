"""The audit page names a row that belongs to a declaration or a case by the declaration's serial or the case's
file number and its labels in the reader's language, not by the text stored when it was written (the
declaration's or the case's row id and codes: «321 import 771000000», «20014: camera_down»)."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework.models import ValuationKind
from core.dates import TEHRAN, format_jalali
from core.text import LRI, PDI
from declarations.models import ArrivalReadReason, DeadlineExtension, Status, UnsettledReason
from declarations.models.arrival_reads import ArrivalReadReview
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _subject(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")].split("<td>")[6]


def test_rows_of_a_declaration_are_named_by_its_serial_and_labels(client, declaration, dest_clerk, hq):
    review = ArrivalReadReview.objects.create(
        declaration=declaration, reason=ArrivalReadReason.CAMERA_DOWN, note="دوربین خاموش بود", by=dest_clerk
    )
    new = timezone.now() + dt.timedelta(days=3)
    extension = DeadlineExtension.objects.create(declaration=declaration, new_deadline=new, reason="راه بسته", by=hq)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    held = f'<span class="ident">{LRI}{declaration.serial}{PDI}</span>'
    shown = _subject(page, LogEntry.objects.get_for_object(review).get())
    assert f"{held} · {ArrivalReadReason.CAMERA_DOWN.label}" in shown and "camera_down" not in shown
    shown = _subject(page, LogEntry.objects.get_for_object(extension).get())
    assert f"{held} · {format_jalali(new)}" in shown and f"{declaration.pk}:" not in shown


def test_a_cases_valuation_is_named_by_its_file_number_and_kind(client, bazargan, tehran, inspector, hq):
    unsettled = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = timezone.now() - dt.timedelta(days=2)
    case = casework.case_open(
        declaration=unsettled, by=inspector, file_number="1405-77", authority="تعزیرات حکومتی",
        opened_on=found.astimezone(TEHRAN).date(), discovered_at=found, cif_value="1000", exchange_rate="700000",
        duties="50000000", fees="1000000", commercial_profit="20000000",
    )  # fmt: skip
    valuation = case.valuations.get()
    client.force_login(hq)
    shown = _subject(
        client.get(reverse("reports:audit")).content.decode(), LogEntry.objects.get_for_object(valuation).get()
    )
    assert f"{LRI}۱۴۰۵-۷۷{PDI}</span> · {ValuationKind.IMPORT.label}" in shown
    assert f"{case.pk} import" not in shown
