"""The reason a declaration cannot be settled is always chosen by someone: the page's select starts blank
and an empty choice is refused beside the field, the API requires it, an import row marked unsettled must
carry it; once settled, the page and the list filter no longer present it as the current reason."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.models import Status, TransitDeclaration

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
