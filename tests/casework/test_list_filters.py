"""The casework lists' filters: a value that is not one of the choices (a status, a state, a yes/no) is the
page with the error beside the filters and no rows (400), never every letter, case or milestone in place
of the part asked for."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def casework_rows(bazargan, tehran, origin_clerk, inspector):
    """A sent letter (Bazargan → Tehran) and a smuggling case with its milestones, on one declaration."""
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=60)
    )
    letter = casework.letter_draft(declaration=declaration, by=origin_clerk)
    casework.letter_send(letter=letter, by=origin_clerk, at=timezone.now() - dt.timedelta(days=1))
    found = timezone.now() - dt.timedelta(days=2)
    casework.case_open(
        declaration=declaration,
        by=inspector,
        file_number="1405-77",
        authority="تعزیرات حکومتی",
        opened_on=found.astimezone(TEHRAN).date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
    )
    return declaration


# (the page, its person, a filter that is valid, one that is not and the field it names)
LISTS = [
    ("/casework/letters/", "origin_clerk", {"status": "sent"}, {"status": "shipped"}, "status"),
    ("/casework/letters/", "origin_clerk", {"overdue": "0"}, {"overdue": "yes"}, "reply overdue"),
    ("/casework/letters/", "origin_clerk", {}, {"escalated": "2"}, "escalated to headquarters"),
    ("/casework/cases/", "inspector", {"status": "open"}, {"status": "opened"}, "status"),
    ("/casework/milestones/", "inspector", {"state": "all"}, {"state": "late"}, "state"),
    ("/casework/inbox/", "dest_clerk", {"status": "all"}, {"status": "unread"}, "status"),
    ("/casework/inbox/", "dest_clerk", {"status": "all"}, {"overdue": "true"}, "reply overdue"),
]


@pytest.mark.parametrize(("url", "who", "valid", "invalid", "label"), LISTS)
def test_a_filter_that_is_not_valid_is_said_beside_the_filters_with_no_rows(
    client, request, casework_rows, url, who, valid, invalid, label
):
    client.force_login(request.getfixturevalue(who))
    shown = client.get(url, valid)
    assert shown.status_code == 200 and casework_rows.serial in shown.content.decode()
    refused = client.get(url, invalid)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "<html" in html and 'id="filter-errors"' in html
    errors = html.split('id="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert f"<strong>{label}</strong>: Select a valid choice." in errors
    assert casework_rows.serial not in html  # no rows, filtered or not
    assert not refused.context["rows" if "cases" not in url else "cases"]


@pytest.mark.persian
def test_the_error_is_in_the_pages_language(client, inspector, casework_rows):
    client.force_login(inspector)
    response = client.get("/casework/milestones/", {"state": "late"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "یک گزینهٔ معتبر انتخاب کنید" in html and "یکی از گزینه‌های بالا را انتخاب کنید" in html
