"""A declaration's times keep its life in order, whoever records them (page, API, import): none more
than the clock skew in the future, and declared ≤ departed ≤ arrived ≤ reason recorded ≤ settled or
closed. A time out of order is refused naming its field and the time it must follow; nothing is written."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.dates import datetime_example, format_jalali, parse_datetime_any
from core.errors import InvalidInput
from declarations import services
from declarations.models import DeclarationEvent, Status, TransitDeclaration, UnsettledReason

LONG_AGO = "1300/01/01 10:00"  # the tester's: stored, the API served it as 1921-03-21T10:00:00+03:25:44


def _at(hours_ago: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours_ago)


@pytest.fixture
def in_transit(declaration, origin_clerk):  # declared two days ago
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_at(30))
    declaration.refresh_from_db()
    return declaration


@pytest.fixture
def arrived(in_transit, dest_clerk):
    services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk, at=_at(3))
    in_transit.refresh_from_db()
    return in_transit


def _unchanged(declaration, status, events):
    stored = TransitDeclaration.objects.get(pk=declaration.pk)
    assert stored.status == status
    assert DeclarationEvent.objects.filter(declaration=declaration).count() == events
    return stored


# --- the service: one check for every move ------------------------------------------------------


def test_a_departure_before_the_declaration_is_refused(declaration, origin_clerk):
    at = declaration.declared_at - dt.timedelta(hours=1)
    with pytest.raises(InvalidInput) as refused:
        services.declaration_depart(declaration=declaration, by=origin_clerk, at=at)
    assert str(refused.value) == (
        f"The departure time ({format_jalali(at, persian=False)}) cannot be before the declaration time "
        f"({format_jalali(declaration.declared_at, persian=False)})."
    )
    assert refused.value.fields == {"at": "before declared_at"}
    stored = _unchanged(declaration, Status.REGISTERED, 0)
    assert stored.departed_at is None and stored.deadline is None


def test_an_arrival_before_the_departure_is_refused(in_transit, dest_clerk):
    at = in_transit.departed_at - dt.timedelta(minutes=1)
    with pytest.raises(InvalidInput) as refused:
        services.declaration_confirm_arrival(declaration=in_transit, by=dest_clerk, at=at)
    assert "cannot be before the departure time" in str(refused.value)
    assert refused.value.fields == {"at": "before departed_at"}
    assert _unchanged(in_transit, Status.IN_TRANSIT, 1).arrived_at is None
    assert not hasattr(TransitDeclaration.objects.get(pk=in_transit.pk), "arrival")


def test_a_settlement_before_the_arrival_is_refused(arrived, dest_clerk):
    at = parse_datetime_any(LONG_AGO)
    with pytest.raises(InvalidInput) as refused:
        services.declaration_settle(declaration=arrived, by=dest_clerk, at=at)
    assert str(refused.value) == (
        f"The settlement time (1300/01/01 10:00) cannot be before the arrival time "
        f"({format_jalali(arrived.arrived_at, persian=False)})."
    )
    assert _unchanged(arrived, Status.ARRIVED, 2).settled_at is None


def test_a_settlement_follows_the_reason_recorded_and_a_closing_too(arrived, dest_clerk, hq):
    services.declaration_record_unsettled(
        declaration=arrived, by=dest_clerk, reason=UnsettledReason.DUPLICATE_WAYBILL, at=_at(1)
    )
    with pytest.raises(InvalidInput) as refused:
        services.declaration_settle(declaration=arrived, by=dest_clerk, at=_at(2))
    assert "cannot be before the time the reason for not settling was recorded" in str(refused.value)
    with pytest.raises(InvalidInput):
        services.declaration_close(declaration=arrived, by=hq, remarks="court ruling", at=_at(2))
    with pytest.raises(InvalidInput):  # recorded again: not before the first
        services.declaration_record_unsettled(
            declaration=arrived, by=dest_clerk, reason=UnsettledReason.OTHER, note="seen again", at=_at(2)
        )
    _unchanged(arrived, Status.UNSETTLED, 3)
    services.declaration_settle(declaration=arrived, by=dest_clerk, at=_at(0.5))
    assert TransitDeclaration.objects.get(pk=arrived.pk).status == Status.SETTLED


def test_a_reason_before_the_arrival_and_a_cancel_before_the_declaration_are_refused(
    arrived, declaration, dest_clerk, origin_clerk, bazargan, tehran
):
    with pytest.raises(InvalidInput) as refused:
        services.declaration_record_unsettled(
            declaration=arrived, by=dest_clerk, reason=UnsettledReason.DUPLICATE_WAYBILL, at=_at(4)
        )
    assert "cannot be before the arrival time" in str(refused.value)
    from tests.factories import DeclarationFactory

    registered = DeclarationFactory(origin=bazargan, destination=tehran)
    with pytest.raises(InvalidInput) as refused:
        services.declaration_cancel(declaration=registered, by=origin_clerk, reason="typed twice", at=_at(72))
    assert "The cancellation time" in str(refused.value)
    _unchanged(registered, Status.REGISTERED, 0)


def test_a_new_deadline_before_the_declaration_is_refused(declaration, origin_clerk):
    """A declaration not yet departed has no deadline to be later than: it still follows the declaration."""
    with pytest.raises(InvalidInput) as refused:
        services.declaration_extend_deadline(
            declaration=declaration, by=origin_clerk, new_deadline=parse_datetime_any(LONG_AGO), reason="snow"
        )
    assert "The new deadline (1300/01/01 10:00) cannot be before the declaration time" in str(refused.value)
    assert refused.value.fields == {"new_deadline": "before declared_at"}
    stored = TransitDeclaration.objects.get(pk=declaration.pk)
    assert stored.deadline is None and not stored.extensions.exists()


@pytest.mark.parametrize("action", ["depart", "confirm_arrival", "settle"])
def test_a_move_more_than_the_clock_skew_ahead_is_refused_and_less_is_not(
    declaration, origin_clerk, dest_clerk, action
):
    if action != "depart":
        services.declaration_depart(declaration=declaration, by=origin_clerk, at=_at(5))
    if action == "settle":
        services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, at=_at(4))
    move = {
        "depart": lambda at: services.declaration_depart(declaration=declaration, by=origin_clerk, at=at),
        "confirm_arrival": lambda at: services.declaration_confirm_arrival(
            declaration=declaration, by=dest_clerk, at=at
        ),
        "settle": lambda at: services.declaration_settle(declaration=declaration, by=dest_clerk, at=at),
    }[action]
    with pytest.raises(InvalidInput) as refused:
        move(_at(-4))  # hours ahead: the tester's ۰۸:۳۰ typed at ۰۴:۳۵
    assert "is in the future: it is now" in str(refused.value) and refused.value.fields == {"at": "in the future"}
    move(_at(-4 / 60))  # four minutes: a watch running fast
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == services.TRANSITIONS[action][1]


def test_one_time_for_every_move_is_in_order(declaration, hq):
    """ICS reports a declaration settled at one time: it departed, arrived and settled then (the import)."""
    at = declaration.declared_at
    services.declaration_depart(declaration=declaration, by=None, at=at)
    services.declaration_confirm_arrival(declaration=declaration, by=None, at=at, departed_with_it=True)
    services.declaration_settle(declaration=declaration, by=None, at=at)
    stored = TransitDeclaration.objects.get(pk=declaration.pk)
    assert stored.status == Status.SETTLED and stored.settled_at == at


@pytest.mark.persian
def test_the_refusal_reads_in_persian_with_jalali_in_persian_digits(arrived, dest_clerk):
    with pytest.raises(InvalidInput) as refused:
        services.declaration_settle(declaration=arrived, by=dest_clerk, at=parse_datetime_any(LONG_AGO))
    assert str(refused.value) == (
        f"زمان تسویه (۱۳۰۰/۰۱/۰۱ ۱۰:۰۰) نمی‌تواند پیش از زمان وصول ({format_jalali(arrived.arrived_at)}) باشد."
    )


# --- the page: beside the time ------------------------------------------------------------------


def _beside(html: str, name: str) -> str:
    """What the page shows from the input ``name`` to the next field."""
    return html.split(f'name="{name}"', 1)[1].split('<div class="mb-2', 1)[0]


def test_the_settle_form_refuses_a_time_before_the_arrival_beside_the_time(client, arrived, dest_clerk):
    client.force_login(dest_clerk)
    response = client.post(reverse("declarations:action", args=[arrived.pk, "settle"]), {"settle-at": LONG_AGO})
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "settle-at")
    assert "The settlement time (1300/01/01 10:00) cannot be before the arrival time" in beside
    assert format_jalali(arrived.arrived_at, persian=False) in beside
    assert _unchanged(arrived, Status.ARRIVED, 2).settled_at is None


def test_the_departure_form_refuses_a_time_before_the_declaration(client, declaration, origin_clerk):
    client.force_login(origin_clerk)
    at = format_jalali(declaration.declared_at - dt.timedelta(hours=2), persian=False)
    response = client.post(reverse("declarations:action", args=[declaration.pk, "depart"]), {"depart-at": at})
    assert response.status_code == 400
    assert "cannot be before the declaration time" in _beside(response.content.decode(), "depart-at")
    _unchanged(declaration, Status.REGISTERED, 0)


# --- the API: a 400 naming the field ------------------------------------------------------------


def test_the_api_refuses_a_settlement_before_the_arrival_naming_at(arrived, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{arrived.pk}/settle/", {"at": "2020-01-01T10:00:00+03:30"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["at"]  # the field, with the sentence beside it
    assert "The settlement time (1398/10/11 10:00) cannot be before the arrival time" in error["fields"]["at"][0]
    assert "The settlement time (1398/10/11 10:00) cannot be before the arrival time" in error["message"]
    assert _unchanged(arrived, Status.ARRIVED, 2).settled_at is None


def test_the_api_refuses_a_year_no_client_can_read(arrived, dest_clerk):
    """The year 0120 (API fuzzing): the Jalali calendar has no such year, so it is quoted as sent."""
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{arrived.pk}/settle/", {"at": "0120-01-01T10:00:00Z"}, format="json")
    assert response.status_code == 400 and "at" in response.json()["error"]["fields"]
    _unchanged(arrived, Status.ARRIVED, 2)


def test_the_api_takes_arrival_and_settlement_times_in_jalali_as_declared_at(in_transit, dest_clerk):
    """They took ISO 8601 only («فرمت Datetime اشتباه است») while declared_at took Jalali."""
    api = APIClient()
    api.force_authenticate(dest_clerk)
    arrived_at, settled_at = _at(2).replace(second=0, microsecond=0), _at(1).replace(second=0, microsecond=0)
    body = {"at": format_jalali(arrived_at), "unseen_reason": "camera under repair"}  # Persian digits
    response = api.post(f"/api/declarations/{in_transit.pk}/confirm-arrival/", body, format="json")
    assert response.status_code == 200, response.json()
    at = format_jalali(settled_at, persian=False)
    response = api.post(f"/api/declarations/{in_transit.pk}/settle/", {"at": at}, format="json")
    assert response.status_code == 200, response.json()
    stored = TransitDeclaration.objects.get(pk=in_transit.pk)
    assert (stored.arrived_at, stored.settled_at) == (arrived_at, settled_at)


def test_the_api_names_a_time_it_cannot_read_with_the_form_it_takes(in_transit, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{in_transit.pk}/confirm-arrival/", {"at": "1405/13"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"at": [f"Enter a date and time like {datetime_example()}."]}
    response = api.post(f"/api/declarations/{in_transit.pk}/confirm-arrival/", {"at": "1405/13/40"}, format="json")
    assert response.json()["error"]["fields"] == {"at": ["1405/13/40 is not a Jalali date: there is no such day."]}
    _unchanged(in_transit, Status.IN_TRANSIT, 1)


def test_the_api_takes_a_new_deadline_in_jalali(in_transit, origin_clerk):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    later = (in_transit.deadline + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    body = {"new_deadline": format_jalali(later), "reason": "road closed by snow"}
    response = api.post(f"/api/declarations/{in_transit.pk}/extend-deadline/", body, format="json")
    assert response.status_code == 200, response.json()
    assert TransitDeclaration.objects.get(pk=in_transit.pk).deadline == later


def test_a_declaration_stored_with_a_future_declaration_time_moves_now_not_when_that_time_comes(
    declaration, origin_clerk
):
    """Up to a day ahead was once taken from an import: such a declaration could not depart (nor be cancelled)
    until its stored declaration time passed, the truck held at the gate for a clock's slip. It was declared,
    at the latest, when it was recorded here: a move follows that moment; the stored time is kept as it was."""
    ahead = timezone.now() + dt.timedelta(hours=20)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(declared_at=ahead, created_at=_at(1))
    recorded = TransitDeclaration.objects.get(pk=declaration.pk).created_at
    api = APIClient()
    api.force_authenticate(origin_clerk)
    before = api.post(
        f"/api/declarations/{declaration.pk}/depart/", {"at": (recorded - dt.timedelta(hours=2)).isoformat()}
    )
    assert before.status_code == 400 and list(before.json()["error"]["fields"]) == ["at"]  # still in order
    response = api.post(f"/api/declarations/{declaration.pk}/depart/", {})
    assert response.status_code == 200, response.content
    stored = TransitDeclaration.objects.get(pk=declaration.pk)
    assert stored.status == Status.IN_TRANSIT and stored.declared_at == ahead
    assert DeclarationEvent.objects.filter(declaration=declaration, kind="depart").exists()


# --- an arrival the trip cannot have made --------------------------------------------------------


@pytest.fixture
def just_departed(declaration, origin_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_at(5 / 60))
    declaration.refresh_from_db()
    return declaration


def test_the_api_refuses_an_arrival_moments_after_the_departure_naming_both_times(
    declaration, origin_clerk, dest_clerk
):
    """The walk: depart then confirm-arrival through the API, 50 ms apart, Bazargan to Bushehr: both 200."""
    api = APIClient()
    api.force_authenticate(origin_clerk)
    assert api.post(f"/api/declarations/{declaration.pk}/depart/", {}, format="json").status_code == 200
    api.force_authenticate(dest_clerk)
    response = api.post(f"/api/declarations/{declaration.pk}/confirm-arrival/", {}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    # The time first; with it, every other problem of the request (here: no reason given for a truck unseen).
    assert list(error["fields"]) == ["at", "unseen_reason"]
    departed = TransitDeclaration.objects.get(pk=declaration.pk).departed_at
    assert (
        f"is too soon after the departure time ({format_jalali(departed, persian=False)})" in error["fields"]["at"][0]
    )
    assert "no truck makes this trip in less than 30 minutes" in error["message"]
    assert _unchanged(declaration, Status.IN_TRANSIT, 1).arrived_at is None


def test_the_arrival_form_refuses_it_beside_the_time_and_takes_it_once_the_trip_can_be_made(
    client, just_departed, dest_clerk
):
    client.force_login(dest_clerk)
    url = reverse("declarations:action", args=[just_departed.pk, "confirm_arrival"])
    reason = {"confirm_arrival-unseen_reason": "camera under repair", "confirm_arrival-seals_intact": "intact"}
    response = client.post(url, {"confirm_arrival-at": format_jalali(_at(0), persian=False), **reason})
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "confirm_arrival-at")
    assert "is too soon after the departure time" in beside
    assert format_jalali(just_departed.departed_at, persian=False) in beside
    _unchanged(just_departed, Status.IN_TRANSIT, 1)
    from tests.factories import DeclarationFactory

    other = DeclarationFactory(origin=just_departed.origin, destination=just_departed.destination)
    services.declaration_depart(declaration=other, by=None, at=_at(1))  # an hour ago: the truck may be there
    url = reverse("declarations:action", args=[other.pk, "confirm_arrival"])
    response = client.post(url, {"confirm_arrival-at": format_jalali(_at(0), persian=False), **reason})
    assert response.status_code == 302
    assert TransitDeclaration.objects.get(pk=other.pk).status == Status.ARRIVED


@pytest.mark.persian
def test_a_long_road_needs_its_driving_time_and_the_refusal_reads_in_persian(declaration, origin_clerk, dest_clerk):
    """Where the pair has a road distance, the trip takes at least that driven at the fastest average."""
    from declarations.models import RoadDistance

    RoadDistance.objects.create(office_a=declaration.destination, office_b=declaration.origin, km=960)  # 12 h at 80
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=_at(13))
    departed = TransitDeclaration.objects.get(pk=declaration.pk).departed_at
    at = _at(2)
    with pytest.raises(InvalidInput) as refused:
        services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, at=at)
    assert str(refused.value) == (
        f"زمان وصول ({format_jalali(at)}) بسیار زود پس از زمان خروج از مبدأ ({format_jalali(departed)}) است: "
        "هیچ کامیونی این مسیر را در کمتر از ۱۲ ساعت نمی‌پیماید."
    )
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, at=_at(0.5))
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.ARRIVED
