"""The timeline tells who did what, when and from what source, as recorded at that moment."""

import datetime as dt
import re

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from core.dates import TEHRAN
from declarations import evidence, services, timeline
from declarations.models import Source, Status, TransitDeclaration
from tests.factories import DeclarationFactory

DAY = dt.timedelta(days=1)


@pytest.fixture
def seeded(bazargan, tehran):
    """A demo row: departed and arrived in the seed, with no event and no audit row behind either."""
    now = timezone.now()
    with disable_auditlog():  # the seed writes with COPY: no audit trail (and entries are never deleted)
        d = DeclarationFactory(
            origin=bazargan,
            destination=tehran,
            status=Status.ARRIVED,
            departed_at=now - 5 * DAY,
            arrived_at=now - 2 * DAY,
            deadline=now + DAY,
            status_source=Source.SEED,
            status_source_ref="داده نمایشی",
            status_changed_at=now - 2 * DAY,
        )
    return d


def _entries(html: str) -> dict[str, str]:
    """The timeline's entries by kind (the last of each kind), as text."""
    part = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    found = re.findall(r'data-kind="([^"]+)">(.*?)</li>', part, flags=re.S)
    return {kind: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip() for kind, body in found}


def test_a_settlement_does_not_rewrite_who_recorded_the_earlier_moves(client, seeded, dest_clerk, hq):
    services.declaration_settle(declaration=seeded, by=dest_clerk)
    client.force_login(hq)
    entries = _entries(client.get(reverse("declarations:detail", args=[seeded.pk])).content.decode())
    for kind in ("depart", "confirm_arrival", "import"):
        assert "مریم کریمی" not in entries[kind], entries[kind]
        assert "demo data" in entries[kind] and "داده نمایشی" not in entries[kind]
    assert "مریم کریمی" in entries["settle"] and "entered by user" in entries["settle"]


def _declared_before(declaration, at):
    """A departure is not before the declaration: declared two hours before ``at`` (no audit entry of its own)."""
    TransitDeclaration.objects.filter(pk=declaration.pk).update(declared_at=at - dt.timedelta(hours=2))
    declaration.refresh_from_db()


def _audited_departure(declaration, by, at):
    """A departure written by an audited save with no event of its own (as a correction by hand would)."""
    from auditlog.context import set_actor

    declaration.status, declaration.departed_at = Status.IN_TRANSIT, at
    declaration.status_changed_by = by
    with set_actor(by):
        declaration.save()


def test_an_audit_entry_shows_names_labels_and_jalali_tehran_times(client, declaration, origin_clerk, hq):
    at = dt.datetime(2025, 8, 3, 10, 30, tzinfo=TEHRAN)  # 1404/05/12 10:30 in Tehran, 07:00 UTC
    _declared_before(declaration, at)
    _audited_departure(declaration, origin_clerk, at)
    items = [i for i in timeline.build(declaration, hq) if i.kind == "audit" and "departed at" in i.detail]
    detail = items[-1].detail
    assert "status: registered → in transit" in detail
    assert "departed at: — → 1404/05/12 10:30" in detail
    assert "status changed by: — → \u2068رضا احمدی\u2069" in detail
    assert "None" not in detail and "2025-08-03" not in detail
    assert items[-1].actor == "رضا احمدی"


def test_a_change_through_a_later_audit_entry_is_credited_to_its_own_author(declaration, origin_clerk, hq):
    """A timestamp set by an audited save with no event of its own: credited to that save's author."""
    from auditlog.context import set_actor

    declaration.status_source, declaration.status_source_ref = Source.ICS, "ics-2025-08.csv"
    with set_actor(origin_clerk):
        declaration.departed_at = timezone.now() - DAY
        declaration.save()
    declaration.status_source, declaration.status_source_ref = Source.USER, "someone else"
    declaration.save()
    depart = next(i for i in timeline.build(declaration, hq) if i.kind == "depart")
    assert depart.actor == "رضا احمدی" and depart.source == "ICS export (ics-2025-08.csv)"


