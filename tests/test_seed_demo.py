"""`seed_demo` makes the real rows behind every monitoring signal, through the apps' services.

One seed of 1,500 declarations (SQLite); for every signal the count is non-zero and each flagged
declaration of a sample has the evidence that makes it (a read, a scan, a comparison, a permit…),
and the declaration's page links to that evidence.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from anpr.models import Camera, PlateMatch, PlateRead
from casework.models import FollowUpLetter, JudicialAction, JudicialCase, LetterStatus
from core.dates import jalali_month_of, previous_jalali_month, to_jalali, to_tehran
from declarations.models import (
    ArrivalConfirmation,
    DiscrepancyResolution,
    GoodsSerial,
    SettlementOverride,
    TrafficPermit,
    TransitDeclaration,
    TransportDocument,
    Verdict,
)
from declarations.monitoring import SIGNALS, filter_signal
from notifications.models import Kind, Notification
from reports.models import Inspection, MonthlyReturn, ProblemStatus, SystemProblem
from scans.models import Scan, ScanComparison, Stage

pytestmark = pytest.mark.django_db(transaction=True)  # on-commit tasks (previews, letter PDFs) run as in the app

SAMPLE = 8


def _evidence_ok(key: str, d: TransitDeclaration, now) -> bool:
    matches = PlateMatch.objects.filter(declaration=d).select_related("read")
    if key == "overdue":
        return d.deadline < now and d.arrived_at is None
    if key == "arrival_without_read":
        return (
            Camera.objects.filter(office_id=d.destination_id).exists()
            and not matches.filter(at_destination=True).exists()
        )
    if key == "read_without_arrival":
        return matches.filter(at_destination=True, read__office_id=d.destination_id).exists() and d.arrived_at is None
    if key == "origin_scan_missing":
        return d.origin.has_scanner and not Scan.objects.filter(declaration=d, stage=Stage.ORIGIN).exists()
    if key == "scan_not_reviewed":
        return ScanComparison.objects.filter(declaration=d, review="pending", status="done").exists()
    if key == "scan_suspicious":
        return (
            ScanComparison.objects.filter(declaration=d, verdict=Verdict.SUSPICIOUS).exclude(review="accepted").exists()
        )
    if key == "scan_unaligned":  # the images could not be aligned, and the destination has not looked yet
        return ScanComparison.objects.filter(
            declaration=d, verdict=Verdict.UNREGISTERED, review="pending", status="done"
        ).exists()
    if key == "scan_reused":  # a scan that is the same image as another truck's declaration's scan
        return any(
            earlier.declaration.vehicle_id != d.vehicle_id and earlier.sha256 == scan.sha256
            for scan in Scan.objects.filter(declaration=d, repeats_scan__isnull=False)
            for earlier in Scan.objects.filter(pk=scan.repeats_scan).select_related("declaration")
        )
    if key == "dup_waybill":
        return TransitDeclaration.objects.filter(waybill_no=d.waybill_no).exclude(pk=d.pk).exists()
    if key == "dup_serial":
        values = GoodsSerial.objects.filter(declaration=d).values("value")
        return GoodsSerial.objects.filter(value__in=values).exclude(declaration=d).exists()
    if key == "dup_vehicle":
        return TransitDeclaration.objects.filter(vehicle_id=d.vehicle_id, status="in_transit").exclude(pk=d.pk).exists()
    if key == "off_route":
        route = d.route or [d.origin.code, d.destination.code]
        permitted = {c for p in TrafficPermit.objects.filter(declaration=d) for c in p.route}
        return any(
            m.read.office.code not in route for m in matches.filter(on_route=False).select_related("read__office")
        ) or any(m.read.office.code not in permitted for m in matches.select_related("read__office") if permitted)
    if key == "permit_expired":
        return TrafficPermit.objects.filter(declaration=d, exited_at__isnull=True, issued_at__lt=now).exists() and (
            d.permit_expires_at == TrafficPermit.objects.filter(declaration=d).latest("issued_at").expires_at
        )
    if key == "covered_without_serials":
        from declarations.covered import rule_for, rules

        table = rules()
        return any(
            rule_for(g.hs_code, table) and not GoodsSerial.objects.filter(goods_item=g).exists() for g in d.goods.all()
        )
    if key == "invalid_imei":
        from declarations.identifiers import imei_problem

        return any(imei_problem(v) for v in GoodsSerial.objects.filter(declaration=d).values_list("value", flat=True))
    if key == "permit_missing":
        return d.vehicle_country != "IR" and not TrafficPermit.objects.filter(declaration=d).exists()
    if key in ("permit_overdrive", "permit_gap"):
        field = {"permit_overdrive": "overdrive", "permit_gap": "gap"}[key]
        # the finding names the sightings behind it: reads of the truck at those offices
        return any(
            p.findings.get(field) and matches.filter(read__office__code=p.findings[field]["office"]).exists()
            for p in TrafficPermit.objects.filter(declaration=d)
        )
    if key == "permit_goods":
        return TrafficPermit.objects.filter(declaration=d, goods_weight_kg__isnull=False).exists()
    raise AssertionError(f"no evidence check for signal {key}")


def test_every_signal_has_declarations_with_the_evidence_behind_them(client, tmp_path):
    call_command("seed_demo", declarations=1500, credentials=str(tmp_path / "credentials.txt"), stdout=io.StringIO())
    now = timezone.now()
    qs = TransitDeclaration.objects.select_related("origin", "destination")
    hq = User.objects.get(username="hq")
    client.force_login(hq)
    for key in SIGNALS:
        flagged = filter_signal(qs, key, now)
        assert flagged.exists(), f"the demo has no declaration for signal {key}"
        for d in flagged.order_by("-declared_at")[:SAMPLE]:
            assert _evidence_ok(key, d, now), f"{key}: {d.serial} has no evidence behind it"

    # The page of a flagged declaration links to the evidence itself.
    seen = filter_signal(qs, "read_without_arrival", now).first()
    photo_read = PlateRead.objects.exclude(photo="").filter(matches__isnull=False).first()
    assert photo_read is not None
    page = client.get(reverse("declarations:detail", args=[photo_read.matches.first().declaration_id]))
    assert reverse("anpr:photo", args=[photo_read.pk]) in page.content.decode()
    assert client.get(reverse("declarations:detail", args=[seen.pk])).status_code == 200
    suspicious = filter_signal(qs, "scan_suspicious", now).first()
    comparison = ScanComparison.objects.filter(declaration=suspicious).latest("pk")
    assert comparison.heatmap, "a comparison has its change map"
    page = client.get(reverse("scans:declaration", args=[suspicious.pk]))
    assert reverse("scans:viewer", args=[comparison.pk]) in page.content.decode()
    assert client.get(reverse("scans:viewer", args=[comparison.pk])).status_code == 200

    # What else a person finds in the demo.
    assert Camera.objects.count() >= 20
    assert Camera.objects.filter(health=Camera.Health.SILENT).exists()
    # The TIR park's camera as the others: a lane, health-checked, reading; the foreign trucks' reads with confidence.
    park = Camera.objects.get(code="TBZ-TIR-1")
    assert park.lane == "1" and park.health_checked_at and park.health == Camera.Health.OK
    assert not PlateRead.objects.filter(client_event_id__startswith="demo-ft-", confidence__isnull=True).exists()
    assert PlateRead.objects.exclude(photo="").count() >= 3
    assert PlateRead.objects.filter(recognition="done").exists(), "a photo-only read was read by the OCR engine"
    # Every kind of the review queue has reads waiting for a person, each for the reason it names.
    from anpr import review

    for kind in review.KINDS:
        waiting = review.queue(hq, kind)
        assert waiting.exists(), f"the review queue has no {kind} read"
        assert all(kind in review.reasons_of(r, hq) for r in waiting[:3])
    # A person corrected some gates' misread text from the photo: the per-camera report counts them.
    from anpr.models import PlateLabel
    from anpr.reports import CameraCorrections

    corrected = PlateLabel.objects.filter(corrected=True).select_related("read")
    assert corrected.exists() and all(
        label.plate != label.plate_before == label.read.plate and label.read.photo for label in corrected
    )
    report = CameraCorrections(hq, timezone.now() - dt.timedelta(days=60), timezone.now() + dt.timedelta(hours=1))
    rows = list(report.rows())
    # A first reading of a read the reader gave no text for is counted apart, not as corrected.
    assert sum(row[4] for row in rows) == corrected.exclude(plate_before="").count()
    assert all(row[3] == row[4] + row[-2] + row[-1] for row in rows), "reviewed = corrected + confirmed + first read"
    not_read = review.queue(hq, "not_iranian").first()
    assert not_read.photo and not not_read.plate and not_read.recognition_error  # left to a person, saying why
    diplomatic = PlateRead.objects.filter(recognition="manual", recognition_error__contains="diplomatic or service")
    assert diplomatic.exists() and not diplomatic.exclude(plate="").exists(), "a D/S plate left to a person, named"
    # A muddy plate read in part: its page lists the open declaration whose truck it is.
    in_part = [
        r for r in PlateRead.objects.exclude(ocr_partial="").filter(plate="") if review.partial_candidates(r, hq)
    ]
    assert in_part, "a plate read in part with the declarations that fit it"
    page = client.get(reverse("anpr:read-review", args=[in_part[0].pk])).content.decode()
    assert "data-read-partial" in page and "data-partial-candidates" in page
    assert (
        Scan.objects.filter(stage=Stage.DESTINATION).exists() and Scan.objects.filter(preview_status="ready").exists()
    )
    # Another truck's scan reused rang the demo inspector's bell, naming what they may see.
    reused = Notification.objects.filter(kind=Kind.SCAN_REUSED, user__username="inspector")
    assert reused.exists(), "no reused-scan notice"
    as_inspector = Client()
    as_inspector.force_login(User.objects.get(username="inspector"))
    assert all(as_inspector.get(n.url).status_code == 200 for n in reused)
    verdicts = set(ScanComparison.objects.values_list("verdict", flat=True))
    assert {Verdict.SUSPICIOUS, Verdict.CONSISTENT} <= verdicts
    reviews = set(ScanComparison.objects.values_list("review", flat=True))
    assert {"pending", "accepted"} <= reviews
    assert TrafficPermit.objects.count() >= 5 and TrafficPermit.objects.filter(exited_at__isnull=False).exists()
    # A foreign truck leaves the country at a border or a port, never at an inland office.
    assert not TrafficPermit.objects.filter(exit_office__kind="inland").exists()
    assert ArrivalConfirmation.objects.exclude(evidence="").exists()
    letters = dict(FollowUpLetter.objects.values_list("status").annotate(n=Count("pk")))
    for status in (LetterStatus.DRAFT, LetterStatus.SENT, LetterStatus.ANSWERED):
        assert letters.get(status), f"no {status} letter"
    assert FollowUpLetter.objects.filter(reminded_at__isnull=False).exists()
    assert FollowUpLetter.objects.filter(escalated_at__isnull=False).exists()
    assert FollowUpLetter.objects.exclude(pdf="").exists(), "a sent letter has its PDF"
    assert JudicialCase.objects.exists() and JudicialAction.objects.exists()
    assert not User.objects.filter(username__startswith="clerk-", first_name="").exists(), "a clerk without a name"
    # Court file numbers carry the Jalali year of their opening, as Iranian courts number them.
    assert all(c.file_number.startswith(f"{to_jalali(c.opened_on).year}-") for c in JudicialCase.objects.all()), list(
        JudicialCase.objects.values_list("file_number", "opened_on")
    )
    assert Inspection.objects.filter(attachments__isnull=False).exclude(findings="").exists()
    for status in ProblemStatus.values:
        assert SystemProblem.objects.filter(status=status).exists(), f"no {status} problem"
    assert MonthlyReturn.objects.filter(province__isnull=True).exclude(pdf="").exists()
    # The national trend has a history: a national return for each of the last six ended months the
    # declarations cover (the demo's 18 months cover them), last month's the newest.
    national = list(MonthlyReturn.objects.filter(province__isnull=True).values_list("year", "month"))
    assert len(national) == len(set(national)) >= 6, national
    assert max(national) == previous_jalali_month(*jalali_month_of(timezone.now()))
    # Last month's return counts the plate reads and origin scans the demo made in that month: its cameras
    # and scanners were in service then, not only since a few days ago (the return said «0 / 0» for both).
    demo_return = MonthlyReturn.objects.filter(province__isnull=True).order_by("-year", "-month", "-version")[0]
    page = client.get(reverse("reports:return", args=[demo_return.pk])).content.decode()
    for figure in ("plate evidence of arrival", "origin scans in time"):
        found = re.search(rf"{figure}</td><td>([\d,]+) / ([\d,]+)</td>", page)
        assert found and int(found[1].replace(",", "")) > 0 and int(found[2].replace(",", "")) > 0, (figure, found)

    # The anti-smuggling rules (issue 15 §2): a serial mismatch blocking a settlement, a transport-document
    # discrepancy proposed as the reason, covered goods without serials, an invalid IMEI.
    from declarations import detection, serials

    blocked = [
        d
        for d in TransitDeclaration.objects.filter(status="arrived", serial_discrepancies__isnull=False).distinct()
        if any(b.key == "serial_discrepancy" and not b.overridden for b in serials.settlement_blocks(d))
    ]
    assert blocked, "no settlement blocked by a serial discrepancy"
    page = client.get(reverse("declarations:detail", args=[blocked[0].pk])).content.decode()
    assert 'data-block="serial_discrepancy"' in page
    assert SettlementOverride.objects.exists() and DiscrepancyResolution.objects.exists()
    # No settled declaration went past what its arrival recorded (broken seals, other seals, weight) unreleased;
    # the demo's broken seals still withhold a settlement.
    for d in TransitDeclaration.objects.filter(status="settled", arrival__isnull=False):
        assert not [b for b in serials.standing_blocks(d) if b.key in serials.ARRIVAL_BLOCKS], d.serial
    assert any(
        b.key == "seals_broken"
        for d in TransitDeclaration.objects.filter(status="arrived", arrival__seals_intact=False)
        for b in serials.standing_blocks(d)
    ), "no settlement withheld by seals broken on arrival"
    differing = TransportDocument.objects.exclude(differences=[]).select_related("declaration").first()
    assert differing is not None, "no transport-document discrepancy"
    assert "document_discrepancy" in {p.reason for p in detection.propose_reasons(differing.declaration)}
    assert TransitDeclaration.objects.filter(serial__startswith="HAND-", covered_without_serials=True).exists()
    assert TransitDeclaration.objects.filter(serial__startswith="HAND-", invalid_imei=True).exists()
    # numbered by the Jalali day they were registered (HAND-050916-001), not the Gregorian one (HAND-261207-…)
    by_hand = TransitDeclaration.objects.filter(serial__startswith="HAND-")
    today = to_tehran(timezone.now())
    days = {f"{to_jalali(today - dt.timedelta(days=k)):%y%m%d}" for k in (0, 1)}  # the seed may cross midnight
    assert by_hand.exists() and {d.serial[5:11] for d in by_hand} <= days, [d.serial for d in by_hand]

    # A province's return counts its offices' parts once for the province (by origin office, ``office_part``'s
    # sections): each part is that office counted alone, and the province's figure is what counting it alone gives,
    # over the demo's busiest provinces and last two months.
    from accounts.models import CustomsOffice, Province
    from reports import returns

    busiest = Province.objects.filter(
        pk__in=TransitDeclaration.objects.values("origin__province")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values("origin__province")[:3]
    )
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    sections = {
        "casework": ("letters", "cases"),
        "case_milestones": ("case_milestones",),
        "serial_rules": ("rules_serials",),
        "foreign_trucks": ("foreign_trucks",),
    }
    counted = set()  # the sections some office had a figure in: the comparison compared something
    for _ in range(2):
        start, end, _provisional = returns.period(year, month)
        for province in busiest:
            figures = returns.build_figures(year, month, province)
            for name, keys in sections.items():
                alone = getattr(returns, name)(start, end, province)
                assert all(figures[k] == alone[k] for k in keys), (province.code, year, month, name)
            for office in CustomsOffice.objects.filter(province=province):
                part = figures["offices"][office.code]
                own = returns.office_part({}, figures, start, end, office, returns._shape({}))
                for name, keys in sections.items():
                    assert all(part[k] == own[k] for k in keys), (office.code, year, month, keys)
                    if any(isinstance(v, int) and v for k in keys for v in _counts(part[k])):
                        counted.add(name)
        year, month = previous_jalali_month(year, month)
    assert counted == set(sections), counted


def _counts(section: dict):
    """Every count of a section of the return, nested ones too."""
    for value in section.values():
        if isinstance(value, dict):
            yield from _counts(value)
        elif not isinstance(value, bool):
            yield value
