"""The same image uploaded as a scan of two declarations: stored, but the later scan records which
scan it repeats; both scans' pages, the viewer and both timelines say so (naming the other declaration
only to those who may see it); when the trucks differ, the later declaration raises ``scan_reused``."""

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from declarations import monitoring, timeline
from declarations import services as declaration_services
from declarations.models import DeclarationEvent, TransitDeclaration
from scans.models import Scan, ScanComparison, Stage
from tests.factories import DeclarationFactory, UserFactory, VehicleFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(bazargan, tehran):
    """Bazargan → Tehran: its origin scan is the image the others reuse."""
    return DeclarationFactory(origin=bazargan, destination=tehran, serial="1405-BZG-90000001")


@pytest.fixture
def other_truck(bazargan, sarakhs):
    """Bazargan → Sarakhs, another truck: Tehran may not see it."""
    return DeclarationFactory(origin=bazargan, destination=sarakhs, serial="1405-BZG-90000002")


@pytest.fixture
def sarakhs_clerk(sarakhs):
    return UserFactory(username="sarakhs_clerk", role=Role.OFFICE, office=sarakhs)


def _reused(qs=None) -> set:
    return set(monitoring.filter_signal(qs or TransitDeclaration.objects.all(), "scan_reused"))


def _notes(html: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'<p class="alert[^"]*scan-reuse.*?</p>', html, re.S)
    ]


def test_another_trucks_old_scan_is_stored_recorded_and_raises_the_signal(client, first, other_truck, origin_clerk):
    data = images.png(7)
    original = upload(first, Stage.ORIGIN, origin_clerk, data)
    reused = upload(other_truck, Stage.ORIGIN, origin_clerk, data, name="other-name.png")

    assert reused.repeats_scan == original.pk and original.repeats_scan is None
    assert _reused() == {other_truck}  # the declaration whose truck may never have been scanned; not the first
    other_truck.refresh_from_db()
    assert "scan_reused" in {s.key for s in monitoring.signals_holding(other_truck)}
    # Audited: the scan's creation names the scan it repeats; each declaration keeps an event.
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(Scan), object_id=reused.pk)
    assert entry.changes_dict["repeats_scan"][1] == str(original.pk)
    assert entry.actor == origin_clerk
    events = {e.declaration_id: e for e in DeclarationEvent.objects.filter(kind__startswith="scan_reused")}
    assert events[other_truck.pk].kind == "scan_reused" and events[other_truck.pk].data["repeats"] == original.pk
    assert events[first.pk].kind == "scan_reused_elsewhere" and events[first.pk].data["scan"] == reused.pk
    assert events[other_truck.pk].actor == origin_clerk
    assert "1405-BZG" not in events[first.pk].message + events[other_truck.pk].message

    # Both scans' pages warn and link to the other declaration (Bazargan sees both).
    client.force_login(origin_clerk)
    page = client.get(reverse("scans:declaration", args=[other_truck.pk])).content.decode()
    (note,) = _notes(page)
    assert "1405-BZG-90000001" in note and "alert-danger" in page
    assert f'href="{reverse("scans:declaration", args=[first.pk])}#scan-{original.pk}"' in page
    page = client.get(reverse("scans:declaration", args=[first.pk])).content.decode()
    (note,) = _notes(page)
    assert "1405-BZG-90000002" in note
    assert f'href="{reverse("scans:declaration", args=[other_truck.pk])}#scan-{reused.pk}"' in page

    # Both timelines, the later one as a danger.
    first.refresh_from_db()
    other_truck.refresh_from_db()
    items = [i for i in timeline.build(other_truck, origin_clerk) if i.kind == "scan_reuse"]
    assert [i.severity for i in items] == ["danger"] and "1405-BZG-90000001" in items[0].detail
    assert items[0].actor == origin_clerk.get_full_name()
    assert not [i for i in timeline.build(other_truck, origin_clerk) if i.kind.startswith("scan_reused")]
    items = [i for i in timeline.build(first, origin_clerk) if i.kind == "scan_reuse"]
    assert [i.severity for i in items] == ["warning"] and "1405-BZG-90000002" in items[0].detail


def test_one_pass_of_a_truck_carrying_two_declarations_is_noted_not_flagged(client, first, bazargan, origin_clerk):
    same_truck = DeclarationFactory(origin=bazargan, destination=first.destination, vehicle=first.vehicle)
    data = images.png(8)
    original = upload(first, Stage.ORIGIN, origin_clerk, data)
    again = upload(same_truck, Stage.ORIGIN, origin_clerk, data)

    assert again.repeats_scan == original.pk
    assert _reused() == set()
    client.force_login(origin_clerk)
    page = client.get(reverse("scans:declaration", args=[same_truck.pk])).content.decode()
    (note,) = _notes(page)
    assert "1405-BZG-90000001" in note and 'data-same-truck="1"' in page and "alert-info" in page
    assert "alert-danger" not in page
    same_truck.refresh_from_db()
    items = [i for i in timeline.build(same_truck, origin_clerk) if i.kind == "scan_reuse"]
    assert [i.severity for i in items] == [""]


