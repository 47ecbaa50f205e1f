"""Demo evidence of scans, made through its services: origin and destination X-ray scans drawn the way
the tests draw them (``scans.benchmark.pairs``: a synthetic truck scan, the destination imitating a
second scanner, one pair in three tampered), uploaded with ``scan_upload`` and compared by the
comparison job's own service, then some reviewed (accepted, escalated) by the destination; and each
scanner office's go-live (``scanner_since``) with the origin scans of nearly every departure since.

Small images (360×140) keep it fast; the number of pairs is bounded whatever the data size.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import CustomsOffice
from declarations.demo import demo_clerk, equipment_go_live
from declarations.models import Review, Status, TransitDeclaration, Verdict

from . import services
from .benchmark.pairs import make_pair, synthetic_scan
from .models import ScanComparison, Stage
from .services import UPLOAD_STATUSES

SIZE = (360, 140)
SMALL = (180, 70)  # origin scans that are never compared: the smallest that still looks like a truck
GO_LIVE_DEPARTURES = 25  # per office: the most departures whose origin scans the demo uploads


def _png(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def _upload(d: TransitDeclaration, stage: str, data: bytes, name: str, at: dt.datetime):
    office = d.origin if stage == Stage.ORIGIN else d.destination
    return services.scan_upload(
        declaration=d,
        stage=stage,
        scanner_id=f"{office.code}-NUC-1",
        captured_at=at,
        files=[SimpleUploadedFile(name, data)],
        by=demo_clerk(office),
    )


def _faulty_frame(seed: int) -> np.ndarray:
    """A destination frame of a scanner fault: smoothed noise of the demo's size, with nothing to align."""
    import cv2

    noise = np.random.default_rng(seed).random((SIZE[1], SIZE[0])).astype(np.float32)
    return (cv2.GaussianBlur(noise, (0, 0), 2) * 255).astype(np.uint8)


def _reuse_demo(scanned: list[TransitDeclaration], base, *, now: dt.datetime, latest: dt.datetime) -> int:
    """The same image uploaded for a second declaration (``services._earlier_same_image``): an origin
    scan of a truck that left reused for two trucks still in the yard (the ``scan_reused`` signal), and
    one pass of a truck carrying two declarations (noted only). Returns the scans uploaded."""
    from core.errors import DomainError

    uploaded = 0
    by_office: dict[int, list[TransitDeclaration]] = {}
    for d in scanned:
        by_office.setdefault(d.origin_id, []).append(d)
    waiting = base.filter(status=Status.REGISTERED, origin_scan_at__isnull=True, origin_id__in=list(by_office))
    at = min(now - dt.timedelta(minutes=20), latest)
    recent = list(waiting.filter(declared_at__gte=at - dt.timedelta(days=20)).order_by("-declared_at")[:50])
    # Bazargan's first, whatever the data size: its clerk and West Azerbaijan's inspector are demo users,
    # who find it on the scans page and on the bell (the notice goes to the provinces' inspectors).
    targets = sorted(recent, key=lambda d: d.origin.code != "BZG")[:2]
    with transaction.atomic():
        for target in targets:
            source = next((d for d in by_office[target.origin_id] if d.vehicle_id != target.vehicle_id), None)
            if source is None:
                continue
            data = _png(synthetic_scan(int(source.pk) + 7, *SMALL))  # the bytes of its origin scan
            try:
                _upload(target, Stage.ORIGIN, data, f"{target.serial}-origin.png", at)
            except DomainError:
                continue
            uploaded += 1
        vehicles = {d.vehicle_id: d for d in scanned}
        candidates = (
            base.filter(vehicle_id__in=list(vehicles), status__in=UPLOAD_STATUSES[Stage.ORIGIN])
            .filter(origin_scan_at__isnull=True)
            .order_by("-declared_at")[:50]
        )
        # Scanned at the same office: the pass that scanned the other declaration's load.
        twin = next((d for d in candidates if d.origin_id == vehicles[d.vehicle_id].origin_id), None)
        if twin is not None:
            source = vehicles[twin.vehicle_id]
            data = _png(synthetic_scan(int(source.pk) + 7, *SMALL))
            try:
                _upload(twin, Stage.ORIGIN, data, f"{twin.serial}-origin.png", source.origin_scan_at or at)
            except DomainError:
                pass
            else:
                uploaded += 1
    return uploaded


