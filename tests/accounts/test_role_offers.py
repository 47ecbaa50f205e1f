"""Each role is offered only what it may do: menus, links and forms follow the actions' own rules,
and the GET of a form the role could not submit is refused (403) before anything is typed.

Machine accounts (the ICS integration client) are API-only: no web login, no web session.
"""

import pytest
from django.urls import reverse

from accounts.models import Role
from reports.models import MonthlyReturn
from tests.days import months_back_month
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
IMPORT_LINK = 'href="/declarations/import/"'
INSPECTION_LINK = 'href="/reports/inspections/new/"'
LOCKOUTS_LINK = 'href="/accounts/lockouts/"'


@pytest.fixture
def ics(db):
    return UserFactory(username="ics", role=Role.INTEGRATION)


# --- menus and links per role -------------------------------------------------------------------

OFFERS = {
    # persona: (import in the menu, inspection form offered, build form offered, lock-outs in the menu)
    "origin_clerk": (True, False, False, False),
    "inspector": (False, True, True, False),
    "hq": (True, True, True, False),
    "it_officer": (False, False, False, True),
}


@pytest.mark.parametrize("persona", OFFERS)
def test_menus_and_forms_offer_what_the_role_may_do(client, persona, request):
    imports, inspects, builds, releases = OFFERS[persona]
    client.force_login(request.getfixturevalue(persona))

    home = client.get(reverse("home")).content.decode()
    inspections = client.get(reverse("reports:inspections")).content.decode()
    returns = client.get(reverse("reports:returns")).content.decode()

    assert (IMPORT_LINK in home) is imports
    assert (LOCKOUTS_LINK in home) is releases
    assert (INSPECTION_LINK in inspections) is inspects
    assert ('class="build"' in returns) is builds


@pytest.mark.parametrize(
    ("persona", "offered"), [("origin_clerk", False), ("inspector", False), ("hq", True), ("it_officer", True)]
)
def test_the_menu_offers_the_api_to_the_roles_that_use_it(client, persona, offered, request):
    """An outside walk: the office clerk and the inspector had an «API» link they have no use for (no token,
    no client); headquarters and the IT office keep it. The documentation's address is not closed."""
    client.force_login(request.getfixturevalue(persona))
    home = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("api-docs")}"' in home) is offered
    assert client.get(reverse("api-docs")).status_code == 200


@pytest.mark.parametrize("persona", ["origin_clerk", "dest_clerk", "it_officer"])
def test_the_inspection_form_is_refused_on_get_to_those_who_may_not_record_one(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("reports:inspection_new"))

    assert response.status_code == 403
    assert "Only a provincial inspector, or headquarters, records inspections" in response.content.decode()


@pytest.mark.parametrize("persona", ["inspector", "hq"])
def test_the_inspection_form_opens_for_inspectors_and_headquarters(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("reports:inspection_new")).status_code == 200


def test_office_staff_may_not_post_a_return_build(client, origin_clerk, west_az):
    client.force_login(origin_clerk)

    year, month = months_back_month()  # a month headquarters could build: refused for the role alone
    response = client.post(reverse("reports:returns"), {"year": year, "month": month, "province": west_az.pk})

    assert response.status_code == 403
    assert not MonthlyReturn.objects.exists()


def test_the_case_form_is_refused_on_get_to_a_role_that_may_not_open_one(client, it_officer, declaration):
    client.force_login(it_officer)  # national: sees the declaration, handles no case

    response = client.get(reverse("casework:case_new", args=[declaration.pk]))

    assert response.status_code == 403
    assert "open a case" in response.content.decode()


# --- the trend --------------------------------------------------------------------------------


def test_office_staff_see_their_provinces_trend_not_national(client, origin_clerk, west_az):
    client.force_login(origin_clerk)

    page = client.get(reverse("reports:trend"))
    data = client.get(reverse("api-reports-trend")).json()

    assert page.context["province"] == west_az
    assert '<p id="trend-empty">' in page.content.decode()  # no return of the province yet: no chart to fill
    assert (data["labels"], data["over_40"]) == ([], []) and all(v == [] for v in data["series"].values())


def test_office_staff_trend_draws_their_provinces_returns(client, origin_clerk, hq, west_az, bazargan):
    client.force_login(hq)
    year, month = months_back_month()
    client.post(reverse("reports:returns"), {"year": year, "month": month, "province": west_az.pk})
    assert MonthlyReturn.objects.filter(province=west_az).exists()
    client.force_login(origin_clerk)

    data = client.get(reverse("api-reports-trend")).json()
    page = client.get(reverse("reports:trend")).content.decode()

    assert len(data["labels"]) == 1
    assert "?province=WAZ" in page  # the chart asks for the province's own trend


def test_an_inspector_cannot_switch_the_trend_to_national(client, inspector, west_az):
    client.force_login(inspector)

    page = client.get(reverse("reports:trend"), {"province": ""})

    assert page.context["province"] == west_az


# --- machine accounts -------------------------------------------------------------------------


def test_a_machine_account_is_refused_a_web_login_with_a_message(client, ics):
    response = client.post(reverse("login"), {"username": "ics", "password": PASSWORD})

    assert response.status_code == 200
    assert "machine account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_machine_accounts_web_session_is_ended_and_the_page_refused(client, ics):
    client.force_login(ics)

    response = client.get(reverse("home"))

    assert response.status_code == 403
    assert "machine account" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("declarations:list")).status_code == 302  # logged out: to the login page


def test_a_machine_account_keeps_the_api_with_its_token(client, api_token_for, ics, declaration):
    key = api_token_for(ics)

    response = client.get(reverse("api-declaration-list"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_people_still_log_in(client, origin_clerk):
    response = client.post(reverse("login"), {"username": "origin_clerk", "password": PASSWORD})

    assert response.status_code == 302
