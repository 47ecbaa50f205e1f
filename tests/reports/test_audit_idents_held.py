"""An identifier never breaks across lines: the per-kind filters give it a ``.ident`` span, which the app's
stylesheet holds on one line, and the audit page's plain text (a subject «رویداد اظهارنامه ⁦1405-ANZ-…⁩», a
change's line) gets the same span round each identifier it isolates (an outside walk saw «-1405» end a
line and «ANZ-00003891» start the next)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from core.text import LRI, PDI
from declarations import services
from declarations.models import DeclarationEvent

pytestmark = pytest.mark.django_db


def test_the_stylesheet_holds_an_identifier_on_one_line():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert re.search(r"\.ident\s*\{[^}]*white-space:\s*nowrap", css)


def test_the_identifier_filters_give_the_held_class():
    shown = Template("{{ s|serial }}|{{ w|waybill }}|{{ m|mrn }}|{{ p|plate }}|{{ t|held }}").render(
        Context(
            {"s": "1405-ANZ-00003891", "w": "WB-1", "m": "MRN-1", "p": "12ب34565", "t": f"a {LRI}1405-ANZ-1{PDI} <b>"}
        )
    )
    assert shown.count('class="ident') == 5
    assert f'<span class="ident">{LRI}1405-ANZ-1{PDI}</span> &lt;b&gt;' in shown  # the rest escaped


@pytest.mark.persian
def test_an_audit_subjects_serial_is_held_on_one_line(client, declaration, origin_clerk, hq):
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    event = DeclarationEvent.objects.get(declaration=declaration, kind="depart")
    entry = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    row = row[: row.index("</tr>")]
    assert f'<span class="ident">{LRI}{declaration.serial}{PDI}</span>' in row


@pytest.mark.persian
def test_a_declarations_own_entry_holds_its_serial_on_one_line(client, bazargan, tehran, hq):
    """An outside walk saw the subject «اظهارنامه ترانزیتی W3-LATE-91983» break as «W3-» / «LATE-91983»: the
    declaration's own entries wrote its serial bare, without the span that holds it."""
    from tests.factories import DeclarationFactory

    declaration = DeclarationFactory(origin=bazargan, destination=tehran, serial="W3-LATE-91983")
    entry = LogEntry.objects.get_for_object(declaration).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    subject = row[: row.index("</tr>")].split("<td")[6]
    assert f'<span class="ident">{LRI}W3-LATE-91983{PDI}</span>' in subject
