"""A declaration is closed («مختومه») only after a judicial case: from where a case can be opened (unsettled,
or in transit past its deadline) and once the case on it ended. Elsewhere the close form is not offered,
and a close asked anyway (page, API, service) is refused with its reason, nothing changed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework import services as casework
from core.errors import IllegalTransition
from declarations import services
from declarations.models import DeclarationEvent, Status, TransitDeclaration

pytestmark = pytest.mark.django_db


def _act(d):
    return reverse("declarations:action", args=[d.pk, "close"])


def _page(client, d) -> str:
    return client.get(reverse("declarations:detail", args=[d.pk])).content.decode()


def _close_form(html: str) -> str:
    return html.split('data-action="close"', 1)[1].split("</form>", 1)[0]


def _open_case(declaration, by):
    return casework.case_open(
        declaration=declaration,
        by=by,
        file_number="9909981234",
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=5),
        cif_value="12500",
        exchange_rate="285000",
    )


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


@pytest.fixture
def overdue(in_transit):
    TransitDeclaration.objects.filter(pk=in_transit.pk).update(deadline=timezone.now() - dt.timedelta(days=2))
    in_transit.refresh_from_db()
    return in_transit


def _unchanged(d, status):
    d.refresh_from_db()
    assert d.status == status and d.closed_at is None
    assert not DeclarationEvent.objects.filter(declaration=d, kind="close").exists()


def test_a_healthy_declaration_in_transit_cannot_be_closed(client, inspector, in_transit):
    client.force_login(inspector)
    assert 'data-action="close"' not in _page(client, in_transit)
    response = client.post(_act(in_transit), {"close-remarks": "ruling 1404/123"})
    assert response.status_code == 409
    assert "it is in transit within its deadline" in _close_form(response.content.decode())
    _unchanged(in_transit, Status.IN_TRANSIT)
    api = APIClient()
    api.force_authenticate(inspector)
    response = api.post(f"/api/declarations/{in_transit.pk}/close/", {"remarks": "case ended"}, format="json")
    assert response.status_code == 409 and "within its deadline" in response.json()["error"]["message"]
    _unchanged(in_transit, Status.IN_TRANSIT)


def test_an_overdue_declaration_is_closed_only_once_its_case_ended(client, inspector, hq, overdue):
    client.force_login(inspector)
    assert 'data-action="close"' not in _page(client, overdue)
    response = client.post(_act(overdue), {"close-remarks": "ruling 1404/123"})
    assert response.status_code == 409 and "it has no judicial case" in _close_form(response.content.decode())
    with pytest.raises(IllegalTransition, match="no judicial case"):
        services.declaration_close(declaration=overdue, by=hq, remarks="ruling of branch 12 of the court")
    _unchanged(overdue, Status.IN_TRANSIT)

    case = _open_case(overdue, inspector)
    assert 'data-action="close"' not in _page(client, overdue)
    response = client.post(_act(overdue), {"close-remarks": "ruling 1404/123"})
    assert response.status_code == 409 and "its judicial case is still open" in response.content.decode()
    _unchanged(overdue, Status.IN_TRANSIT)

    casework.case_close(case=case, by=inspector, outcome="حکم ضبط کالا", outcome_on=timezone.localdate())
    assert 'data-action="close"' in _page(client, overdue)
    assert client.post(_act(overdue), {"close-remarks": "ruling 1404/123"}).status_code == 302
    overdue.refresh_from_db()
    assert overdue.status == Status.CLOSED and overdue.closed_at is not None


def test_closing_the_case_closes_an_overdue_declaration_too(inspector, overdue):
    case = _open_case(overdue, inspector)
    casework.case_close(
        case=case, by=inspector, outcome="برائت", outcome_on=timezone.localdate(), close_declaration=True
    )
    overdue.refresh_from_db()
    assert overdue.status == Status.CLOSED
    assert DeclarationEvent.objects.get(declaration=overdue, kind="close").actor == inspector
