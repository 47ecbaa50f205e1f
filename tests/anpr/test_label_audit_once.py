"""A person correcting a plate read's text changes the review of its matches: each change is one entry in the
audit trail (who, what from and to), not two."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from anpr import review
from anpr.models import PlateMatch
from declarations.services import declaration_depart
from tests.anpr.test_plate_review import DECLARED, MISREAD, OTHER, _entry, _read
from tests.factories import DeclarationFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_the_road(bazargan, tehran):
    d = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=VehicleFactory(plate=DECLARED))
    declaration_depart(declaration=d, by=None, at=timezone.now() - dt.timedelta(hours=20))
    return d


def _entries(match: PlateMatch) -> list[LogEntry]:
    kind = ContentType.objects.get_for_model(PlateMatch)
    return list(
        LogEntry.objects.filter(content_type=kind, object_pk=str(match.pk), action=LogEntry.Action.UPDATE).order_by(
            "pk"
        )
    )


def test_each_change_of_a_matchs_review_is_one_audit_entry(client, dest_clerk, hq, on_the_road, thr_camera):
    read = _read(thr_camera, MISREAD)
    match = PlateMatch.objects.get(read=read)
    client.force_login(dest_clerk)
    assert client.post(reverse("anpr:read-review", args=[read.pk]), _entry(OTHER)).status_code == 302
    entries = _entries(match)
    assert len(entries) == 1, [e.changes_dict for e in entries]
    assert entries[0].actor == dest_clerk and entries[0].changes_dict["review"] == ["", "rejected"]

    review.read_label(read=read, by=hq, plate=DECLARED, note="checked the photo again")
    entries = _entries(match)
    assert len(entries) == 2, [e.changes_dict for e in entries]  # one more, by the second reader
    assert entries[1].actor == hq and entries[1].changes_dict["review"] == ["rejected", "confirmed"]
