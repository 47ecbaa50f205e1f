"""A declaration the ICS integration client registers through the API (POST /api/declarations/) comes from
ICS: its source is the integration's API and its timeline says so. It was stored «entered by hand (ICS
unavailable)», and the page said ICS had been down when ICS itself had sent it. The demo's integration user
has a Persian name: its English one showed on Persian pages."""

import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role, User
from accounts.offices_data import ensure_offices
from declarations.models import DeclarationEvent, Source, TransitDeclaration
from reports.management.commands import seed_demo
from tests.declarations.test_register import _api_body
from tests.declarations.test_registration_on_the_timeline import _timeline
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PERSIAN_NAME = "سامانه جامع گمرکی (اتصال)"


@pytest.fixture
def ics(db):
    return UserFactory(username="ics", role=Role.INTEGRATION, first_name="سامانه", last_name="جامع گمرکی (اتصال)")


def _register(user) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/declarations/", _api_body(), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _page(client, user, pk) -> str:
    client.force_login(user)
    return client.get(reverse("declarations:detail", args=[pk])).content.decode()


def test_the_integration_client_registers_with_the_api_source(ics, bazargan, tehran):
    body = _register(ics)
    assert body["status_source"] == "api"
    d = TransitDeclaration.objects.get(pk=body["id"])
    assert d.status_source == Source.API and d.status_changed_by == ics
    event = DeclarationEvent.objects.get(declaration=d)
    assert event.kind == "register_integration" and event.actor == ics and event.source == Source.API


@pytest.mark.persian
def test_its_page_says_it_came_from_the_integration_not_by_hand(client, ics, hq, bazargan, tehran):
    page = _page(client, hq, _register(ics)["id"]).split("<main", 1)[1]  # not the menu's «ثبت دستی» link
    assert "ثبت دستی" not in page and "در دسترس نبود" not in page  # «entered by hand (ICS unavailable)»
    status_from = page.split("منبع وضعیت", 1)[1].split("</dd>", 1)[0]
    assert "API سامانه متصل" in status_from and PERSIAN_NAME in status_from
    timeline = page.split('id="timeline"', 1)[1]
    assert "ثبت از طریق اتصال سامانه جامع گمرکی" in timeline


def test_an_office_registering_through_the_api_is_still_by_hand(client, origin_clerk, hq, bazargan, tehran):
    body = _register(origin_clerk)
    assert body["status_source"] == "hand"
    timeline = _page(client, hq, body["id"]).split('id="timeline"', 1)[1]
    assert "Registered by hand (ICS unavailable)" in timeline and "Registered by the ICS integration" not in timeline


def test_the_demo_integration_user_has_a_persian_name_also_when_seeded_again(db, tmp_path, monkeypatch):
    monkeypatch.setattr(seed_demo, "CREDENTIALS", tmp_path / "demo_credentials.txt")
    ensure_offices()
    # An install seeded before: its integration user named in English, renamed by the next start's seeding.
    UserFactory(username="ics", role=Role.INTEGRATION, first_name="ICS", last_name="integration")
    seed_demo.Command(stdout=io.StringIO()).users()
    assert User.objects.get(username="ics").get_full_name() == PERSIAN_NAME


@pytest.mark.persian
def test_its_registration_is_one_entry_naming_the_integration_once(client, ics, hq, bazargan, tehran):
    """It showed three entries in the same minute («ثبت از طریق اتصال سامانه جامع گمرکی», «ثبت در این سامانه»,
    «ممیزی: رکورد ایجادشده»), the first naming the integration twice; a hand registration is one already."""
    pk = _register(ics)["id"]
    entries = _timeline(_page(client, hq, pk))
    assert [kind for kind, _text in entries] == ["declared", "import"], entries
    registered = entries[1][1]
    assert "ثبت از طریق اتصال سامانه جامع گمرکی" in registered
    assert registered.count(PERSIAN_NAME) == 1, registered
    assert "API-HAND-1" in registered  # what it was made with, as the audit entry told it
    assert not [text for _kind, text in entries if "ممیزی" in text or "ثبت در این سامانه" in text]
    d = TransitDeclaration.objects.get(pk=pk)
    assert LogEntry.objects.get_for_object(d).filter(action=LogEntry.Action.CREATE, actor=ics).exists()
