"""The audit trail shows people by their names, but its actor filter matched only the login name: ``?actor=سارا``
found nothing even for the IT office. It now matches the login name or the person's first, last or full name,
in either form of ی/ک and either script of digits."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core import audit
from reports.audit import entries_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _saved_by(user) -> LogEntry:
    """An entry of ``user``'s: their own e-mail changed, sealed with their login name."""
    with audit.actor(user):
        user.email = f"{user.username}@example.org"
        user.save()
    entry = LogEntry.objects.filter(object_pk=str(user.pk)).order_by("-pk").first()
    assert entry is not None and entry.seal.actor_name == user.username
    return entry


def test_the_actor_filter_finds_people_by_name_in_any_form(client, it_officer):
    sara = UserFactory(username="clerk2", first_name="سارا", last_name="رحیمی کیا")
    other = UserFactory(username="k.nouri", first_name="کاوه", last_name="نوری")
    mine = _saved_by(sara)
    theirs = _saved_by(other)

    for typed in ("سارا", "رحیمی", "سارا رحیمی", "رحيمي كيا", "clerk2", "CLERK۲"):
        found = {e.pk for e in entries_for(it_officer, {"actor": typed})}
        assert mine.pk in found, typed
        assert theirs.pk not in found, typed
    assert not list(entries_for(it_officer, {"actor": "پرستو"}))

    client.force_login(it_officer)
    page = client.get(reverse("reports:audit"), {"actor": "سارا"}).content.decode()
    assert f'<tr data-entry="{mine.pk}">' in page
    assert f'<tr data-entry="{theirs.pk}">' not in page
