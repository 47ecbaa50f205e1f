"""Every lifecycle transition, every illegal one, and who may make them."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from core.errors import IllegalTransition, InvalidInput, NotAllowed
from declarations import permits, services
from declarations.models import DeclarationEvent, Source, Status, TransitDeclaration, UnsettledReason
from declarations.services import TRANSITIONS
from tests.factories import ended_case

ACTIONS = {
    "depart": lambda d, u: services.declaration_depart(declaration=d, by=u),
    "confirm_arrival": lambda d, u: services.declaration_confirm_arrival(declaration=d, by=u),
    "settle": lambda d, u: services.declaration_settle(declaration=d, by=u),
    "record_unsettled": lambda d, u: services.declaration_record_unsettled(
        declaration=d, by=u, reason=UnsettledReason.SEAL_DISCREPANCY
    ),
    "cancel": lambda d, u: services.declaration_cancel(declaration=d, by=u, reason="duplicate entry"),
    "close": lambda d, u: services.declaration_close(declaration=d, by=u, remarks="court ruling 1404/123"),
}


def _put_in(declaration, status):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=status, departed_at=timezone.now() - dt.timedelta(hours=3)
    )
    declaration.refresh_from_db()


def test_it_walks_the_happy_path_and_records_who_and_when(declaration, origin_clerk, dest_clerk):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=2))
    assert declaration.status == Status.IN_TRANSIT
    assert declaration.deadline > declaration.departed_at
    assert declaration.status_changed_by == origin_clerk
    assert "رضا" in declaration.status_source_ref

    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk, seals_intact=True)
    assert declaration.status == Status.ARRIVED
    assert declaration.arrival.confirmed_by == dest_clerk

    services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert declaration.status == Status.SETTLED and declaration.settled_at
    kinds = list(DeclarationEvent.objects.filter(declaration=declaration).values_list("kind", flat=True))
    assert kinds == ["depart", "confirm_arrival", "settle"]
    # django-auditlog keeps the field-level trail with the actor.
    entries = LogEntry.objects.get_for_object(declaration)
    assert entries.filter(actor=dest_clerk).exists()


@pytest.mark.parametrize(
    "status,action",
    [(s, a) for a, (sources, _t) in TRANSITIONS.items() for s in Status.values if s not in sources],
)
def test_it_refuses_every_illegal_transition_and_changes_nothing(declaration, hq, status, action):
    _put_in(declaration, status)
    before = TransitDeclaration.objects.values().get(pk=declaration.pk)
    with pytest.raises(IllegalTransition) as exc:
        ACTIONS[action](declaration, hq)
    assert declaration.serial in str(exc.value)
    assert TransitDeclaration.objects.values().get(pk=declaration.pk) == before
    assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


@pytest.mark.parametrize(
    "action,start,end",
    [
        ("depart", Status.REGISTERED, Status.IN_TRANSIT),
        ("cancel", Status.REGISTERED, Status.CANCELLED),
        ("confirm_arrival", Status.IN_TRANSIT, Status.ARRIVED),
        ("settle", Status.ARRIVED, Status.SETTLED),
        ("settle", Status.UNSETTLED, Status.SETTLED),
        ("record_unsettled", Status.ARRIVED, Status.UNSETTLED),
        ("close", Status.UNSETTLED, Status.CLOSED),
        ("close", Status.IN_TRANSIT, Status.CLOSED),
    ],
)
def test_it_allows_every_legal_transition(declaration, hq, action, start, end):
    _put_in(declaration, start)
    if action == "close":  # after a judicial case, opened when overdue (or unsettled), that ended
        ended_case(declaration, hq)
    ACTIONS[action](declaration, hq)
    declaration.refresh_from_db()
    assert declaration.status == end
    assert DeclarationEvent.objects.exclude(kind="case_opened").get(declaration=declaration).kind == action


def test_the_destination_may_not_depart_and_the_origin_may_not_confirm(declaration, origin_clerk, dest_clerk):
    with pytest.raises(NotAllowed):
        services.declaration_depart(declaration=declaration, by=dest_clerk)
    services.declaration_depart(declaration=declaration, by=origin_clerk)
    with pytest.raises(NotAllowed):
        services.declaration_confirm_arrival(declaration=declaration, by=origin_clerk)
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.IN_TRANSIT


def test_an_outside_arrival_needs_its_evidence(declaration, hq):
    _put_in(declaration, Status.IN_TRANSIT)
    with pytest.raises(InvalidInput) as exc:
        services.declaration_confirm_arrival(declaration=declaration, by=hq, source=Source.OUTSIDE)
    assert "evidence" in exc.value.fields
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.IN_TRANSIT


def test_reason_other_needs_text(declaration, hq):
    _put_in(declaration, Status.ARRIVED)
    with pytest.raises(InvalidInput):
        services.declaration_record_unsettled(declaration=declaration, by=hq, reason="other")
    services.declaration_record_unsettled(declaration=declaration, by=hq, reason="other", note="driver absconded")
    assert declaration.unsettled_note == "driver absconded"


def test_overdue_is_derived_from_deadline_and_status(declaration, hq):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(declared_at=timezone.now() - dt.timedelta(days=11))
    declaration.refresh_from_db()
    services.declaration_depart(declaration=declaration, by=hq, at=timezone.now() - dt.timedelta(days=10))
    assert TransitDeclaration.objects.overdue().filter(pk=declaration.pk).exists()
    services.declaration_extend_deadline(
        declaration=declaration, by=hq, new_deadline=timezone.now() + dt.timedelta(days=1), reason="road closed by snow"
    )
    assert not TransitDeclaration.objects.overdue().filter(pk=declaration.pk).exists()
    assert declaration.extensions.get().reason == "road closed by snow"


def test_a_foreign_truck_past_its_permit_is_a_signal_until_it_exits(bazargan, tehran, hq):
    from declarations.monitoring import filter_signal
    from tests.factories import DeclarationFactory, VehicleFactory

    truck = VehicleFactory(plate="34ABC123", country="TR")
    d = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        vehicle=truck,
        vehicle_country="TR",
        declared_at=timezone.now() - dt.timedelta(days=9),
    )
    services.declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(days=8))  # ICS says so
    permit = permits.traffic_permit_record(
        declaration=d,
        permit_no="P-1",
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=120,
        issued_at=timezone.now() - dt.timedelta(days=8),
    )
    assert filter_signal(TransitDeclaration.objects.all(), "permit_expired").filter(pk=d.pk).exists()
    permits.traffic_permit_exit(permit=permit, at=timezone.now())
    assert not filter_signal(TransitDeclaration.objects.all(), "permit_expired").filter(pk=d.pk).exists()


def test_an_iranian_truck_has_no_traffic_permit(declaration, bazargan, tehran):
    with pytest.raises(InvalidInput):
        permits.traffic_permit_record(
            declaration=declaration,
            permit_no="P-2",
            entry_office=bazargan,
            exit_office=tehran,
            allowed_hours=10,
            issued_at=timezone.now(),
        )


@pytest.mark.persian
def test_a_move_dated_in_the_future_is_refused_naming_the_time_in_jalali(declaration, origin_clerk):
    at = timezone.now() + dt.timedelta(days=30)

    with pytest.raises(InvalidInput) as refused:
        services.declaration_depart(declaration=declaration, by=origin_clerk, at=at)

    from core.dates import format_jalali

    assert str(refused.value).startswith(f"زمان خروج از مبدأ ({format_jalali(at)}) در آینده است؛ اکنون ")
    assert "+03:30" not in str(refused.value)  # not 2027-01-04 10:00:00+03:30
    declaration.refresh_from_db()
    assert declaration.status == Status.REGISTERED
