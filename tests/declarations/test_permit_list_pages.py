"""The traffic permit list in pages: every permit reachable, the real total shown, the validity tab kept."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.paging import PAGE_SIZE
from declarations.models import TrafficPermit
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


def test_the_permit_list_reaches_every_permit_on_its_pages_with_the_real_total(client, hq, bazargan, tehran):
    truck = VehicleFactory()
    now = timezone.now()
    made = TrafficPermit.objects.bulk_create(
        TrafficPermit(
            permit_no=f"TP-{i:03d}",
            vehicle=truck,
            entry_office=bazargan,
            exit_office=tehran,
            allowed_hours=72,
            issued_at=now - dt.timedelta(hours=i + 1),
            exited_at=now if i % 10 == 0 else None,  # four have left: not in the valid tab
        )
        for i in range(PAGE_SIZE + 6)
    )
    valid = {p.pk for p in made if p.exited_at is None}
    client.force_login(hq)
    first = client.get(reverse("declarations:permits"), {"validity": "valid"}).content.decode()
    assert re.search(r'data-total="(\d+)"', first).group(1) == str(len(valid)) == str(PAGE_SIZE + 2)
    assert "validity=valid&amp;page=2" in first
    second = client.get(reverse("declarations:permits"), {"validity": "valid", "page": 2}).content.decode()
    shown = [{p.pk for p in made if p.permit_no in page} for page in (first, second)]
    assert len(shown[0]) == PAGE_SIZE and len(shown[1]) == 2
    assert shown[0] | shown[1] == valid
