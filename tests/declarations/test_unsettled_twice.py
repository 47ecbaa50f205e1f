"""«Record why it cannot be settled» submitted twice on a declaration already unsettled went through again and
put a second, identical event on the timeline. The same reason with the same words is now refused (409, saying
it is already recorded and how to correct it); another reason, or other words, is a correction: a new record,
the first kept on the timeline."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import IllegalTransition
from declarations import services
from declarations.models import DeclarationEvent, Status, TransitDeclaration, UnsettledReason

pytestmark = pytest.mark.django_db

SEALS = {"record_unsettled-reason": UnsettledReason.SEAL_DISCREPANCY, "record_unsettled-note": "پلمپ‌ها شکسته"}


@pytest.fixture
def arrived(declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED,
        departed_at=timezone.now() - dt.timedelta(hours=5),
        arrived_at=timezone.now() - dt.timedelta(hours=2),
    )
    return TransitDeclaration.objects.get(pk=declaration.pk)


def _events(declaration) -> list[str]:
    return list(
        DeclarationEvent.objects.filter(declaration=declaration, kind="record_unsettled")
        .order_by("id")
        .values_list("data__reason", flat=True)
    )


def test_the_same_reason_submitted_twice_is_refused_and_the_timeline_keeps_one(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[arrived.pk, "record_unsettled"])
    assert client.post(url, SEALS).status_code == 302
    again = client.post(url, SEALS)
    assert again.status_code == 409
    assert "already recorded unsettled for this reason" in again.content.decode()
    assert _events(arrived) == [UnsettledReason.SEAL_DISCREPANCY]


def test_another_reason_is_a_correction_and_the_first_stays_on_the_timeline(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[arrived.pk, "record_unsettled"])
    client.post(url, SEALS)
    other = {"record_unsettled-reason": UnsettledReason.QUANTITY_DISCREPANCY, "record_unsettled-note": "۱۲۰۰٫۵ کیلو"}
    assert client.post(url, other).status_code == 302
    arrived.refresh_from_db()
    assert arrived.status == Status.UNSETTLED and arrived.unsettled_reason == UnsettledReason.QUANTITY_DISCREPANCY
    assert _events(arrived) == [UnsettledReason.SEAL_DISCREPANCY, UnsettledReason.QUANTITY_DISCREPANCY]
    # Other words for the same reason correct it too.
    services.declaration_record_unsettled(
        declaration=arrived, by=dest_clerk, reason=UnsettledReason.QUANTITY_DISCREPANCY, note="وزن دوباره کشیده شد"
    )
    assert len(_events(arrived)) == 3


def test_the_api_refuses_the_same_reason_again(client, arrived, dest_clerk, api_token_for):
    headers = {"HTTP_AUTHORIZATION": f"Token {api_token_for(dest_clerk)}"}
    url = reverse("api-declaration-record-reason", args=[arrived.pk])
    body = {"reason": UnsettledReason.DUPLICATE_WAYBILL, "note": ""}
    assert client.post(url, body, content_type="application/json", **headers).status_code == 200
    again = client.post(url, body, content_type="application/json", **headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert len(_events(arrived)) == 1
    with pytest.raises(IllegalTransition):
        services.declaration_record_unsettled(declaration=arrived, by=dest_clerk, reason="duplicate_waybill")


@pytest.mark.persian
def test_the_refusal_reads_in_persian(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[arrived.pk, "record_unsettled"])
    client.post(url, SEALS)
    page = client.post(url, SEALS).content.decode()
    assert "پیش‌تر با همین علت" in page
