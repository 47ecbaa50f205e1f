"""A foreign truck's trip checked against its permit (``declarations.trip``), rule by rule from the
executive regulation of the foreign-vehicle traffic law. Pure data: offices 1..5 on a line, 300 km
apart each; the permit's route is A → B → C (entry A, exit C); D is an inland office off the route,
E a border off it."""

import datetime as dt

import pytest

from declarations import trip

T0 = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
CODES = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"}
BORDERS = {1, 3, 5}
LIMITS = trip.Limits(max_kmh=80, min_kmh=30, grace_hours=6)


def distance(a: int, b: int) -> int | None:
    return abs(a - b) * 300


def seen(office: int, at: dt.datetime, park: int | None = None) -> trip.Sighting:
    return trip.Sighting(at=at, office_id=office, office_code=CODES[office], border=office in BORDERS, tir_park_id=park)


def terms(hours: int = 96, drivers: int = 1) -> trip.PermitTerms:
    return trip.PermitTerms(
        route=("A", "B", "C"),
        entry_code="A",
        exit_code="C",
        exit_office_id=3,
        issued_at=T0,
        expires_at=T0 + hours * H,
        drivers=drivers,
        hours_per_driver=10,
    )


def run(sightings, stops=(), **kw):
    return trip.analyse(terms(**kw), sightings, distance, stops=list(stops), limits=LIMITS)


def test_a_trip_along_the_route_at_a_legal_pace_finds_nothing_and_exits_at_the_exit_border():
    # Art. 2/6: route A → B → C; 300 km legs in 8 h and 12 h (37.5 and 25 km/h).
    result = run([seen(1, T0), seen(2, T0 + 8 * H), seen(3, T0 + 20 * H)])
    assert (result.off_route, result.wrong_exit, result.overdrive, result.gap) == (None, None, None, None)
    assert result.exit_at == T0 + 20 * H
    assert [leg.km for leg in result.legs] == [300, 300]


def test_a_sighting_off_the_permitted_route_is_found():
    # Art. 2: the permit names the route (T.I.R roads); D is not on it.
    result = run([seen(1, T0), seen(4, T0 + 20 * H)])
    assert result.off_route is not None and result.off_route.office == "D" and result.off_route.at == T0 + 20 * H
    assert result.wrong_exit is None  # D is inland: off the route, not an exit


def test_a_sighting_at_another_border_is_an_exit_elsewhere():
    # Art. 2: the permit names the exit border; E is a border that is not it.
    result = run([seen(1, T0), seen(5, T0 + 40 * H)])
    assert result.wrong_exit is not None and result.wrong_exit.office == "E"
    assert result.off_route is not None and result.exit_at is None


def test_driving_beyond_ten_hours_in_a_day_is_found():
    # Art. 11: 10 h of driving per driver in 24 h. A → C is 600 km: 7.5 h at 80 km/h at least.
    # In 12 h that is within the limit; A → C → (back to) A, 1,200 km in 20 h, needs 15 h: beyond it.
    assert run([seen(1, T0), seen(2, T0 + 12 * H)]).overdrive is None
    result = run([seen(1, T0), seen(2, T0 + 5 * H), seen(4, T0 + 16 * H)])
    assert result.overdrive is not None
    assert result.overdrive.detail["kind"] == "pace"
    assert result.overdrive.detail["driving_hours"] == 11.2  # 900 km at 80 km/h
    assert result.overdrive.detail["allowed_hours"] == 10


def test_two_drivers_may_drive_twice_as_long():
    # Art. 11 counts per driver: the same pace with two drivers is within the limit.
    result = run([seen(1, T0), seen(2, T0 + 5 * H), seen(4, T0 + 16 * H)], drivers=2)
    assert result.overdrive is None


def test_a_pace_no_truck_keeps_is_found_too():
    # 300 km in 2 h is 150 km/h: more driving than the time elapsed (a second truck on the plate).
    result = run([seen(1, T0), seen(2, T0 + 2 * H)])
    assert result.overdrive is not None and result.overdrive.detail["allowed_hours"] == 2


def test_a_trip_that_cannot_reach_the_exit_border_before_the_permit_ends_is_found():
    # The permit's trip time: from B, 300 km to C need 3.75 h of driving; 2 h are left.
    result = run([seen(1, T0), seen(2, T0 + 22 * H)], hours=24)
    assert result.overdrive is not None and result.overdrive.detail["kind"] == "trip_time"
    assert result.overdrive.detail["to"] == "C"
    assert run([seen(1, T0), seen(2, T0 + 10 * H)], hours=24).overdrive is None


def test_unseen_longer_than_the_road_allows_without_a_tir_park_stay_is_found():
    # Art. 12: stops only at TIR parks. 300 km at 30 km/h is 10 h of driving, + 6 h grace = 16 h.
    assert run([seen(1, T0), seen(2, T0 + 15 * H)]).gap is None
    result = run([seen(1, T0), seen(2, T0 + 40 * H)])
    assert result.gap is not None and result.gap.detail == {
        "from": "A",
        "km": 300,
        "hours": 40.0,
        "allowed_hours": 16.0,
    }


def test_a_stay_at_a_tir_park_explains_the_time():
    # Art. 12 note 2: the park's camera records entry and exit; the legs to and from it are excused.
    result = run([seen(1, T0), seen(2, T0 + 6 * H, park=7), seen(2, T0 + 30 * H, park=7), seen(3, T0 + 38 * H)])
    assert result.gap is None
    stays = [v for v in result.visits if v.is_stay]
    assert len(stays) == 1 and (stays[0].first.at, stays[0].last.at) == (T0 + 6 * H, T0 + 30 * H)


def test_a_recorded_breakdown_explains_the_time():
    # Art. 12 note 3: a breakdown or accident stop recorded on the permit with who confirmed it.
    sightings = [seen(1, T0), seen(2, T0 + 40 * H)]
    result = run(sightings, stops=[(T0 + 5 * H, T0 + 30 * H)])
    assert result.gap is None and result.legs[0].excused == "stop"
    assert run(sightings, stops=[(T0 + 50 * H, None)]).gap is not None  # a stop after the gap explains nothing


def test_sightings_after_the_exit_are_not_judged():
    result = run([seen(1, T0), seen(3, T0 + 10 * H), seen(4, T0 + 12 * H)])
    assert result.exit_at == T0 + 10 * H and result.off_route is None


def test_an_unknown_distance_is_not_held_against_the_truck():
    result = trip.analyse(terms(), [seen(1, T0), seen(2, T0 + 1 * H)], lambda a, b: None, limits=LIMITS)
    assert result.overdrive is None and result.gap is None and result.legs[0].km is None


@pytest.mark.parametrize(
    ("driving", "per_day", "expected"),
    [(5, 10, 5), (10, 10, 10), (15, 10, 29), (20, 10, 34), (25, 10, 53), (15, 20, 15)],
)
def test_calendar_hours_fit_the_driving_into_days_of_the_limit(driving, per_day, expected):
    assert trip.calendar_hours(driving, per_day) == expected
