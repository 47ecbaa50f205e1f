"""The audit trail reads as the reader's language writes it: an arrival confirmation named by its serial and its
office, each in its own order; an event's data by labels, office names and yes/no; a background job by what it
does; an import batch by its file and its Jalali Tehran time, its number in the reader's digits."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.dates import format_jalali
from core.models import Via
from declarations import services
from declarations.models import ArrivalConfirmation, DeclarationEvent, ImportBatch

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def _entry(obj) -> LogEntry:
    kind = ContentType.objects.get_for_model(obj)
    return LogEntry.objects.filter(content_type=kind, object_pk=str(obj.pk)).order_by("pk").first()


def test_an_arrival_and_its_events_data_read_in_persian(client, declaration, origin_clerk, dest_clerk, hq, tehran):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=2))
    with audit.interface(Via.TASK, "declarations.tasks.run_import"):
        services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()

    arrival = _row(page, _entry(ArrivalConfirmation.objects.get(declaration=declaration)))
    assert f'<span class="ident">{LRI}{declaration.serial}{PDI}</span> · {RLI}{tehran.name_fa}{PDI}' in arrival
    assert " @ " not in arrival

    event = DeclarationEvent.objects.get(declaration=declaration, kind="confirm_arrival")
    row = _row(page, _entry(event))
    assert f"گمرک: {tehran.name_fa}" in row
    assert "پلمپ‌ها سالم: بله" in row and "رؤیت‌شده در درِ گمرک: خیر" in row
    for raw in ("office:", "seals_intact", "seen_at_gate", "True", "False", ": THR"):
        assert raw not in row, raw
    # the job that wrote it, in words
    assert "کار پس‌زمینه: ورود اظهارنامه‌ها" in row and "declarations.tasks" not in row


def test_an_import_batch_reads_in_jalali_tehran_time_and_persian_digits(client, origin_clerk, hq):
    batch = ImportBatch.objects.create(filename="imp.csv", by=origin_clerk)
    with audit.interface(Via.IMPORT, f"batch {batch.pk}"):
        ImportBatch.objects.create(filename="next.csv", by=origin_clerk)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = _row(page, _entry(batch))
    assert (
        f'<span class="ident">{LRI}imp.csv{PDI}</span> · {format_jalali(batch.at)}' in row
    )  # Jalali, Tehran time, Persian digits
    assert batch.at.strftime("%Y-%m-%d") not in row
    later = _row(page, _entry(ImportBatch.objects.get(filename="next.csv")))
    number = str(batch.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"<td>دسته ورود اطلاعات {number}</td>" in later and "batch" not in later
