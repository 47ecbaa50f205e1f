"""Headquarters does not draft follow-up letters: the origin office writes them (DESIGN.md, who uses it).

A draft is written by its office alone, so a draft made by headquarters in the origin office's name would be
one headquarters could never send or cancel; headquarters oversees the drafts, read only."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import panels
from casework.models import FollowUpLetter
from declarations.models import Status, TransitDeclaration
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
BUTTON = "تهیه پیش‌نویس نامه پیگیری"


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "fa"
    return client


@pytest.fixture
def overdue(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )


def test_headquarters_sees_no_draft_button_and_its_post_is_refused(client, overdue, hq):
    client.force_login(hq)
    page = client.get(f"/declarations/{overdue.pk}/")
    assert page.status_code == 200
    assert BUTTON not in page.content.decode()
    assert f"/casework/letters/new/{overdue.pk}/" not in page.content.decode()

    response = client.post(f"/casework/letters/new/{overdue.pk}/")
    assert response.status_code == 403
    assert not FollowUpLetter.objects.exists()


def test_the_origin_clerk_still_drafts_from_the_declaration_page(client, overdue, origin_clerk):
    client.force_login(origin_clerk)
    assert BUTTON in client.get(f"/declarations/{overdue.pk}/").content.decode()
    response = client.post(f"/casework/letters/new/{overdue.pk}/")
    letter = FollowUpLetter.objects.get()
    assert response["Location"] == f"/casework/letters/{letter.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_another_office_posting_the_form_is_refused(client, overdue, dest_clerk):
    client.force_login(dest_clerk)
    assert client.post(f"/casework/letters/new/{overdue.pk}/").status_code == 403
    assert not FollowUpLetter.objects.exists()


def test_headquarters_oversees_the_origins_draft_read_only(client, rf, overdue, origin_clerk, hq):
    """HQ's scope dropped every draft (its empty scope fell out of an OR), so its dashboard read «Draft
    letters: 0» and «first letter late» never showed, while a province's inspector saw the same drafts."""
    client.force_login(origin_clerk)
    client.post(f"/casework/letters/new/{overdue.pk}/")
    letter = FollowUpLetter.objects.get()
    client.force_login(hq)
    listing = client.get("/casework/letters/?status=draft").content.decode()
    assert f"/casework/letters/{letter.pk}/" in listing
    page = client.get(f"/casework/letters/{letter.pk}/")
    assert page.status_code == 200 and 'name="subject"' not in page.content.decode()  # no editing form
    client.post(f"/casework/letters/{letter.pk}/send/")  # refused by the service, with its message
    letter.refresh_from_db()
    assert letter.status == "draft"
    request = rf.get("/")
    request.user = hq
    panel = panels.casework_panel(request, TransitDeclaration.objects.for_user(hq))
    assert panel.context["casework"]["drafts"] == 1 and panel.context["casework"]["late_drafts"] == 1
