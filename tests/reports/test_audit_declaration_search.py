"""An investigator preparing a court file searches the audit trail by the declaration's serial
(``/reports/audit/?object=WALK2-0011``) and gets every entry about it: the declaration's own (import,
departure) and those on the rows that belong to it (the scans uploaded and the original viewed, the
comparison escalated, the follow-up letter, the plate match reviewed and its read's photo viewed). It
returned the declaration's own entries only, and none of another declaration's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from anpr import ingest
from anpr.match_review import match_review
from anpr.models import PlateMatch
from casework import services as casework
from casework.models import LetterKind
from core import audit
from declarations import services as declaration_services
from declarations.models import Review, Verdict
from reports.audit import entries_for
from scans import services as scan_services
from scans.models import ScanComparison, Stage
from tests.anpr.conftest import thr_camera  # noqa: F401
from tests.factories import DeclarationFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def walk(bazargan, tehran, origin_clerk, dest_clerk, thr_camera):  # noqa: F811
    d = DeclarationFactory(serial="WALK2-0011", origin=bazargan, destination=tehran)
    declaration_services.declaration_depart(declaration=d, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30))
    origin = upload(d, Stage.ORIGIN, origin_clerk)
    dest = upload(d, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    ScanComparison.objects.filter(declaration=d).update(
        status=ScanComparison.Status.DONE, verdict=Verdict.SUSPICIOUS, review=Review.PENDING
    )
    scan_services.comparison_review(
        comparison=ScanComparison.objects.get(declaration=d),
        by=dest_clerk,
        decision="escalate",
        remark="پلمپ دستکاری شده",
    )
    letter = casework.letter_send(
        letter=casework.letter_draft(declaration=d, by=origin_clerk, kind=LetterKind.OVERDUE), by=origin_clerk
    )
    (read,) = ingest.reads_ingest(
        camera=thr_camera, items=[ingest.ReadInput(captured_at=timezone.now(), plate_raw=d.vehicle.plate)]
    )
    match = PlateMatch.objects.get(read_id=read.id, declaration=d)
    PlateMatch.objects.filter(pk=match.pk).update(exact=False, score=0.93)  # a similar plate, for a person to judge
    match_review(match=PlateMatch.objects.get(pk=match.pk), by=dest_clerk, decision="confirmed")
    with audit.actor(dest_clerk):
        audit.record_access(None, match.read, "photo")  # the read's photo viewed
    return {"declaration": d, "origin": origin, "dest": dest, "letter": letter, "match": match}


def _shown(client, **query) -> set[int]:
    page = client.get(reverse("reports:audit"), query).content.decode()
    return {int(pk) for pk in re.findall(r'<tr data-entry="(\d+)">', page)}


def _about(obj) -> set[int]:
    return set(LogEntry.objects.get_for_object(obj).values_list("pk", flat=True))


def test_a_serial_brings_every_entry_about_the_declaration(client, walk, origin_clerk, dest_clerk, hq):
    d, origin = walk["declaration"], walk["origin"]
    other = DeclarationFactory(serial="WALK2-0012", origin=d.origin, destination=d.destination)
    declaration_services.declaration_depart(
        declaration=other, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    elsewhere = upload(other, Stage.ORIGIN, origin_clerk)
    client.force_login(dest_clerk)
    assert client.get(reverse("scans:original", args=[origin.pk])).status_code == 200  # a file view
    client.force_login(hq)

    shown = _shown(client, object="WALK2-0011")

    comparison = ScanComparison.objects.get(declaration=d)
    match = PlateMatch.objects.get(pk=walk["match"].pk)
    expected = {
        "declaration": _about(d),
        "origin scan (uploaded, viewed)": _about(origin),
        "destination scan": _about(walk["dest"]),
        "comparison (escalated)": _about(comparison),
        "letter": _about(walk["letter"]),
        "plate match (reviewed)": _about(match),
        "plate read (photo viewed)": _about(match.read),
        "timeline events": set(
            LogEntry.objects.filter(
                content_type__model="declarationevent",
                object_pk__in=[str(pk) for pk in d.events.values_list("pk", flat=True)],
            ).values_list("pk", flat=True)
        ),
    }
    for what, entries in expected.items():
        assert entries, what  # the story wrote entries about it
        assert entries <= shown, what
    assert _about(origin) & set(LogEntry.objects.filter(action=LogEntry.Action.ACCESS).values_list("pk", flat=True))
    assert not shown & (_about(other) | _about(elsewhere))  # another declaration's, never

    # As typed or pasted: in lower case, between the isolates a copied serial carries.
    assert _shown(client, object="walk2-0011") == shown
    assert _shown(client, object="\u2066WALK2-0011\u2069") == shown


def test_the_serial_search_looks_entries_up_by_row_not_by_their_text(walk, hq):
    """On a trail of millions of entries the search is index lookups by (kind, id), not a scan of their text."""
    where = str(entries_for(hq, {"object": "WALK2-0011"}).query).split(" WHERE ", 1)[1]
    assert "object_repr" not in where and "LIKE" not in where and '"object_pk" IN' in where
    words = str(entries_for(hq, {"object": "WALK2"}).query).split(" WHERE ", 1)[1]
    assert "object_repr" in words  # not a serial: the text search, as before
