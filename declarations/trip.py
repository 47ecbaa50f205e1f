"""A foreign truck's trip read from its camera sightings, checked against its traffic permit.

Pure functions over plain data (no query), so each rule is tested from its article alone;
``permits.permit_check_sightings`` loads the data, calls ``analyse`` and stores what it finds.

1. Sightings are grouped into *visits*: consecutive sightings at one place (an office, or a TIR
   park's camera) form one visit, from its first to its last sighting. A visit at a TIR park is a
   *stay* (Art. 12 note 2: the park's camera records entry and exit).
2. **Route and exit border** (Art. 2, 6): a visit at an office that is neither on the permit's route
   nor its entry or exit border leaves the route; at a border or port office it is an exit
   elsewhere. The first visit at the exit border (after one elsewhere, when entry and exit are the
   same border) is the exit, which closes the permit.
3. **Driving time** (Art. 11: at most ``driving_hours_per_driver`` of driving, 10 by the article, per
   driver in 24 hours): between any two visits ``T`` hours apart with ``D`` road km between them the
   truck drove at least ``D / max_kmh`` hours; the permit's drivers may drive at most
   ``drivers × hours × ceil(T / 24)`` hours in that time, and never more than ``T``. More is driving
   beyond the limit (or a pace no truck keeps: a second truck on the same plate). The trip time:
   from the latest visit, the remaining road km to the exit border at ``max_kmh`` within the daily
   limit must fit before the permit ends, or the truck cannot leave in time without breaking it.
4. **Stops** (Art. 12): between consecutive visits the truck may take the time the road needs at
   ``min_kmh`` within the daily limit (rest included), plus ``grace_hours``. Longer is an
   unexplained stop, unless one end of the leg is a TIR park stay or a breakdown/accident stop
   recorded on the permit (note 3) overlaps the leg.

A pair of offices without a road distance is not judged (its legs count 0 km, its gaps are not
flagged): the table is the project's to complete, not the truck's fault.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

HOUR = 3600.0


@dataclass(frozen=True)
class Sighting:
    at: dt.datetime
    office_id: int
    office_code: str
    border: bool = False  # the office is a border or port office
    tir_park_id: int | None = None
    tir_park: str = ""  # the park's name, for display


@dataclass(frozen=True)
class PermitTerms:
    route: tuple[str, ...]
    entry_code: str
    exit_code: str
    exit_office_id: int
    issued_at: dt.datetime
    expires_at: dt.datetime
    drivers: int = 1
    hours_per_driver: int = 10


@dataclass(frozen=True)
class Limits:
    max_kmh: float = 80.0
    min_kmh: float = 30.0
    grace_hours: float = 6.0


@dataclass
class Visit:
    first: Sighting
    last: Sighting

    @property
    def is_stay(self) -> bool:
        return self.first.tir_park_id is not None


@dataclass
class Leg:
    start: Visit
    end: Visit
    km: int | None
    hours: float
    allowed_hours: float | None  # longest the leg may take without a stop (None: distance unknown)
    excused: str = ""  # "tir_park" | "stop" | ""

    @property
    def kmh(self) -> float | None:
        return round(self.km / self.hours, 1) if self.km and self.hours > 0 else None


@dataclass
class Finding:
    at: dt.datetime
    office: str
    detail: dict = field(default_factory=dict)


@dataclass
class Trip:
    visits: list[Visit]
    legs: list[Leg]
    off_route: Finding | None = None
    wrong_exit: Finding | None = None
    overdrive: Finding | None = None
    gap: Finding | None = None
    exit_at: dt.datetime | None = None


def calendar_hours(driving_hours: float, per_day: float) -> float:
    """Shortest time in which ``driving_hours`` of driving fit when at most ``per_day`` hours are
    driven in any 24 hours: full days of 24 hours, then the rest."""
    if per_day <= 0:
        return math.inf
    if driving_hours <= per_day:
        return driving_hours
    days = math.floor(driving_hours / per_day)
    rest = driving_hours - days * per_day
    return (days - 1) * 24 + per_day if rest <= 1e-9 else days * 24 + rest


def visits_of(sightings: list[Sighting]) -> list[Visit]:
    visits: list[Visit] = []
    for s in sorted(sightings, key=lambda s: s.at):
        if visits and (visits[-1].last.office_id, visits[-1].last.tir_park_id) == (s.office_id, s.tir_park_id):
            visits[-1].last = s
        else:
            visits.append(Visit(s, s))
    return visits


def analyse(
    terms: PermitTerms,
    sightings: list[Sighting],
    distance: Callable[[int, int], int | None],
    *,
    stops: list[tuple[dt.datetime, dt.datetime | None]] = (),  # type: ignore[assignment]
    limits: Limits | None = None,
) -> Trip:
    limits = limits or Limits()
    per_day = max(1, terms.drivers) * terms.hours_per_driver
    visits = visits_of(sightings)
    trip = Trip(visits=visits, legs=[])
    allowed_codes = {*terms.route, terms.entry_code, terms.exit_code}

    # 2. Route and exit border.
    seen_elsewhere = False
    for v in visits:
        s = v.first
        if s.office_code == terms.exit_code and (terms.exit_code != terms.entry_code or seen_elsewhere):
            trip.exit_at = s.at
            break
        if s.office_code != terms.entry_code:
            seen_elsewhere = True
        if s.office_code not in allowed_codes:
            if trip.off_route is None:
                trip.off_route = Finding(s.at, s.office_code, {"route": list(terms.route), "exit": terms.exit_code})
            if s.border and trip.wrong_exit is None:
                trip.wrong_exit = Finding(s.at, s.office_code, {"exit": terms.exit_code})
    if trip.exit_at is not None:  # after the exit the permit is closed: later sightings are not judged
        visits = [v for v in visits if v.first.at <= trip.exit_at]

    def km(a: Visit, b: Visit) -> int | None:
        if a.last.office_id == b.first.office_id:
            return 0
        return distance(a.last.office_id, b.first.office_id)

    # 4. Legs and unexplained stops.
    for a, b in itertools.pairwise(visits):
        d = km(a, b)
        hours = (b.first.at - a.last.at).total_seconds() / HOUR
        allowed = None if d is None else calendar_hours(d / limits.min_kmh, per_day) + limits.grace_hours
        leg = Leg(a, b, d, hours, allowed)
        if a.is_stay or b.is_stay:
            leg.excused = "tir_park"
        elif any(start <= b.first.at and (end is None or end >= a.last.at) for start, end in stops):
            leg.excused = "stop"
        trip.legs.append(leg)
        if allowed is not None and hours > allowed and not leg.excused and trip.gap is None:
            trip.gap = Finding(
                b.first.at,
                b.first.office_code,
                {"from": a.last.office_code, "km": d, "hours": round(hours, 1), "allowed_hours": round(allowed, 1)},
            )

    # 3. Driving time: every window of visits.
    for j in range(1, len(visits)):
        if trip.overdrive is not None:
            break
        for i in range(j - 1, -1, -1):
            window_km = sum(leg.km or 0 for leg in trip.legs[i:j])
            hours = (visits[j].first.at - visits[i].last.at).total_seconds() / HOUR
            driving = window_km / limits.max_kmh
            allowed = min(max(hours, 0.0), per_day * max(1, math.ceil(hours / 24)))
            if window_km and driving > allowed + 1e-6:
                trip.overdrive = Finding(
                    visits[j].first.at,
                    visits[j].first.office_code,
                    {
                        "kind": "pace",
                        "from": visits[i].last.office_code,
                        "km": window_km,
                        "hours": round(hours, 1),
                        "driving_hours": round(driving, 1),
                        "allowed_hours": round(allowed, 1),
                    },
                )
                break
    if trip.overdrive is None and trip.exit_at is None and visits and visits[-1].last.at < terms.expires_at:
        # Once the permit has ended, ``permit_expired`` says so; this is the warning before it.
        last = visits[-1]
        at_exit = last.last.office_id == terms.exit_office_id
        remaining = 0 if at_exit else distance(last.last.office_id, terms.exit_office_id)
        if remaining:
            needed = calendar_hours(remaining / limits.max_kmh, per_day)
            if last.last.at + dt.timedelta(hours=needed) > terms.expires_at:
                trip.overdrive = Finding(
                    last.last.at,
                    last.last.office_code,
                    {
                        "kind": "trip_time",
                        "to": terms.exit_code,
                        "km": remaining,
                        "needed_hours": round(needed, 1),
                        "expires_at": terms.expires_at.isoformat(),
                    },
                )
    return trip
