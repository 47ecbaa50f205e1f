"""The monthly return's foreign-truck section: permits issued, expired with the truck inside, off the
route, beyond the driving time, unexplained stops, stopped at the gate, let through on a waiver —
each counted in the month it happened, for the province of the declaration's origin."""

import datetime as dt

import pytest

from core.dates import jalali_month_bounds
from declarations.models import DeclarationEvent, PermitWaiver, TrafficPermit
from reports import exports, returns
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db
S, E = jalali_month_bounds(1404, 5)
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


def permit(d, no, issued, hours, **kw):
    return TrafficPermit.objects.create(
        permit_no=no,
        vehicle=d.vehicle,
        declaration=d,
        entry_office=d.origin,
        exit_office=d.destination,
        allowed_hours=hours,
        issued_at=issued,
        **kw,
    )


def test_the_foreign_truck_figures_of_a_month(bazargan, tehran, sarakhs, west_az, hq):
    def truck(origin=bazargan):
        return DeclarationFactory(
            origin=origin, destination=tehran, vehicle=VehicleFactory(country="TR"), vehicle_country="TR"
        )

    permit(truck(), "IN-1", S + DAY, 48, exited_at=S + 2 * DAY)  # issued, left in time
    permit(truck(), "IN-2", S + 3 * DAY, 24, off_route_at=S + 3 * DAY + 5 * HOUR)  # expired inside, off route
    permit(truck(), "BEFORE", S - 3 * DAY, 96, overdrive_at=S + HOUR)  # expired in the month, driving time
    permit(truck(), "LATE-EXIT", S - 10 * DAY, 24, exited_at=S - 5 * DAY, gap_at=S - 9 * DAY)  # all before
    permit(truck(), "AFTER", E + DAY, 24)  # next month
    permit(truck(sarakhs), "KHR", S + DAY, 24, gap_at=S + 2 * DAY)  # another province
    stopped = truck()
    for at in (S + DAY, S + 2 * DAY):  # stopped twice: one truck
        DeclarationEvent.objects.create(declaration=stopped, kind="permit_gate_stop", at=at, message="no permit")
    waiver = PermitWaiver.objects.create(declaration=stopped, by=hq, reason="permit office closed for the holiday")
    PermitWaiver.objects.filter(pk=waiver.pk).update(at=S + 2 * DAY)  # recorded in that month

    figures = returns.build_figures(1404, 5, west_az)
    assert figures["foreign_trucks"] == {
        "permits_issued": 2,
        "permits_expired": 2,
        "off_route": 1,
        "over_driving_time": 1,
        "unexplained_stop": 0,
        "stopped_at_gate": 1,
        "departed_on_waiver": 1,
    }
    assert figures["offices"]["BZG"]["foreign_trucks"]["permits_issued"] == 2
    national = returns.build_figures(1404, 5)["foreign_trucks"]
    assert national["permits_issued"] == 3 and national["unexplained_stop"] == 1
    rows = {(section, key): value for section, key, _label, value in exports.summary_rows(figures)}
    assert rows[("foreign_trucks", "over_driving_time")] == 1
