"""Cancel, close and extend the deadline, each with a reason: a form on the declaration page and an API
action, offered only to who may do it, audited, and refused with the error beside the field."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import date_example, format_jalali
from declarations import services
from declarations.models import DeadlineExtension, DeclarationEvent, Source, Status
from tests.factories import ended_case

pytestmark = pytest.mark.django_db


def _act(d, action):
    return reverse("declarations:action", args=[d.pk, action])


def _page(client, d) -> str:
    return client.get(reverse("declarations:detail", args=[d.pk])).content.decode()


def _beside(html: str, action: str, name: str) -> str:
    form = html.split(f'data-action="{action}"', 1)[1].split("</form>", 1)[0]
    return form.split(f'name="{action}-{name}"', 1)[1].split('<div class="mb-2">', 1)[0]


@pytest.fixture
def in_transit(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def test_the_origin_cancels_with_a_reason_and_nobody_else_is_offered_it(client, origin_clerk, dest_clerk, declaration):
    client.force_login(dest_clerk)
    assert 'data-action="cancel"' not in _page(client, declaration)
    assert client.post(_act(declaration, "cancel"), {"cancel-reason": "typo"}).status_code == 403
    client.force_login(origin_clerk)
    assert 'data-action="cancel"' in _page(client, declaration)
    response = client.post(_act(declaration, "cancel"), {"cancel-reason": "  "})
    assert response.status_code == 400 and "invalid-feedback" in _beside(response.content.decode(), "cancel", "reason")
    declaration.refresh_from_db()
    assert declaration.status == Status.REGISTERED
    response = client.post(_act(declaration, "cancel"), {"cancel-reason": "entered twice in ICS"})
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == Status.CANCELLED and declaration.cancelled_at is not None
    event = DeclarationEvent.objects.get(declaration=declaration, kind="cancel")
    assert event.message == "entered twice in ICS" and event.actor == origin_clerk
    assert LogEntry.objects.get_for_object(declaration).filter(actor=origin_clerk).exists()


def test_the_provinces_inspector_closes_with_remarks(client, inspector, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    assert 'data-action="close"' not in _page(client, in_transit)
    assert client.post(_act(in_transit, "close"), {"close-remarks": "court ruled"}).status_code == 403
    client.force_login(inspector)
    ended_case(in_transit, inspector)  # closed after a judicial case that ended
    response = client.post(_act(in_transit, "close"), {"close-remarks": ""})
    assert response.status_code == 400 and "invalid-feedback" in _beside(response.content.decode(), "close", "remarks")
    assert client.post(_act(in_transit, "close"), {"close-remarks": "ruling 1404/123"}).status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.status == Status.CLOSED
    assert DeclarationEvent.objects.get(declaration=in_transit, kind="close").actor == inspector


def test_the_origin_extends_the_deadline_later_with_a_reason(client, origin_clerk, dest_clerk, in_transit):
    old = in_transit.deadline
    earlier = format_jalali(old - dt.timedelta(days=1), persian=False)
    later_at = (old + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    later = format_jalali(later_at, persian=False)
    client.force_login(dest_clerk)
    assert 'data-action="extend_deadline"' not in _page(client, in_transit)
    data = {"extend_deadline-new_deadline": later, "extend_deadline-reason": "snow closed the pass"}
    assert client.post(_act(in_transit, "extend_deadline"), data).status_code == 403
    client.force_login(origin_clerk)
    response = client.post(
        _act(in_transit, "extend_deadline"),
        {"extend_deadline-new_deadline": earlier, "extend_deadline-reason": "snow on the pass"},
    )
    assert response.status_code == 400
    assert "later than the current" in _beside(response.content.decode(), "extend_deadline", "new_deadline")
    response = client.post(_act(in_transit, "extend_deadline"), {"extend_deadline-new_deadline": "tomorrow"})
    html = response.content.decode()
    assert response.status_code == 400 and "invalid-feedback" in _beside(html, "extend_deadline", "reason")
    assert date_example() in _beside(html, "extend_deadline", "new_deadline")  # how to write it
    in_transit.refresh_from_db()
    assert in_transit.deadline == old and not DeadlineExtension.objects.exists()
    assert client.post(_act(in_transit, "extend_deadline"), data).status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.deadline == later_at
    ext = DeadlineExtension.objects.get()
    assert ext.old_deadline == old and ext.by == origin_clerk and ext.reason == "snow closed the pass"
    assert DeclarationEvent.objects.get(declaration=in_transit, kind="extend_deadline").actor == origin_clerk


def test_the_service_refuses_an_extension_by_the_destination(dest_clerk, in_transit):
    with pytest.raises(services.NotAllowed):
        services.declaration_extend_deadline(
            declaration=in_transit, by=dest_clerk, new_deadline=in_transit.deadline + dt.timedelta(days=1), reason="x"
        )


def test_the_api_actions(origin_clerk, dest_clerk, inspector, declaration, in_transit):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{in_transit.pk}/"
    new = (in_transit.deadline + dt.timedelta(days=1)).isoformat()
    assert api.post(url + "extend-deadline/", {"new_deadline": new, "reason": "x"}, format="json").status_code == 403
    api.force_authenticate(origin_clerk)
    response = api.post(url + "extend-deadline/", {"new_deadline": new}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
    # A reason that says nothing is refused as the page refuses it, naming the field; nothing is written.
    response = api.post(url + "extend-deadline/", {"new_deadline": new, "reason": "- ok -"}, format="json")
    assert response.status_code == 400
    assert "at least 10 letters or digits" in response.json()["error"]["fields"]["reason"][0]
    assert not DeadlineExtension.objects.exists()
    body = api.post(url + "extend-deadline/", {"new_deadline": new, "reason": "border closed"}, format="json").json()
    assert body["deadline"] is not None and DeadlineExtension.objects.get().reason == "border closed"
    response = api.post(url + "cancel/", {"reason": "wrong"}, format="json")
    assert response.status_code == 409  # in transit: too late to cancel
    api.force_authenticate(inspector)
    assert api.post(url + "close/", {}, format="json").status_code == 400
    assert api.post(url + "close/", {"remarks": "case ended"}, format="json").status_code == 409  # no case
    ended_case(in_transit, inspector)
    response = api.post(url + "close/", {"remarks": "done."}, format="json")
    assert response.status_code == 400 and "remarks" in response.json()["error"]["fields"]
    body = api.post(url + "close/", {"remarks": "case ended"}, format="json").json()
    assert body["status"] == "closed" and body["status_source"] == Source.API


def test_an_extension_refused_is_told_once_beside_the_field_and_a_gregorian_date_is_refused(
    client, origin_clerk, in_transit
):
    client.force_login(origin_clerk)
    earlier = format_jalali(in_transit.deadline - dt.timedelta(days=1), persian=False)
    data = {"extend_deadline-new_deadline": earlier, "extend_deadline-reason": "snow closed the pass"}
    html = client.post(_act(in_transit, "extend_deadline"), data).content.decode()
    form = html.split('data-action="extend_deadline"', 1)[1].split("</form>", 1)[0]
    assert form.count("The new deadline must be later than the current one.") == 1
    assert "must be later than the current one" in _beside(html, "extend_deadline", "new_deadline")
    data["extend_deadline-new_deadline"] = "2026-12-01 10:00"
    response = client.post(_act(in_transit, "extend_deadline"), data)
    assert response.status_code == 400
    assert "is a Gregorian date: enter the Jalali date" in _beside(
        response.content.decode(), "extend_deadline", "new_deadline"
    )
    assert not DeadlineExtension.objects.exists()


def test_ics_reporting_a_cancellation_keeps_its_own_words(declaration, bazargan):
    """An integration account reports what was done in ICS: its short reason is recorded as it came, where a
    person's would be refused."""
    from accounts.models import Role
    from tests.factories import UserFactory

    ics = UserFactory(username="ics_bzg", role=Role.INTEGRATION, office=bazargan)
    services.declaration_cancel(declaration=declaration, by=ics, reason="لغو")
    declaration.refresh_from_db()
    assert declaration.status == Status.CANCELLED
    assert DeclarationEvent.objects.filter(declaration=declaration, kind="cancel").get().message == "لغو"
