"""The ICS import follows the lifecycle's rules as the pages do: a row reporting a declaration arrived, settled
or unsettled needs the time it left (``departed_at``) when we hold no departure, and its arrival is no sooner
after it than the route's shortest trip; a new row past registration is walked through the services (each
move's checks: times, settlement blocks), all of it or nothing. It was stored departed, arrived and settled
in one minute."""

import pytest
from django.utils import timezone

from accounts.models import CustomsOffice
from accounts.offices_data import ensure_offices
from declarations.importer import import_file
from declarations.models import DeclarationEvent, RoadDistance, Status, TransitDeclaration

from .test_importer import row, to_csv

LEFT = "1404/05/12 12:00"
SETTLED = "1404/05/14 09:00"


@pytest.fixture
def offices(db):
    return ensure_offices()


@pytest.fixture(autouse=True)
def _road(offices):  # 895 km: no truck makes it in less than 11 hours (80 km/h)
    office = CustomsOffice.objects.get
    RoadDistance.objects.create(office_a=office(code="BZG"), office_b=office(code="THR"), km=895)


def _kinds(serial):
    d = TransitDeclaration.objects.get(serial=serial)
    return list(DeclarationEvent.objects.filter(declaration=d).order_by("id").values_list("kind", flat=True))


def test_a_new_row_settled_without_its_departure_time_is_refused_naming_the_column(offices):
    s = import_file(to_csv([row(status="settled", departed_at="")]), "ics.csv")
    assert s.created == 0
    assert [(e.row, e.field) for e in s.rejected] == [(2, "departed_at")]
    assert "departure" in s.rejected[0].message
    assert not TransitDeclaration.objects.exists()


def test_a_new_row_settled_sooner_than_the_trip_is_refused_naming_the_status_time(offices):
    s = import_file(to_csv([row(status="settled", departed_at=LEFT, status_at="1404/05/12 22:00")]), "ics.csv")
    assert s.created == 0
    assert [(e.row, e.field) for e in s.rejected] == [(2, "status_at")]
    assert "no truck makes this trip in less than" in s.rejected[0].message
    assert not TransitDeclaration.objects.exists()


def test_a_new_row_settled_with_its_times_is_walked_through_the_services(offices):
    s = import_file(to_csv([row(status="settled", departed_at=LEFT, status_at=SETTLED)]), "ics.csv")
    assert (s.created, s.rejected) == (1, [])
    d = TransitDeclaration.objects.get()
    assert d.status == Status.SETTLED
    assert d.departed_at < d.arrived_at == d.settled_at
    assert timezone.localtime(d.departed_at).hour == 12
    assert _kinds(d.serial) == ["import", "depart", "confirm_arrival", "settle"]


def test_a_new_row_settled_while_a_settlement_block_stands_is_refused_whole(offices):
    import_file(to_csv([row()]), "a.csv")  # the same waybill on another declaration: a block
    s = import_file(
        to_csv([row(serial="T140400000002", status="settled", departed_at=LEFT, status_at=SETTLED)]), "b.csv"
    )
    assert s.created == 0 and [(e.row, e.field) for e in s.rejected] == [(2, "status")]
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T140400000001"]


def test_a_held_registered_declaration_reported_settled_needs_its_departure_time(offices):
    import_file(to_csv([row()]), "a.csv")
    s = import_file(to_csv([row(status="settled", departed_at="", status_at=SETTLED)]), "b.csv")
    assert s.updated == 0 and [(e.row, e.field) for e in s.rejected] == [(2, "departed_at")]
    assert TransitDeclaration.objects.get().status == Status.REGISTERED
    s = import_file(to_csv([row(status="settled", departed_at=LEFT, status_at=SETTLED)]), "c.csv")
    assert s.updated == 1 and TransitDeclaration.objects.get().status == Status.SETTLED


def test_a_held_departure_reported_arrived_too_soon_is_a_refused_row_not_an_exception(offices):
    import_file(to_csv([row(status="in_transit", status_at=LEFT)]), "a.csv")
    s = import_file(to_csv([row(status="arrived", status_at="1404/05/12 22:00")]), "b.csv")
    assert s.updated == 0 and s.exceptions == []
    assert [(e.row, e.field) for e in s.rejected] == [(2, "status_at")]
    assert TransitDeclaration.objects.get().status == Status.IN_TRANSIT
