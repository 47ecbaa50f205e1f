"""Each monitoring signal is one ``Signal`` holding a database filter (lists, dashboard counts) and
an in-memory check (a declaration's page, the API). Over a grid of generated declarations, both
must pick exactly the same ones, or a page would show a signal its list leaves out."""

import datetime as dt
import random

import pytest
from django.conf import settings

from declarations import monitoring
from declarations.models import Review, Status, TransitDeclaration, Verdict
from tests.factories import CompanyFactory, DeclarationFactory, OfficeFactory, VehicleFactory

NOW = dt.datetime(2025, 8, 3, 7, 0, tzinfo=dt.UTC)
READ_GRACE = dt.timedelta(hours=settings.SIGNAL_READ_WITHOUT_ARRIVAL_HOURS)
SCAN_GRACE = dt.timedelta(hours=settings.SIGNAL_ORIGIN_SCAN_HOURS)
HOUR = dt.timedelta(hours=1)

# Each field's values include None, the far side, the near side and the exact boundary of its clock.
TIMES = {
    "deadline": [None, NOW - HOUR, NOW, NOW + HOUR],
    "departed_at": [None, NOW - SCAN_GRACE - HOUR, NOW - SCAN_GRACE, NOW - HOUR],
    "dest_first_read_at": [None, NOW - READ_GRACE - HOUR, NOW - READ_GRACE, NOW - HOUR],
    "origin_scan_at": [None, NOW - HOUR],
    "arrived_at": [None, NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR],
    "off_route_read_at": [None, NOW - HOUR],
    "permit_expires_at": [None, NOW - HOUR, NOW, NOW + HOUR],
    "permit_overdrive_at": [None, NOW - HOUR],
    "permit_gap_at": [None, NOW - HOUR],
}
CHOICES = {
    "status": list(Status.values),
    "comparison_verdict": list(Verdict.values),
    "comparison_review": list(Review.values),
    "dup_waybill": [False, True],
    "dup_goods_serial": [False, True],
    "dup_vehicle": [False, True],
    "scan_reused": [False, True],
    "vehicle_country": ["IR", "TR"],
    "covered_without_serials": [False, True],
    "invalid_imei": [False, True],
    "permit_no": ["", "TP-1"],
    "permit_goods_mismatch": [False, True],
}


def _grid(rng: random.Random, offices: list) -> list[dict]:
    """Every status with every value of every field at least once, then random combinations."""
    fields = {**TIMES, **CHOICES}
    rows = []
    for status in Status.values:
        for name, values in fields.items():
            for value in values:
                row = {n: rng.choice(v) for n, v in fields.items()}
                rows.append({**row, "status": status, name: value})
    rows += [{n: rng.choice(v) for n, v in fields.items()} for _ in range(400)]
    for row in rows:
        row["origin"], row["destination"] = rng.sample(offices, 2)
    return rows


@pytest.mark.django_db
def test_every_signals_filter_and_in_memory_check_select_the_same_declarations():
    rng = random.Random(1404)
    offices = [
        OfficeFactory(code=f"SG{i}", has_anpr=anpr, has_scanner=scanner)
        for i, (anpr, scanner) in enumerate([(True, True), (True, False), (False, True), (False, False)])
    ]
    # Camera and scanner in service only since a time on the grid's clocks (the boundary included).
    offices.append(
        OfficeFactory(
            code="SGS", has_anpr=True, has_scanner=True, anpr_since=NOW - 2 * HOUR, scanner_since=NOW - SCAN_GRACE
        )
    )
    vehicle, company = VehicleFactory(), CompanyFactory()
    decls = [DeclarationFactory.build(vehicle=vehicle, company=company, route=[], **row) for row in _grid(rng, offices)]
    TransitDeclaration.objects.bulk_create(decls, batch_size=500)
    loaded = list(TransitDeclaration.objects.select_related("origin", "destination"))
    assert len(loaded) == len(decls) > 500

    for key, signal in monitoring.SIGNALS.items():
        in_db = set(monitoring.filter_signal(TransitDeclaration.objects.all(), key, NOW).values_list("pk", flat=True))
        in_memory = {d.pk for d in loaded if signal.holds(d, NOW)}
        assert in_db == in_memory, (key, sorted(in_db ^ in_memory)[:5])
        assert in_db, f"the grid never raises {key}: the check proves nothing for it"
        assert len(in_db) < len(loaded), f"{key} holds everywhere in the grid"


@pytest.mark.django_db
def test_evidence_is_expected_only_since_the_camera_and_the_scanner_went_into_service(bazargan, tehran):
    """A destination whose plate reader was installed last week: arrivals before it cannot have been
    read, and were all flagged (14,610 of a 20,000-declaration demo); departures likewise for scanners."""
    tehran.anpr_since = NOW - dt.timedelta(days=7)
    tehran.save()
    bazargan.scanner_since = NOW - dt.timedelta(days=7)
    bazargan.save()
    before, after = NOW - dt.timedelta(days=9), NOW - dt.timedelta(days=2)
    old, new = (
        DeclarationFactory(
            origin=bazargan, destination=tehran, status=Status.SETTLED, departed_at=at - 30 * HOUR, arrived_at=at
        )
        for at in (before, after)
    )
    for key in ("arrival_without_read", "origin_scan_missing"):
        flagged = set(monitoring.filter_signal(TransitDeclaration.objects.all(), key, NOW))
        assert flagged == {new}, key
        assert key in {s.key for s in monitoring.signals_holding(new, NOW)}
        assert key not in {s.key for s in monitoring.signals_holding(old, NOW)}
