"""The return's figures on a hand-built month, month edges in Tehran, and the reconciliation properties."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.dates import TEHRAN, jalali_month_bounds
from declarations.models import Status, TransitDeclaration, UnsettledReason
from reports import returns
from tests.factories import DeclarationFactory, VehicleFactory

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)  # Mordad 1404: 31 days


@pytest.fixture
def month(bazargan, tehran, sarakhs):
    """A hand-built Mordad 1404: each declaration named for the line it must land on."""

    def mk(declared, status, origin=bazargan, **kw):
        return DeclarationFactory(origin=origin, destination=tehran, declared_at=declared, status=status, **kw)

    return {
        "A_opening_settled_on_time": mk(
            S - 10 * DAY,
            Status.SETTLED,
            departed_at=S - 9 * DAY,
            arrived_at=S - 2 * DAY,
            deadline=S - DAY,
            settled_at=S + 5 * DAY,
        ),
        "B_unsettled_seal_47d": mk(
            S - 20 * DAY,
            Status.UNSETTLED,
            departed_at=S - 19 * DAY,
            arrived_at=S - 15 * DAY,
            deadline=S - 16 * DAY,
            unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
            unsettled_at=S - 10 * DAY,
        ),
        "C_new_settled_late": mk(
            S + DAY,
            Status.SETTLED,
            departed_at=S + DAY,
            deadline=S + 4 * DAY,
            arrived_at=S + 8 * DAY,
            settled_at=S + 10 * DAY,
        ),
        "D_new_cancelled": mk(S + 2 * DAY, Status.CANCELLED, cancelled_at=S + 3 * DAY),
        "E_new_overdue_3d": mk(S + 3 * DAY, Status.IN_TRANSIT, departed_at=S + 3 * DAY, deadline=E - 3 * DAY),
        "F_opening_closed_after_case": mk(
            S - 100 * DAY, Status.CLOSED, departed_at=S - 99 * DAY, closed_at=S + 6 * DAY
        ),
        "G_next_month": mk(E + DAY, Status.REGISTERED),
        "H_settled_before": mk(S - 30 * DAY, Status.SETTLED, arrived_at=S - 28 * DAY, settled_at=S - 5 * DAY),
        "I_awaiting_100d": mk(
            S - 200 * DAY, Status.ARRIVED, departed_at=S - 199 * DAY, deadline=E - 100 * DAY, arrived_at=E - 99 * DAY
        ),
        "J_not_departed": mk(S + 5 * DAY, Status.REGISTERED),
        "K_reason_after_end": mk(
            S - 5 * DAY,
            Status.UNSETTLED,
            departed_at=S - 4 * DAY,
            arrived_at=S - DAY,
            deadline=S + 2 * DAY,
            unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
            unsettled_at=E + 2 * DAY,
        ),
        "L_khorasan_new": mk(S + DAY, Status.REGISTERED, origin=sarakhs),
    }


def test_it_counts_a_hand_built_month_for_the_province(month, west_az):
    f = returns.balance(S, E, west_az)
    assert (f["opening"], f["new"], f["settled"], f["closed_after_case"], f["cancelled"], f["closing"]) == (
        5,
        4,
        2,
        1,
        1,
        5,
    )
    assert (f["settled_on_time"], f["settled_late"]) == (1, 1)
    assert f["opening"] + f["new"] - f["settled"] - f["closed_after_case"] - f["cancelled"] == f["closing"]
    reasons = {k: v for k, v in f["unsettled_by_reason"].items() if v}
    assert reasons == {"seal_discrepancy": 1, "overdue": 1, "awaiting_settlement": 2, "not_departed": 1}
    # the arrived ones aged at arrival (the deadline's clock stops there): B and I a day late, K in time
    assert f["unsettled_by_age"] == {
        "not_due": 2,
        "d0_7": 3,
        "d8_28": 0,
        "d29_40": 0,
        "over_40": 0,
        "over_90": 0,
    }


def test_it_lists_every_unsettled_serial_with_the_same_reasons(month, west_az):
    rows = list(returns.iter_unsettled(S, E, west_az))
    by_serial = {r["serial"]: r for r in rows}
    expected = {
        month[k].serial
        for k in ("B_unsettled_seal_47d", "E_new_overdue_3d", "I_awaiting_100d", "J_not_departed", "K_reason_after_end")
    }
    assert set(by_serial) == expected
    assert by_serial[month["B_unsettled_seal_47d"].serial]["reason"] == "seal_discrepancy"
    # arrived a day late (the deadline's clock stops at arrival), waiting since
    assert by_serial[month["B_unsettled_seal_47d"].serial]["days_past_deadline"] == 1
    assert by_serial[month["B_unsettled_seal_47d"].serial]["days_since_arrival"] == 46
    assert by_serial[month["K_reason_after_end"].serial]["reason"] == "awaiting_settlement"
    assert by_serial[month["K_reason_after_end"].serial]["days_past_deadline"] is None  # arrived in time
    assert by_serial[month["I_awaiting_100d"].serial]["days_past_deadline"] == 1
    assert by_serial[month["I_awaiting_100d"].serial]["days_since_arrival"] == 99
    assert by_serial[month["E_new_overdue_3d"].serial]["days_since_arrival"] is None


def test_it_rolls_up_the_nation_as_the_sum_of_provinces(month, west_az, khorasan, tehran_province):
    figures = returns.build_figures(1404, 5)
    assert (figures["opening"], figures["new"], figures["closing"]) == (5, 5, 6)
    parts = [returns.balance(S, E, p) for p in (west_az, khorasan, tehran_province)]
    for key in returns.BALANCE_KEYS:
        assert figures[key] == sum(p[key] for p in parts), key
    assert {p["province"]: p["closing"] for p in figures["provinces"]} == {"WAZ": 5, "KHR": 1}
    assert figures["unsettled_count"] == 6


@pytest.mark.parametrize(
    ("declared", "year", "month"),
    [
        (dt.datetime(2025, 7, 23, 0, 0, tzinfo=TEHRAN), 1404, 5),  # 1404/05/01 00:00 Tehran: first instant of Mordad
        (dt.datetime(2025, 7, 22, 23, 59, 59, tzinfo=TEHRAN), 1404, 4),  # last second of Tir
        (dt.datetime(2025, 7, 22, 20, 30, tzinfo=dt.UTC), 1404, 5),  # 00:00 Tehran, still 22 July in UTC
        (dt.datetime(2025, 3, 20, 23, 59, tzinfo=TEHRAN), 1403, 12),  # 1403/12/30: Esfand of a leap year
        (dt.datetime(2025, 3, 21, 0, 0, tzinfo=TEHRAN), 1404, 1),  # Nowruz 1404
        (dt.datetime(2026, 3, 20, 23, 0, tzinfo=TEHRAN), 1404, 12),  # 1404/12/29: Esfand of a common year ends
        (dt.datetime(2026, 3, 21, 0, 0, tzinfo=TEHRAN), 1405, 1),
    ],
)
def test_it_puts_a_declaration_in_the_right_jalali_month(bazargan, tehran, declared, year, month):
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=declared)
    start, end = jalali_month_bounds(year, month)
    assert returns.balance(start, end)["new"] == 1
    pstart, pend = jalali_month_bounds(*((year - 1, 12) if month == 1 else (year, month - 1)))
    assert returns.balance(pstart, pend)["new"] == 0
    assert returns.balance(start, end)["closing"] == 1


def test_it_knows_esfand_has_30_days_in_a_leap_year():
    start, end = jalali_month_bounds(1403, 12)
    assert (end - start).days == 30
    start, end = jalali_month_bounds(1404, 12)
    assert (end - start).days == 29


# --- property: the figures reconcile for any history ----------------------------------------

END_KINDS = ["none", "settled", "closed", "cancelled"]
history = st.lists(
    st.tuples(
        st.integers(min_value=-60, max_value=45),  # declared, days from the month start
        st.sampled_from(END_KINDS),
        st.integers(min_value=-5, max_value=80),  # end, days after declared (negative = bad data)
        st.integers(min_value=0, max_value=2),  # origin office index
        st.one_of(st.none(), st.integers(min_value=-10, max_value=40)),  # deadline, days after declared
        st.sampled_from(["", *UnsettledReason.values]),
    ),
    max_size=25,
)


def _oracle(rows, start, end):
    """The definitions of docs/monthly-return.md, in plain Python."""
    out = dict.fromkeys(["opening", "new", "settled", "closed_after_case", "cancelled", "closing"], 0)
    for declared, kind, ended in rows:
        eff = None if ended is None else max(ended, declared)
        out["opening"] += declared < start and (eff is None or eff >= start)
        out["new"] += start <= declared < end
        if eff is not None and start <= eff < end:
            out[{"closed": "closed_after_case"}.get(kind, kind)] += 1
        out["closing"] += declared < end and (eff is None or eff >= end)
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(rows=history)
@example(rows=[(0, "none", 0, 0, 31, "")])  # deadline exactly at the month's end (Mordad: 31 days)
def test_it_reconciles_any_history(rows, bazargan, tehran, sarakhs, west_az, khorasan, tehran_province):
    offices = [bazargan, tehran, sarakhs]
    with transaction.atomic():
        vehicle = VehicleFactory()
        objs, plain = [], []
        for i, (declared_d, kind, end_d, office_i, deadline_d, reason) in enumerate(rows):
            declared = S + declared_d * DAY + dt.timedelta(hours=i)
            ended = None if kind == "none" else declared + end_d * DAY
            origin = offices[office_i]
            objs.append(
                TransitDeclaration(
                    serial=f"H{i:05d}",
                    declared_at=declared,
                    origin=origin,
                    destination=tehran if origin != tehran else bazargan,
                    vehicle=vehicle,
                    status={"none": Status.UNSETTLED if reason else Status.IN_TRANSIT}.get(kind, kind),
                    settled_at=ended if kind == "settled" else None,
                    closed_at=ended if kind == "closed" else None,
                    cancelled_at=ended if kind == "cancelled" else None,
                    deadline=None if deadline_d is None else declared + deadline_d * DAY,
                    departed_at=declared,
                    unsettled_reason=reason,
                    unsettled_at=declared + DAY if reason else None,
                )
            )
            plain.append((declared, kind, ended))
        TransitDeclaration.objects.bulk_create(objs)
        national = returns.build_figures(1404, 5)
        provinces = [returns.balance(S, E, p) for p in (west_az, khorasan, tehran_province)]
        transaction.set_rollback(True)
    expected = _oracle(plain, S, E)
    assert {k: national[k] for k in expected} == expected
    outflow = national["settled"] + national["closed_after_case"] + national["cancelled"]
    assert national["opening"] + national["new"] - outflow == national["closing"]
    assert national["settled_on_time"] + national["settled_late"] == national["settled"]
    for key in returns.BALANCE_KEYS:
        assert national[key] == sum(p[key] for p in provinces), key
    assert sum(national["unsettled_by_reason"].values()) == national["closing"]
    ages = national["unsettled_by_age"]
    assert sum(v for k, v in ages.items() if k != "over_90") == national["closing"]
    assert ages["over_90"] <= ages["over_40"]


@given(st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)))
def test_it_formats_export_dates_as_the_tehran_jalali_day(value):
    from core.dates import format_jalali
    from reports.labels import jday

    assert jday(value) == format_jalali(value, with_time=False, persian=False)


# --- the age edges: one rule for "past its deadline" ----------------------------------------


@pytest.fixture
def edges(bazargan, tehran):
    """In-transit declarations whose deadlines sit exactly on the edges of the age buckets."""

    def mk(serial, deadline):
        return DeclarationFactory(
            serial=serial,
            origin=bazargan,
            destination=tehran,
            declared_at=S - 120 * DAY,
            departed_at=S - 120 * DAY,
            deadline=deadline,
            status=Status.IN_TRANSIT,
        )

    return {
        "at_end": mk("EDGE-0", E),  # due at the very instant the month ends: not yet past
        "a_second_before": mk("EDGE-1", E - dt.timedelta(seconds=1)),  # past by a second: 0 days
        "8_days": mk("EDGE-8", E - 8 * DAY),  # first day of 8–28
        "41_days": mk("EDGE-41", E - 41 * DAY),  # first day of over 40
        "91_days": mk("EDGE-91", E - 91 * DAY),  # first day of over 90
        "90_days": mk("EDGE-90", E - 90 * DAY),  # still not over 90
    }


def test_it_counts_a_deadline_at_the_end_of_the_month_once_as_not_due(edges, west_az):
    f = returns.balance(S, E, west_az)
    assert f["closing"] == 6
    assert f["unsettled_by_age"] == {"not_due": 1, "d0_7": 1, "d8_28": 1, "d29_40": 0, "over_40": 3, "over_90": 1}
    assert sum(v for k, v in f["unsettled_by_age"].items() if k != "over_90") == f["closing"]
    assert f["unsettled_by_reason"]["in_transit"] == 1
    assert f["unsettled_by_reason"]["overdue"] == 5


def test_it_lists_each_serial_in_the_bucket_it_is_counted_in(edges, west_az):
    rows = {r["serial"]: r for r in returns.iter_unsettled(S, E, west_az)}
    assert rows["EDGE-0"]["days_past_deadline"] is None
    assert rows["EDGE-0"]["reason"] == "in_transit"
    assert rows["EDGE-1"]["days_past_deadline"] == 0
    assert rows["EDGE-1"]["reason"] == "overdue"
    # The list and the counts follow one rule: bucketing each listed serial gives the counts.
    counted: dict[str, int] = dict.fromkeys(returns.AGE_KEYS, 0)
    for row in rows.values():
        for key in returns.age_keys(row["days_past_deadline"]):
            counted[key] += 1
    assert counted == returns.balance(S, E, west_az)["unsettled_by_age"]


@pytest.mark.postgres
def test_the_database_formatted_list_puts_the_edges_where_python_does(edges, west_az):
    import csv

    from reports.serials_pg import serial_lines

    cells = {serial: next(csv.reader([line])) for line, _xml, _d, serial in serial_lines(S, E, west_az)}
    python = {r["serial"]: r for r in returns.iter_unsettled(S, E, west_az)}
    for serial, row in python.items():
        days = row["days_past_deadline"]
        assert cells[serial][6] == ("" if days is None else str(days)), serial
        assert cells[serial][7] == row["reason"], serial
        waited = row["days_since_arrival"]
        assert cells[serial][10] == ("" if waited is None else str(waited)), serial
    assert (cells["EDGE-0"][6], cells["EDGE-0"][7]) == ("", "in_transit")