def test_of_two_earlier_scans_another_trucks_is_the_one_named(first, bazargan, other_truck, origin_clerk):
    same_truck = DeclarationFactory(origin=bazargan, destination=first.destination, vehicle=first.vehicle)
    data = images.png(9)
    upload(first, Stage.ORIGIN, origin_clerk, data)
    of_other = upload(other_truck, Stage.ORIGIN, origin_clerk, data)
    assert upload(same_truck, Stage.ORIGIN, origin_clerk, data).repeats_scan == of_other.pk
    assert _reused() == {other_truck, same_truck}


def test_a_viewer_who_may_not_see_the_other_declaration_is_told_only_that_it_exists(
    client, first, other_truck, origin_clerk, dest_clerk, sarakhs_clerk
):
    data = images.png(10)
    original = upload(first, Stage.ORIGIN, origin_clerk, data)
    reused = upload(other_truck, Stage.ORIGIN, origin_clerk, data)

    # Tehran sees the first declaration, not the Sarakhs one.
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:declaration", args=[first.pk])).content.decode()
    (note,) = _notes(page)
    assert "another declaration" in note and "another truck" in note
    assert "1405-BZG-90000002" not in page
    assert reverse("scans:declaration", args=[other_truck.pk]) not in page
    assert f"#scan-{reused.pk}" not in page and "data-other-declaration" not in page
    first.refresh_from_db()
    items = [i for i in timeline.build(first, dest_clerk) if i.kind == "scan_reuse"]
    assert len(items) == 1 and "1405-BZG-90000002" not in items[0].detail + items[0].url
    assert client.get(reverse("scans:declaration", args=[other_truck.pk])).status_code == 404

    # Sarakhs sees the reusing declaration's warning, but not which declaration it repeats.
    client.force_login(sarakhs_clerk)
    page = client.get(reverse("scans:declaration", args=[other_truck.pk])).content.decode()
    (note,) = _notes(page)
    assert "never have been scanned" in note and "1405-BZG-90000001" not in page
    assert reverse("scans:declaration", args=[first.pk]) not in page
    assert f"#scan-{original.pk}" not in page
    detail = client.get(reverse("declarations:detail", args=[other_truck.pk])).content.decode()
    assert "1405-BZG-90000001" not in detail

    # The comparison viewer says it of the origin scan it compares, as the page does.
    declaration_services.declaration_depart(
        declaration=other_truck, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
    )
    other_truck.refresh_from_db()
    dest = upload(other_truck, Stage.DESTINATION, sarakhs_clerk, images.png(13))
    comparison = ScanComparison.objects.get(origin_scan=reused, dest_scan=dest)
    viewer = client.get(reverse("scans:viewer", args=[comparison.pk])).content.decode()
    (note,) = _notes(viewer)
    assert note.startswith("Origin scan:") and "never have been scanned" in note
    assert "1405-BZG-90000001" not in viewer
    client.force_login(origin_clerk)
    (note,) = _notes(client.get(reverse("scans:viewer", args=[comparison.pk])).content.decode())
    assert "1405-BZG-90000001" in note


def test_the_signals_count_on_the_dashboard_is_its_list(client, first, other_truck, bazargan, origin_clerk, inspector):
    upload(first, Stage.ORIGIN, origin_clerk, images.png(11))
    upload(other_truck, Stage.ORIGIN, origin_clerk, images.png(11))
    same_truck = DeclarationFactory(origin=bazargan, destination=first.destination, vehicle=first.vehicle)
    upload(same_truck, Stage.ORIGIN, origin_clerk, images.png(11))  # repeats another truck's scan too
    third = DeclarationFactory(origin=bazargan, destination=first.destination, vehicle=VehicleFactory())
    upload(third, Stage.ORIGIN, origin_clerk, images.png(12))  # an image of its own
    assert _reused() == {other_truck, same_truck}

    client.force_login(inspector)
    home = client.get(reverse("home")).content.decode()
    count = re.search(r'data-signal="scan_reused".*?data-count="(\d+)"', home, re.S)
    assert count is not None and int(count.group(1)) == 2
    listed = client.get(reverse("declarations:list") + "?signal=scan_reused").content.decode()
    assert re.search(r'id="results-count" data-count="(\d+)"', listed).group(1) == "2"
    assert "1405-BZG-90000002" in listed and "1405-BZG-90000001" not in listed


def test_archiving_the_first_declaration_leaves_the_one_that_reused_its_image(first, other_truck, origin_clerk):
    """The later scan names the earlier one by number, not by a foreign key: the archive takes every
    row pointing at an operation's rows, and would take (and remove) the other declaration's scan."""
    from declarations import archive

    data = images.png(14)
    original = upload(first, Stage.ORIGIN, origin_clerk, data)
    reused = upload(other_truck, Stage.ORIGIN, origin_clerk, data)
    collected = archive.collect([first.pk])
    assert {s.pk for s in collected.rows[Scan]} == {original.pk}
    assert other_truck not in collected.rows[TransitDeclaration]
    assert reused.pk not in {s.pk for s in collected.references.get(Scan, [])}