@pytest.mark.persian
def test_events_read_in_persian_with_jalali_dates_and_persian_digits(client, declaration, origin_clerk, hq):
    at = dt.datetime(2025, 8, 3, 10, 30, tzinfo=TEHRAN)
    _declared_before(declaration, at)
    _audited_departure(declaration, origin_clerk, at)
    evidence.note_event(  # as scans.services.comparison_review records it
        declaration_id=declaration.pk,
        kind="scan_review_accept",
        at=at + DAY,
        actor=origin_clerk,
        message="مقایسه تصاویر اسکن پذیرفته شد.",
    )
    client.force_login(hq)
    entries = _entries(client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode())
    assert "scan review accept" not in entries["scan_review_accept"]
    assert entries["scan_review_accept"].count("مقایسه تصاویر اسکن پذیرفته شد") == 1
    assert "۱۴۰۴/۰۵/۱۲ ۱۰:۳۰" in entries["depart"] and "رضا احمدی" in entries["depart"]
    assert "۱۴۰۴/۰۵/۱۲ ۱۰:۳۰" in entries["audit"] and "None" not in entries["audit"]
    assert "در حال ترانزیت" in entries["audit"]


def test_a_sent_letter_shows_once_with_who_sent_it(client, bazargan, tehran, origin_clerk, hq):
    from casework import panels
    from casework import services as casework

    panels.register_hooks()  # casework/apps.py calls it in ready()
    overdue = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - 3 * DAY
    )
    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    client.force_login(hq)
    html = client.get(reverse("declarations:detail", args=[overdue.pk])).content.decode()
    timeline_html = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert timeline_html.count(f"Follow-up letter \u2066{letter.number}\u2069 sent") == 1
    assert "رضا احمدی" in _entries(html)["letter"]


def test_a_creation_lists_what_the_declaration_was_made_with_not_empty_before_and_after(declaration, hq):
    created = [i for i in timeline.build(declaration, hq) if i.kind == "audit" and "created" in i.title]
    detail = created[0].detail
    assert f"serial: \u2066{declaration.serial}\u2069" in detail  # not "serial: — → …"
    assert "—" not in detail  # no field left empty on both sides ("created at: — → —")


def test_a_creation_lists_its_fields_in_the_declarations_order_whatever_order_auditlog_kept(declaration, hq):
    """auditlog keeps a new row's fields in an order that changes from process to process (a set): the
    timeline shows the first few, which must be the same ones each time, the serial first."""
    from auditlog.models import LogEntry

    kept = LogEntry.objects.get_for_object(declaration).get(action=LogEntry.Action.CREATE)
    entry = LogEntry(  # the same entry as another process kept it (the trail itself is append-only)
        action=LogEntry.Action.CREATE,
        changes=dict(reversed(list(kept.changes_dict.items()))),
        timestamp=kept.timestamp,
    )
    names = [name for name, _values in timeline._audit_changes(entry)]
    assert names.index("serial") < names.index("declared_at") < names.index("origin") < names.index("status")
    (created,) = timeline._audit_items([entry])
    assert created.detail.startswith(f"serial: \u2066{declaration.serial}\u2069; declared at: ")


def test_a_move_made_in_persian_reads_in_english_on_an_english_page(client, declaration, origin_clerk, hq):
    """A departure recorded from a Persian page kept «در حال ترانزیت» as its event's message: the
    English timeline read "Departed — در حال ترانزیت"."""
    from django.utils import translation

    with translation.override("fa"):
        services.declaration_depart(declaration=declaration, by=origin_clerk)
    client.force_login(hq)
    entries = _entries(client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode())
    assert "Departed" in entries["depart"] and "in transit" in entries["depart"]
    assert "در حال ترانزیت" not in entries["depart"]
    assert next(i for i in timeline.build(declaration, hq) if i.kind == "depart").detail == "in transit"


