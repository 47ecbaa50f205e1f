"""The letters list's «tick to send» column is there only for someone who may send a letter it lists: an
inspector, who sends none, saw the column's header over a column of empty cells."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _overdue(bazargan, tehran):
    ago = timezone.now() - dt.timedelta(days=10)
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, declared_at=ago, departed_at=ago, deadline=ago
    )


@pytest.fixture
def letters(bazargan, tehran, origin_clerk):
    """Bazargan's letters to Tehran: one sent, one still a draft."""
    sent = casework.letter_draft(declaration=_overdue(bazargan, tehran), by=origin_clerk)
    sent = casework.letter_send(letter=sent, by=origin_clerk)
    draft = casework.letter_draft(declaration=_overdue(bazargan, tehran), by=origin_clerk)
    return sent, draft


def _table(client) -> str:
    page = client.get(reverse("casework:letters")).content.decode()
    return page.split('<table class="table">', 1)[1].split("</table>", 1)[0]


def _first_cells(table: str) -> list[str]:
    """Each row's first cell (the header's too)."""
    return [m.group(1) for m in re.finditer(r"<tr>\s*<t[hd]>(.*?)</t[hd]>", table, re.S)]


def test_an_inspector_sees_no_tick_column(client, inspector, letters):
    sent, _draft = letters
    client.force_login(inspector)
    table = _table(client)
    assert reverse("casework:letter", args=[sent.pk]) in table
    assert "انتخاب برای ارسال" not in table and 'type="checkbox"' not in table
    first = _first_cells(table)
    assert "شماره" in first[0], first  # the letter number's column comes first
    assert all(cell.strip() for cell in first), first  # no empty cell left where the column was


def test_the_origin_clerk_ticks_her_drafts_in_the_column(client, origin_clerk, letters):
    sent, draft = letters
    client.force_login(origin_clerk)
    table = _table(client)
    assert "انتخاب برای ارسال" in table
    assert f'type="checkbox" name="letter" value="{draft.pk}"' in table
    assert f'value="{sent.pk}"' not in table  # the sent one has an empty cell in the column
