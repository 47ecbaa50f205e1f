"""The arrival form reports every problem at once, each beside its field: submitted empty it named only the
seals question, and once that was answered the next submit asked why the plate reader had not seen the truck."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services
from declarations.models import ArrivalConfirmation, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _beside(html: str, name: str) -> str:
    """The arrival form's field ``name`` with what is shown just before and after it (its label and errors)."""
    form = html.split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    before, after = form.split(f'name="confirm_arrival-{name}"', 1)
    return before[-1500:] + after[:1500]


def test_an_empty_submit_shows_every_error_beside_its_field(client, dest_clerk, in_transit):
    assert in_transit.destination.has_anpr  # and no read of the truck
    client.force_login(dest_clerk)
    response = client.post(
        reverse("declarations:action", args=[in_transit.pk, "confirm_arrival"]),
        {"confirm_arrival-from_outside": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose whether the seals are intact or broken." in _beside(html, "seals_intact")
    assert "Your office&#x27;s plate reader has no read of this truck" in _beside(html, "unseen_reason")
    assert "needs its evidence document" in _beside(html, "evidence")
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
    assert not ArrivalConfirmation.objects.filter(declaration=in_transit).exists()


def test_the_service_names_every_field_it_refuses(dest_clerk, in_transit):
    with pytest.raises(services.InvalidInput) as caught:
        services.declaration_confirm_arrival(
            declaration=in_transit, by=dest_clerk, unseen_reason="", remarks="x" * 501, source="outside"
        )
    assert set(caught.value.fields) == {"unseen_reason", "remarks", "evidence"}
