"""The evidence summary that plate reads keep on a declaration (the signals read it)."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from declarations import evidence
from declarations.models import TransitDeclaration
from tests.factories import DeclarationFactory, OfficeFactory

FIELDS = ("last_read_at", "last_read_office_id", "dest_first_read_at", "off_route_read_at")


def _summary(d):
    d.refresh_from_db()
    return tuple(getattr(d, f) for f in FIELDS)


@pytest.mark.postgres  # elsewhere note_plate_reads *is* a loop over note_plate_read: nothing to compare
def test_a_batch_of_reads_leaves_the_same_summary_as_one_read_at_a_time(bazargan, tehran):
    """note_plate_reads (one call per camera batch) == note_plate_read for each read."""
    rng = random.Random(1404)
    other = OfficeFactory(code="QZV")
    offices = [bazargan.pk, tehran.pk, other.pk]
    base = timezone.now() - dt.timedelta(days=1)
    pairs = [
        (
            DeclarationFactory(origin=bazargan, destination=tehran),
            DeclarationFactory(origin=bazargan, destination=tehran),
        )
        for _ in range(6)
    ]
    for round_ in range(3):  # later batches meet summaries the earlier ones wrote
        batch = []
        for i, (bulk_d, _single_d) in enumerate(pairs):
            for _ in range(rng.randint(0, 5)):
                at = base + dt.timedelta(minutes=rng.randint(0, 600), seconds=round_)
                batch.append((i, rng.choice(offices), at, rng.random() < 0.7))
        evidence.note_plate_reads([(pairs[i][0].pk, office, at, on) for i, office, at, on in batch])
        for i, office, at, on in batch:
            evidence.note_plate_read(declaration_id=pairs[i][1].pk, office_id=office, at=at, on_route=on)
        for bulk_d, single_d in pairs:
            assert _summary(bulk_d) == _summary(single_d)
    assert TransitDeclaration.objects.filter(dest_first_read_at__isnull=False).exists()
    assert TransitDeclaration.objects.filter(off_route_read_at__isnull=False).exists()


def test_an_empty_batch_changes_nothing(declaration):
    evidence.note_plate_reads([])
    assert _summary(declaration) == (None, None, None, None)