@pytest.mark.persian
def test_a_creation_names_the_truck_by_its_plate_as_the_pages_write_it(declaration, hq):
    """The truck was written «24 ع 317 - ایران 15» (its Latin-digit name) in the middle of Persian text."""
    from declarations import idents

    created = next(i for i in timeline.build(declaration, hq) if i.kind == "audit" and i.detail and "حامل" in i.detail)
    vehicle = declaration.vehicle
    assert idents.plate_text(vehicle.plate, vehicle.country) in created.detail
    assert str(vehicle) not in created.detail


def test_the_audit_entry_of_a_lifecycle_move_is_not_told_again_under_its_event(declaration, dest_clerk, hq):
    """The web's reason and settlement: each event once, no «Audit: record changed — status: arrived →
    unsettled; … source reference: …» repeating it (the audit trail keeps the entry)."""
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED, departed_at=timezone.now() - 2 * DAY, arrived_at=timezone.now() - DAY
    )
    declaration.refresh_from_db()
    services.declaration_record_unsettled(declaration=declaration, by=dest_clerk, reason="duplicate_waybill")
    services.declaration_settle(declaration=declaration, by=dest_clerk)
    items = timeline.build(declaration, hq)
    assert [i.kind for i in items if i.kind in ("record_unsettled", "settle")] == ["record_unsettled", "settle"]
    audits = [i.detail for i in items if i.kind == "audit"]
    assert not [d for d in audits if "status:" in d or "source reference" in d], audits
    assert LogEntry.objects.get_for_object(declaration).filter(actor=dest_clerk).count() == 2


@pytest.mark.django_db
def test_who_made_a_move_is_isolated_on_the_timeline(client, bazargan, declaration, hq):
    """«John Smith 2 · user» on a Persian page: the name isolated, so that its digit and the separator beside
    it keep their places."""
    from accounts.models import Role
    from tests.factories import UserFactory

    john = UserFactory(username="jsmith", role=Role.OFFICE, office=bazargan, first_name="John", last_name="Smith 2")
    services.declaration_depart(declaration=declaration, by=john)
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert '<bdi class="timeline-actor">John Smith 2</bdi>' in page


@pytest.mark.persian
def test_a_creation_names_the_route_s_offices_and_the_truck_s_country(client, bazargan, tehran, hq):
    """The creation's audit entry read «مسیر برنامه‌ریزی‌شده: BZG، THR» and «ملیت وسیله نقلیه: TR»: codes where
    the rest of the page names the offices; now their names, each isolated, and the country's name."""
    foreign = DeclarationFactory(origin=bazargan, destination=tehran, vehicle_country="TR")
    client.force_login(hq)
    entries = _entries(client.get(reverse("declarations:detail", args=[foreign.pk])).content.decode())
    created = entries["audit"]
    assert "\u2068گمرک بازرگان\u2069، \u2068گمرک تهران\u2069" in created, created
    assert "BZG" not in created and "THR" not in created
    assert ": ترکیه" in created and "TR؛" not in created and not created.endswith("TR")


def _status_from(html: str) -> str:
    part = html.split("Status from" if "Status from" in html else "منبع وضعیت", 1)[1].split("</dd>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()


def test_a_demo_rows_source_is_named_once_in_english(client, seeded, hq):
    client.force_login(hq)
    shown = _status_from(client.get(reverse("declarations:detail", args=[seeded.pk])).content.decode())
    assert shown.startswith("demo data") and "داده نمایشی" not in shown, shown
    entries = _entries(client.get(reverse("declarations:detail", args=[seeded.pk])).content.decode())
    assert "demo data" in entries["depart"] and "داده نمایشی" not in entries["depart"]


@pytest.mark.persian
def test_a_demo_rows_source_is_named_once_in_persian(client, seeded, hq):
    client.force_login(hq)
    shown = _status_from(client.get(reverse("declarations:detail", args=[seeded.pk])).content.decode())
    assert shown.count("داده نمایشی") == 1, shown
