"""A departure recorded again is refused for the declaration's state (409, «it is in transit»), whatever time
is sent with it: an earlier time was answered with a 400 comparing the departure time with itself."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import format_jalali
from core.errors import IllegalTransition
from declarations import services
from declarations.models import DeclarationEvent, Status


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=2))
    declaration.refresh_from_db()
    return declaration


def test_the_service_refuses_the_state_before_an_earlier_time(in_transit, origin_clerk):
    earlier = in_transit.departed_at - dt.timedelta(hours=1)
    with pytest.raises(IllegalTransition) as refused:
        services.declaration_depart(declaration=in_transit, by=origin_clerk, at=earlier)
    assert "in transit" in str(refused.value)


def test_the_page_answers_409_with_the_state(client, in_transit, origin_clerk):
    client.force_login(origin_clerk)
    earlier = in_transit.departed_at - dt.timedelta(hours=1)
    at = format_jalali(earlier, persian=False)
    events = DeclarationEvent.objects.count()
    response = client.post(reverse("declarations:action", args=[in_transit.pk, "depart"]), {"depart-at": at})
    assert response.status_code == 409
    page = response.content.decode()
    assert "it is in transit" in page
    assert "cannot be before" not in page
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT and DeclarationEvent.objects.count() == events


def test_the_api_answers_409_with_the_state(in_transit, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    earlier = in_transit.departed_at - dt.timedelta(hours=1)
    response = api.post(f"/api/declarations/{in_transit.pk}/depart/", {"at": earlier.isoformat()}, format="json")
    assert response.status_code == 409, response.content
