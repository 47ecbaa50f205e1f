"""The demo's bulk declarations keep the trip times the app allows: no arrival sooner after the departure than
the arrival service accepts (``declarations.services.shortest_trip``: ``TRANSIT_MIN_TRIP_MINUTES``, or the
pair's road distance at ``PERMIT_MAX_AVG_KMH``). An inspector who opens one sees a journey a truck could make,
and the demo's own arrival confirmations (``arrivals_demo``) can confirm any of them at its stored time."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from declarations.models import TransitDeclaration
from declarations.road_distances import ensure_road_distances
from declarations.services import shortest_trip

pytestmark = pytest.mark.django_db


def test_no_seeded_declaration_arrives_sooner_than_the_arrival_service_allows():
    call_command("seed_demo", declarations=1500, no_users=True, no_evidence=True, stdout=io.StringIO())
    ensure_road_distances()  # the shipped table, as make run's seed has it (never overwrites a stored pair)
    arrived = TransitDeclaration.objects.filter(departed_at__isnull=False, arrived_at__isnull=False)
    assert arrived.count() > 1000
    too_fast = [
        (d.serial, d.origin.code, d.destination.code, str(d.arrived_at - d.departed_at), str(shortest))
        for d in arrived.select_related("origin", "destination")
        if d.arrived_at - d.departed_at < (shortest := shortest_trip(d))
    ]
    assert not too_fast, too_fast[:5]
