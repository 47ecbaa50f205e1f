"""One extension of the transit deadline gives at most the route's allowed time again (counted from the
current deadline, or from now when it has passed): a year out was taken and the overdue signal was gone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from declarations import services
from declarations.models import DeadlineExtension, RouteTimeLimit, TransitDeclaration

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


def test_a_year_out_is_refused_by_the_api_naming_both_limits_in_jalali(in_transit, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    old = in_transit.deadline
    year_out = format_jalali(timezone.now() + dt.timedelta(days=365), persian=False)
    response = api.post(
        f"/api/declarations/{in_transit.pk}/extend-deadline/",
        {"new_deadline": year_out, "reason": "یک سال"},
        format="json",
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert list(error["fields"]) == ["new_deadline"]
    message = error["fields"]["new_deadline"][0]
    cap = old + dt.timedelta(hours=72)  # the default route time, again
    assert format_jalali(old, persian=False) in message and format_jalali(cap, persian=False) in message
    assert "72 hours" in message
    assert TransitDeclaration.objects.get(pk=in_transit.pk).deadline == old and not DeadlineExtension.objects.exists()


def test_up_to_the_routes_own_time_again_is_taken_and_the_route_limit_counts(in_transit, origin_clerk):
    RouteTimeLimit.objects.create(origin=in_transit.origin, destination=in_transit.destination, hours=24)
    old = in_transit.deadline
    with pytest.raises(services.InvalidInput) as refused:
        services.declaration_extend_deadline(
            declaration=in_transit,
            by=origin_clerk,
            new_deadline=old + dt.timedelta(hours=25),
            reason="snow closed the road",
        )
    assert refused.value.fields == {"new_deadline": "too late"}
    services.declaration_extend_deadline(
        declaration=in_transit,
        by=origin_clerk,
        new_deadline=old + dt.timedelta(hours=24),
        reason="snow closed the road",
    )
    assert TransitDeclaration.objects.get(pk=in_transit.pk).deadline == old + dt.timedelta(hours=24)


def test_a_deadline_already_passed_is_extended_from_now(declaration, hq):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(declared_at=timezone.now() - dt.timedelta(days=11))
    declaration.refresh_from_db()
    services.declaration_depart(declaration=declaration, by=hq, at=timezone.now() - dt.timedelta(days=10))
    services.declaration_extend_deadline(
        declaration=declaration, by=hq, new_deadline=timezone.now() + dt.timedelta(hours=71), reason="border closed"
    )
    with pytest.raises(services.InvalidInput):
        services.declaration_extend_deadline(
            declaration=declaration,
            by=hq,
            new_deadline=timezone.now() + dt.timedelta(days=10),
            reason="the road is closed again",
        )


@pytest.mark.persian
def test_the_page_refuses_it_beside_the_field_in_persian(client, in_transit, origin_clerk):
    client.force_login(origin_clerk)
    too_late = _minute(in_transit.deadline + dt.timedelta(days=30))
    response = client.post(
        reverse("declarations:action", args=[in_transit.pk, "extend_deadline"]),
        {"extend_deadline-new_deadline": format_jalali(too_late), "extend_deadline-reason": "برف گردنه را بست"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    form = html.split('data-action="extend_deadline"', 1)[1].split("</form>", 1)[0]
    assert format_jalali(in_transit.deadline + dt.timedelta(hours=72)) in form
    assert "۷۲ ساعت" in form
    assert not DeadlineExtension.objects.exists()
