"""Headquarters looked its own national return up in the audit trail (``?object=IR-1405-07-v2``) and read
«رکوردی یافت نشد»: every entry about it was its own, and the trail never shows a reader their own entries.
The rule stays; the page now says how many entries of the search are the reader's own and who sees them,
in place of «no entries» or above the entries it does show. The export still leaves them out."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from core.text import digits
from reports import services
from reports.audit import entries_for, own_entries_for, write_export

pytestmark = pytest.mark.django_db

HIDDEN = "are your own and are not shown to you"


def test_a_search_that_finds_only_the_readers_own_entries_says_so_with_their_count(client, hq, it_officer):
    national = services.return_build(year=1405, month=7, province=None, by=hq)
    services.return_submit(monthly_return=national, by=hq)
    number = "IR-1405-07-v1"
    theirs = list(entries_for(it_officer, {"object": number}))
    assert theirs  # the entries exist, all hq's
    assert list(entries_for(hq, {"object": number})) == []
    assert own_entries_for(hq, {"object": number}).count() == len(theirs)

    client.force_login(hq)
    page = client.get(reverse("reports:audit"), {"object": number}).content.decode()
    assert "No entries match." not in page
    assert f"{len(theirs)} entries matching this search {HIDDEN}" in page

    # a search matching nothing at all still says so, with no word of hidden entries
    page = client.get(reverse("reports:audit"), {"object": "IR-1405-07-v9"}).content.decode()
    assert "No entries match." in page and HIDDEN not in page

    # the export leaves them out, as the page does
    out = io.BytesIO()
    assert write_export(entries_for(hq, {"object": number}), "csv", out) == 0


@pytest.mark.persian
def test_entries_shown_beside_hidden_ones_come_with_a_note_above_the_table(client, hq, inspector, west_az):
    built = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    services.return_submit(monthly_return=built, by=hq)
    number = f"{west_az.code}-1404-05-v1"
    shown = list(entries_for(hq, {"object": number}))
    hidden = own_entries_for(hq, {"object": number}).count()
    assert shown and hidden

    client.force_login(hq)
    page = client.get(reverse("reports:audit"), {"object": number}).content.decode()
    note = f"{digits(hidden, persian=True)} ردیف با این جست‌وجو کارهای خود شماست"
    assert note in page
    assert page.index(note) < page.index('id="audit"')
    assert all(f'<tr data-entry="{e.pk}">' in page for e in shown)
