"""The audit trail's «what changed» in the reader's words: an access names the person it names and leaves
out what is empty; a timeline event's message, which the event keeps written in the site's language
(Persian) beside its message id, is written in the reader's language, with the reader's digits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core import audit
from declarations import services
from declarations.audit_text import ChangeWriter
from declarations.models import DeclarationEvent
from notifications.messages import Ident, Message, When
from tests.factories import UserFactory

PERSIAN = re.compile(r"[\u0600-\u06ff]")

pytestmark = pytest.mark.django_db


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def _changes(row: str) -> str:
    return row.split('<td class="small">', 1)[1]


def test_an_exports_download_names_who_asked_and_leaves_out_empty_details(client, hq, it_officer, origin_clerk):
    with audit.actor(hq):
        entry = audit.record_access(
            None,
            "declarations",
            "export",
            kind="declarations",
            format="xlsx",
            query="",
            rows=None,
            asked_by=origin_clerk.pk,
        )
    client.force_login(it_officer)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert f"asked by: {ChangeWriter.name_of(origin_clerk)}" in row
    assert "None" not in row and "rows:" not in row and "asked_by" not in row
    assert f": {origin_clerk.pk}<" not in row and f": {origin_clerk.pk}," not in row


def test_a_person_named_in_a_change_is_isolated(client, hq, it_officer):
    john = UserFactory(username="jsmith", first_name="John", last_name="Smith 2")
    with audit.actor(hq):
        entry = audit.record_access(None, "declarations", "export", kind="declarations", asked_by=john.pk)
    client.force_login(it_officer)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert "asked by: \u2068John Smith 2\u2069" in row


def test_a_timeline_events_message_is_written_in_the_readers_language(
    client, declaration, origin_clerk, dest_clerk, hq
):
    due = dt.datetime(2026, 11, 3, 9, 30, tzinfo=dt.UTC)
    with override_settings(LANGUAGE_CODE="fa"):  # the site's language: each event keeps its text in Persian
        services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=2))
        services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
        services.declaration_settle(declaration=declaration, by=dest_clerk)
        overdue = DeclarationEvent.objects.create(
            declaration=declaration,
            at=timezone.now(),
            kind="case_milestone_overdue",
            **DeclarationEvent.message_fields(
                Message("Case %(n)s: %(step)s was due %(due)s", n=Ident("case", "1405-7"), step="x", due=When(due))
            ),
        )
    settled = DeclarationEvent.objects.get(declaration=declaration, kind="settle")
    assert PERSIAN.search(settled.message) and PERSIAN.search(overdue.message)  # as stored: evidence, unchanged

    events = ContentType.objects.get_for_model(DeclarationEvent)
    client.force_login(hq)
    for event, words in ((settled, "settled"), (overdue, "was due")):
        page = client.get(
            reverse("reports:audit"), {"object": str(event.pk), "action": "0", "model": str(events.pk)}
        ).content.decode()
        entry = LogEntry.objects.get(content_type=events, object_pk=str(event.pk), action=LogEntry.Action.CREATE)
        changes = _changes(_row(page, entry))
        changes = re.sub(r"<div><bdi>actor: [^<]*</bdi></div>", "", changes)  # a person's name as they wrote it
        assert words in changes
        assert not PERSIAN.search(changes), PERSIAN.findall(changes)
        assert "message id" not in changes and "message parameters" not in changes


def test_a_search_typed_in_persian_digits_is_read_in_the_readers_digits(client, hq, it_officer):
    """An English page read «from=۱۴۰۵/۰۸/۱۷, to=۱۴۰۵/۰۹/۱۶»: the filters of a search typed on a Persian page."""
    with audit.actor(hq):
        entry = audit.record_access(
            None, "declarations", "export", kind="declarations", query="from=۱۴۰۵/۰۸/۱۷&to=۱۴۰۵/۰۹/۱۶&q=1405-JLF-7"
        )
    client.force_login(it_officer)
    row = _changes(_row(client.get(reverse("reports:audit")).content.decode(), entry))
    assert "from=1405/08/17, to=1405/09/16, q=1405-JLF-7" in row