def scans_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    from celery import current_app

    current_app.conf.task_always_eager = True  # previews and comparisons run here, as without a broker
    base = TransitDeclaration.objects.select_related("origin", "destination").filter(origin__has_scanner=True)
    counts = {"scans": 0, "comparisons": 0, "reviews_accepted": 0, "reviews_escalated": 0}
    latest = now - dt.timedelta(minutes=5)

    def pick(qs, k):
        ids = list(qs.order_by("-declared_at").values_list("pk", flat=True)[: k * 3])
        if len(ids) > k:
            ids = rng.choice(ids, k, replace=False).tolist()
        return list(base.filter(pk__in=ids).order_by("declared_at"))

    # Pairs: both offices have a scanner, the truck has arrived (settled ones too: older, reviewed).
    both = base.filter(destination__has_scanner=True, arrived_at__isnull=False)
    recent = pick(both.filter(status__in=(Status.ARRIVED, Status.UNSETTLED)), int(14 * scale) + 4)
    older = pick(both.filter(status=Status.SETTLED, arrived_at__lt=now - dt.timedelta(days=10)), int(12 * scale) + 3)
    # The latest arrival's destination scanner gave a faulty frame (noise) that the comparison cannot
    # align to the origin scan: no verdict, left awaiting the destination's review (``scan_unaligned``).
    faulty = {recent[-1].pk} if recent else set()
    # One transaction for the uploads (one commit, not one per file); on its commit the previews
    # and the comparisons run, as the tasks would.
    with transaction.atomic():
        for i, d in enumerate(older + recent):
            src = synthetic_scan(int(d.pk), *SIZE)
            _, dest_jpeg, _label = make_pair(src, np.random.default_rng(int(d.pk)), tampered=i % 3 == 1)
            origin_at = min(d.departed_at - dt.timedelta(hours=1), latest)
            _upload(d, Stage.ORIGIN, _png(src), f"{d.serial}-origin.png", origin_at)
            dest_at = min(d.arrived_at + dt.timedelta(hours=1), latest)
            if d.pk in faulty:
                _upload(d, Stage.DESTINATION, _png(_faulty_frame(int(d.pk))), f"{d.serial}-dest.png", dest_at)
            else:
                _upload(d, Stage.DESTINATION, dest_jpeg, f"{d.serial}-dest.jpg", dest_at)
            counts["scans"] += 2
    # The comparison ran on commit of each destination upload (eager task); runs any left queued.
    for pk in ScanComparison.objects.filter(status=ScanComparison.Status.QUEUED).values_list("pk", flat=True):
        services.comparison_run(comparison_id=pk)
    comparisons = list(
        ScanComparison.objects.filter(declaration__in=older, status=ScanComparison.Status.DONE).select_related(
            "declaration__destination"
        )
    )
    counts["comparisons"] = ScanComparison.objects.filter(status=ScanComparison.Status.DONE).count()
    # The older ones were reviewed at the destination: suspicious ones mostly escalated.
    for j, comparison in enumerate(comparisons):
        if j % 5 == 4:
            continue  # left waiting for review
        clerk = demo_clerk(comparison.declaration.destination)
        if comparison.verdict == Verdict.SUSPICIOUS and j % 3 != 2:
            services.comparison_review(
                comparison=comparison,
                by=clerk,
                decision="escalate",
                remark="تفاوت محموله در ناحیهٔ مشخص‌شده؛ بازرسی فیزیکی لازم است.",
            )
            counts["reviews_escalated"] += 1
        else:
            # Images that could not be aligned are accepted only with a remark that they were compared by eye,
            # and a flagged one (suspicious, over its threshold, a reused image) only with the reason it was overruled.
            if comparison.unaligned:
                remark = "دو تصویر کنار هم مقایسه شد؛ تفاوتی در بار دیده نشد."
            elif services.flagged(comparison, clerk):
                remark = "بار در بازرسی فیزیکی با اظهارنامه مطابق بود؛ تفاوت از جابه‌جایی بار است."
            else:
                remark = ""
            services.comparison_review(comparison=comparison, by=clerk, decision="accept", remark=remark)
            counts["reviews_accepted"] += 1
    # The scanners went into service at their office a few days before last month, so that the demo's
    # return of that month counts their scans (no earlier than the office's
    # GO_LIVE_DEPARTURES-th latest departure, so a large data set pays the same): since then nearly
    # every truck leaving was scanned before it left (``CustomsOffice.scanner_since``: older departures
    # are not expected to have an origin scan).
    on_road = []
    for office in CustomsOffice.objects.filter(has_scanner=True).order_by("code"):
        departures = list(
            TransitDeclaration.objects.filter(origin=office, departed_at__isnull=False)
            .order_by("-departed_at")
            .values_list("departed_at", flat=True)[:GO_LIVE_DEPARTURES]
        )
        since = equipment_go_live(now, rng)
        if len(departures) == GO_LIVE_DEPARTURES:
            since = max(since, departures[-1])
        office.scanner_since = since
        office.save(update_fields=["scanner_since"])
        on_road += list(
            base.filter(
                origin=office,
                status__in=UPLOAD_STATUSES[Stage.ORIGIN],
                departed_at__gte=since,
                origin_scan_at__isnull=True,
            ).order_by("departed_at")
        )
    on_road = [d for i, d in enumerate(on_road) if i % 14 != 7]  # one in fourteen left unscanned
    with transaction.atomic():
        for d in on_road:
            data = _png(synthetic_scan(int(d.pk) + 7, *SMALL))
            at = min(d.departed_at - dt.timedelta(minutes=40), latest)
            _upload(d, Stage.ORIGIN, data, f"{d.serial}-origin.png", at)
            counts["scans"] += 1
    counts["scans_reused"] = _reuse_demo(on_road, base, now=now, latest=latest)
    counts["comparisons_suspicious"] = ScanComparison.objects.filter(verdict=Verdict.SUSPICIOUS).count()
    counts["comparisons_unaligned"] = ScanComparison.objects.filter(verdict=Verdict.UNREGISTERED).count()
    counts["comparisons_pending_review"] = ScanComparison.objects.filter(review=Review.PENDING).count()
    return counts
