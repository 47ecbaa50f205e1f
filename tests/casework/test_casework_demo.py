"""The demo's smuggling cases (``casework.demo.smuggling_demo``): the regulation's steps it records on the
demo cases are dated no later than the seed's clock, however recently the goods were found. A case found a
couple of hours before the seed ran (make run early in the Tehran day: «found + 20 h» is still to come) gets
its steps dated now, and the seed goes on instead of stopping at «The date is in the future.»."""

import datetime as dt

import numpy as np
import pytest
from django.utils import timezone

from casework import services as casework
from casework.demo import smuggling_demo
from casework.models import CaseMilestone, MilestoneKind
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _found_two_hours_ago(origin, destination, by, n: int):
    d = DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=3),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = timezone.now() - dt.timedelta(hours=2)
    return casework.case_open(
        declaration=d,
        by=by,
        file_number=f"1405-{n}",
        authority="تعزیرات حکومتی",
        opened_on=found.astimezone(TEHRAN).date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
        duties="50000000",
    )


def test_steps_of_a_case_found_hours_before_the_seed_are_dated_no_later_than_now(bazargan, tehran, inspector):
    # The first demo case gets its hand-over (found + 20 h), the second its file and carrier's fine (+ 9, + 15 days).
    handover_case = _found_two_hours_ago(bazargan, tehran, inspector, 1)
    fine_case = _found_two_hours_ago(bazargan, tehran, inspector, 2)
    now = timezone.now()

    counts = smuggling_demo(rng=np.random.default_rng(1404), now=now, exclude=[])

    done = {
        (m.case_id, m.kind): m.done_at
        for m in CaseMilestone.objects.filter(case__in=[handover_case, fine_case], done_at__isnull=False)
    }
    assert set(done) == {
        (handover_case.pk, MilestoneKind.HANDOVER),
        (fine_case.pk, MilestoneKind.FILE_PROPERTY_ORG),
        (fine_case.pk, MilestoneKind.CARRIER_FINE),
    }
    assert all(handover_case.discovered_at <= at <= now for at in done.values()), done
    assert counts["milestones_done"] == 3
