"""A Persian label holding a Latin word keeps its order on the audit page: an outside walk read «نامعتبر در
اظهارنامه: خیر IMEI» for «IMEI نامعتبر در اظهارنامه: خیر», the Latin word opening the label having turned the
whole line left to right."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core.text import LRI, PDI

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_a_latin_word_in_a_persian_label_is_isolated(client, declaration, hq):
    entry = LogEntry.objects.get_for_object(declaration).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    row = row[: row.index("</tr>")]
    assert f"{LRI}IMEI{PDI}</span> نامعتبر در اظهارنامه: خیر" in row
    assert "<bdi>IMEI نامعتبر" not in row
