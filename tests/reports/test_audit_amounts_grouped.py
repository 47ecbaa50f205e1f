"""The audit page writes an amount as the pages do, its thousands grouped: an outside walk read «ارزش کالا
(ریال): ۲۵۹۵۱۰۰۰۰۰۰۰» on the audit page where the case's page writes ۱۱۶٬۲۲۹٬۰۰۰٬۰۰۰."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def test_a_guarantee_in_rials_is_grouped_in_thousands(client, declaration, hq):
    declaration.guarantee_amount = 116229000000
    declaration.save()
    entry = LogEntry.objects.get_for_object(declaration).filter(action=LogEntry.Action.UPDATE).latest("id")
    client.force_login(hq)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert "۱۱۶٬۲۲۹٬۰۰۰٬۰۰۰" in row
    assert "۱۱۶۲۲۹۰۰۰۰۰۰" not in row


def test_an_amount_stored_as_zero_for_none_still_reads_as_none(client, bazargan, tehran, hq):
    from tests.factories import DeclarationFactory

    declaration = DeclarationFactory(origin=bazargan, destination=tehran, guarantee_amount=0)
    declaration.guarantee_amount = 2500000
    declaration.save()
    entry = LogEntry.objects.get_for_object(declaration).filter(action=LogEntry.Action.UPDATE).latest("id")
    client.force_login(hq)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert "— ← ۲٬۵۰۰٬۰۰۰" in row
