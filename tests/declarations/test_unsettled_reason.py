"""The reason a declaration cannot be settled is always chosen by someone: the page's select starts blank
and an empty choice is refused beside the field, the API requires it, an import row marked unsettled must
carry it; once settled, the page and the list filter no longer present it as the current reason."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from declarations import services
from declarations.models import Status, TransitDeclaration, UnsettledReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED,
        departed_at=timezone.now() - dt.timedelta(hours=5),
        arrived_at=timezone.now() - dt.timedelta(hours=2),
    )
    return TransitDeclaration.objects.get(pk=declaration.pk)


def test_the_reason_select_starts_blank_and_an_empty_reason_is_refused_beside_the_field(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[arrived.pk])).content.decode()
    select = page.split('name="record_unsettled-reason"', 1)[1].split("</select>", 1)[0]
    first = select.split("<option", 2)[1]
    assert 'value=""' in first and "selected" not in select.split("<option", 2)[2]
    response = client.post(
        reverse("declarations:action", args=[arrived.pk, "record_unsettled"]),
        {"record_unsettled-reason": "", "record_unsettled-note": ""},
    )
    assert response.status_code != 302
    assert "record_unsettled-reason" in response.content.decode()
    arrived.refresh_from_db()
    assert (arrived.status, arrived.unsettled_reason) == (Status.ARRIVED, "")


def test_the_api_requires_the_reason(client, arrived, dest_clerk, api_token_for):
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    response = client.post(
        reverse("api-declaration-record-reason", args=[arrived.pk]), {}, content_type="application/json", **headers
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    arrived.refresh_from_db()
    assert arrived.status == Status.ARRIVED


def _serials(response):
    html = response.content.decode()
    return {chunk.split('"', 1)[0] for chunk in html.split('data-serial="')[1:]}


def test_once_settled_the_reason_is_kept_as_history_not_shown_nor_filtered_as_current(client, arrived, dest_clerk):
    cache.clear()
    services.declaration_record_unsettled(declaration=arrived, by=dest_clerk, reason=UnsettledReason.DUPLICATE_WAYBILL)
    client.force_login(dest_clerk)
    detail = reverse("declarations:detail", args=[arrived.pk])
    listing = reverse("declarations:list")
    assert "Why not settled" in client.get(detail).content.decode()
    assert _serials(client.get(listing, {"reason": "duplicate_waybill"})) == {arrived.serial}

    services.declaration_settle(declaration=arrived, by=dest_clerk)
    arrived.refresh_from_db()
    assert arrived.unsettled_reason == UnsettledReason.DUPLICATE_WAYBILL  # evidence is not edited
    page = client.get(detail).content.decode()
    assert "Why not settled" not in page
    assert "Earlier reason not settled" in page and "no longer current" in page
    cache.clear()
    assert _serials(client.get(listing, {"reason": "duplicate_waybill", "status": "settled"})) == set()
    assert _serials(client.get(listing, {"reason": "duplicate_waybill"})) == set()
