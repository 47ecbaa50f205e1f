"""A declaration registered by hand is one entry on its timeline: «Registered by hand (ICS unavailable)» with
who did it, what it was made with and from what source; not three at the same minute (the event, «Registered
here» and «Audit: record created»), the clerk's name twice. The audit trail keeps its creation entry."""

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core.dates import format_jalali
from declarations.importer import import_rows
from declarations.models import TransitDeclaration
from tests.declarations.test_register import DECLARED_AT, URL, _form

pytestmark = pytest.mark.django_db


def _timeline(html: str) -> list[tuple[str, str]]:
    part = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    found = re.findall(r'data-kind="([^"]+)">(.*?)</li>', part, flags=re.S)
    return [(kind, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()) for kind, body in found]


def test_a_hand_registration_is_one_entry_on_the_timeline(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran))
    assert response.status_code == 302
    d = TransitDeclaration.objects.get(serial="HAND-0001")
    entries = _timeline(client.get(reverse("declarations:detail", args=[d.pk])).content.decode())
    kinds = [kind for kind, _text in entries]
    assert kinds == ["declared", "import"], entries  # declared yesterday; registered here, once
    registered = entries[1][1]
    assert "Registered by hand" in registered and "entered by hand" in registered
    assert registered.count(origin_clerk.get_full_name()) == 1
    assert "HAND-0001" in registered  # what it was made with, as the audit entry told it
    assert not [text for _kind, text in entries if "Audit" in text or "Registered here" in text]
    assert LogEntry.objects.get_for_object(d).filter(action=LogEntry.Action.CREATE, actor=origin_clerk).exists()


def test_an_imported_declaration_is_one_entry_on_the_timeline(client, hq, bazargan, tehran):
    row = {
        "serial": "ICS-0001",
        "declared_at": format_jalali(DECLARED_AT, persian=False),
        "origin": "BZG",
        "destination": "THR",
        "plate": "12 ب 345 ایران 65",
        "waybill_no": "WB-77",
        "hs_code": "851713",
        "description": "گوشی تلفن همراه",
        "quantity": "100",
    }
    assert import_rows([(2, row)], source_ref="ICS export", by=hq).created == 1
    d = TransitDeclaration.objects.get(serial="ICS-0001")
    client.force_login(hq)
    entries = _timeline(client.get(reverse("declarations:detail", args=[d.pk])).content.decode())
    assert [kind for kind, _text in entries] == ["declared", "import"], entries
    assert "Imported" in entries[1][1] and "ICS export" in entries[1][1]
