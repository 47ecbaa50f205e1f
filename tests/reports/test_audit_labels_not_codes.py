"""The Persian audit page names what ordinary actions changed in Persian, never by codes and ids (an outside walk
read «assigned to:», «done by:», «مهلت قانونی 321 handover», «case milestone done», «علت: gate_without_camera»,
«outage», «review», «supersedes» and «تصویر اسکن مبدأ: 20014 origin»): a person's field by its label, a row
that names itself (a case's milestone, a scan) by what a person knows it by, an event's kind by its title and
its data's keys and codes by their labels."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import CaseMilestone, FollowUpLetter, MilestoneKind
from core.dates import TEHRAN
from core.text import LRI, PDI
from declarations.audit_text import ChangeWriter
from declarations.models import ArrivalReadReason, DeclarationEvent, Status, UnsettledReason
from reports.models import MonthlyReturn, SystemProblem
from scans.models import Scan, ScanComparison
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def _lines(model, changes: dict) -> list[str]:
    """What the page writes for a change of ``model``'s row (an entry as auditlog stores one)."""
    entry = LogEntry(content_type=ContentType.objects.get_for_model(model), action=LogEntry.Action.UPDATE)
    entry.changes = changes
    return ChangeWriter().lines(entry)


@pytest.mark.parametrize(
    "model,field,label",
    [
        (SystemProblem, "assigned_to", "ارجاع‌شده به"),
        (MonthlyReturn, "submitted_by", "ارسال‌کننده"),
        (CaseMilestone, "done_by", "انجام‌دهنده"),
        (FollowUpLetter, "drafted_by", "نویسنده پیش‌نویس"),
    ],
)
def test_a_persons_field_is_labelled_in_persian(hq, model, field, label):
    (line,) = _lines(model, {field: ["None", str(hq.pk)]})
    assert line == f"{label}: — ← {ChangeWriter.name_of(hq)}"


def test_a_scan_a_comparison_names_is_named_by_its_serial_and_stage(declaration):
    scan = Scan.objects.create(
        declaration=declaration, stage="origin", office=declaration.origin, scanner_id="S1",
        captured_at=timezone.now(), format="PNG", original="scans/o.png", received_sha256="a" * 64,
        width=10, height=10, mode="L", bit_depth=8, size_bytes=100, sha256="a" * 64,
    )  # fmt: skip
    (line,) = _lines(ScanComparison, {"origin_scan": ["None", str(scan.pk)]})
    assert line == f"تصویر اسکن مبدأ: — ← {LRI}{declaration.serial}{PDI} · {scan.get_stage_display()}"
    assert f"{declaration.pk} origin" not in line


def test_a_milestone_and_its_event_are_named_by_the_case_and_the_step(client, bazargan, tehran, inspector, hq):
    unsettled = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = timezone.now() - dt.timedelta(days=2)
    case = casework.case_open(
        declaration=unsettled, by=inspector, file_number="1405-77", authority="تعزیرات حکومتی",
        opened_on=found.astimezone(TEHRAN).date(), discovered_at=found, cif_value="1000", exchange_rate="700000",
        duties="50000000", fees="1000000", commercial_profit="20000000",
    )  # fmt: skip
    handover = case.milestones.get(kind=MilestoneKind.HANDOVER)
    smuggling.milestone_done(milestone=handover, by=inspector, evidence_note="صورت‌جلسه تحویل ۱۲۳")
    done = LogEntry.objects.get_for_object(handover).latest("id")
    event = DeclarationEvent.objects.get(declaration=unsettled, kind="case_milestone_done")
    noted = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = _row(page, done)
    assert f"{LRI}۱۴۰۵-۷۷{PDI}</span> · {MilestoneKind.HANDOVER.label}" in row
    assert "handover" not in row and f"{case.pk} " not in row.split("<td>")[6]
    assert "انجام‌دهنده:" in row and "done by" not in row
    row = _row(page, noted)
    assert "مهلت قانونی پرونده انجام شد" in row and "case milestone done" not in row


def test_an_arrival_reads_explanation_names_its_reason_and_its_keys_in_persian(client, declaration, hq):
    DeclarationEvent.objects.create(
        declaration=declaration,
        at=timezone.now(),
        kind="arrival_read_explained",
        message="x",
        data={"review": 3, "reason": "gate_without_camera", "note": "در دوم", "outage": "", "supersedes": 2},
    )
    entry = LogEntry.objects.filter(action=LogEntry.Action.CREATE).latest("id")
    client.force_login(hq)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert f"علت: {ArrivalReadReason.GATE_WITHOUT_CAMERA.label}" in row and "gate_without_camera" not in row
    assert "شماره بررسی: ۳" in row and "بازنگری بررسی: ۲" in row and "قطعی نام‌برده: —" in row
    for code in ("review:", "supersedes", "outage:"):
        assert code not in row


def test_a_scan_events_decision_verdict_and_rows_are_named_in_persian(client, declaration, hq):
    DeclarationEvent.objects.create(
        declaration=declaration,
        at=timezone.now(),
        kind="scan_reuse_confirmed",
        message="x",
        data={"scan": 7, "repeats": 5, "decision": "confirmed", "verdict": "suspicious", "comparison": 4},
    )
    entry = LogEntry.objects.filter(action=LogEntry.Action.CREATE).latest("id")
    client.force_login(hq)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert "تصمیم: تأییدشده" in row and "confirmed" not in row
    assert "suspicious" not in row and "comparison:" not in row and "repeats" not in row
    assert "شماره تصویر اسکن: ۷" in row and "شماره مقایسه تصاویر اسکن: ۴" in row
