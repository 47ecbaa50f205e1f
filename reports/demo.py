"""The demo's evidence, app by app, each through its own services (``seed_demo`` calls ``evidence_demo``);
and that of reports itself: periodic inspections with findings and an attachment, system problems in
each state, the national returns of the last ended months built, and those of the demo inspectors' provinces.

Everything is made for a bounded sample (``scale`` grows with the data up to 20,000 declarations and
stays there), so the 10-million benchmark seed pays the same few seconds as the demo.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import CustomsOffice, Role, User
from anpr.demo import anpr_demo, foreign_trucks_demo
from casework.demo import casework_demo
from core.dates import jalali_month_of, previous_jalali_month
from declarations.demo import arrivals_demo, demo_clerk, demo_clock, demo_staff, evidence_png, permits_demo
from declarations.demo_arrival_reads import arrival_reads_demo
from declarations.demo_serials import serials_demo
from declarations.models import Status, TransitDeclaration
from scans.demo import scans_demo

from . import services
from .models import CHECKLIST, Check, Inspection, MonthlyReturn, ProblemStatus, Symptom, System, SystemProblem

PROBLEMS = [
    (System.ICS, Symptom.ARRIVALS_NOT_VISIBLE, "اعلام وصول‌های امروز در سامانهٔ جامع دیده نمی‌شود."),
    (System.ANPR, Symptom.UNAVAILABLE, "دوربین پلاک‌خوان ورودی از صبح تصویری نمی‌فرستد."),
    (System.SCANNER, Symptom.SLOW, "بارگذاری تصاویر ایکس‌ری بیش از ده دقیقه طول می‌کشد."),
    (System.NETWORK, Symptom.UNAVAILABLE, "قطعی شبکه بین گمرک و مرکز استان."),
    (System.EPL, Symptom.DATA_MISSING, "شمارهٔ بارنامه در اظهارنامه‌ها خالی آمده است."),
    (System.TRANSIT_MONITOR, Symptom.SLOW, "صفحهٔ فهرست اظهارنامه‌ها کند باز می‌شود."),
]


# The ended months whose national return the demo builds, so the national trend has a history: six (each
# build of 20,000 declarations takes seconds; twelve, the dashboard's chart, added about a minute to the seed).
TREND_MONTHS = 6
# Of those, the last months whose return the demo also builds for each demo inspector's province (a province's
# trend draws from its own returns): three points, 3 to 5 s a return (a PDF each), 10 to 16 s added to the seed.
PROVINCE_TREND_MONTHS = 3


def _trend_months(now: dt.datetime) -> list[tuple[int, int]]:
    """The ended Jalali months, newest first, that the demo's declarations cover (the month of the first one
    declared onwards), at most ``TREND_MONTHS``; last month at least."""
    first = TransitDeclaration.objects.order_by("declared_at").values_list("declared_at", flat=True).first()
    earliest = jalali_month_of(first) if first else None
    months = [previous_jalali_month(*jalali_month_of(now))]
    while len(months) < TREND_MONTHS and earliest is not None and previous_jalali_month(*months[-1]) >= earliest:
        months.append(previous_jalali_month(*months[-1]))
    return months


def reports_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    hq = demo_staff("hq", Role.HQ)
    it = demo_staff("it", Role.IT)
    inspector = demo_staff("inspector", Role.INSPECTOR, province_code="WAZ")
    today = timezone.localdate()
    # Inspections: the WAZ inspector's offices, headquarters' visits elsewhere.
    offices = list(CustomsOffice.objects.filter(province__code="WAZ").order_by("code")) + list(
        CustomsOffice.objects.filter(code__in=["JLF", "THR", "SRJ"]).order_by("code")
    )
    for i, office in enumerate(offices):
        by = inspector if office.province.code == "WAZ" else hq
        failed = i % 2 == 0
        checklist: dict[str, str] = dict.fromkeys(CHECKLIST, str(Check.YES))
        if failed:
            checklist["origin_scans_uploaded"] = str(Check.NO)
        if not office.has_anpr:
            checklist["anpr_working"] = str(Check.NA)
        on = today - dt.timedelta(days=int(rng.integers(10, 120)))
        services.inspection_record(
            office=office,
            by=by,
            inspected_on=on,
            checklist=checklist,
            findings="تصاویر مبدأ چند کامیون بارگذاری نشده بود." if failed else "موردی دیده نشد.",
            follow_up_actions="آموزش کارشناسان اسکنر و گزارش هفتگی به مرکز استان." if failed else "",
            follow_up_due=on + dt.timedelta(days=30) if failed else None,
            attachments=[
                SimpleUploadedFile(
                    f"inspection-{office.code}.png",
                    evidence_png("گزارش بازرسی", [office.code, on.isoformat()], seed=i),
                )
            ],
        )
    # System problems: two new, two acknowledged, two resolved.
    for i, (system, symptom, text) in enumerate(PROBLEMS):
        office = CustomsOffice.objects.get(code=["BZG", "THR", "JLF", "SRO", "URM", "SRJ"][i])
        reporter = demo_clerk(office)
        decls = list(TransitDeclaration.objects.for_user(reporter).filter(status="in_transit").order_by("-pk")[:2])
        problem = services.problem_report(
            by=reporter,
            system=system,
            symptom=symptom,
            office=office,
            since=now - dt.timedelta(hours=int(rng.integers(2, 200))),
            description=text,
            declarations=decls if i % 2 == 0 else (),
        )
        if i >= 2:
            problem = services.problem_acknowledge(problem=problem, by=it)
        if i >= 4:
            services.problem_resolve(problem=problem, by=it, resolution="پیکربندی اصلاح و سرویس دوباره راه‌اندازی شد.")
    # The national returns of the last ended months the declarations cover (``TREND_MONTHS``), built by
    # headquarters oldest first (last month's newest): the national trend draws one point a return.
    for year, month in reversed(_trend_months(now)):
        services.return_build(year=year, month=month, province=None, by=hq)
    counts = {"inspections": Inspection.objects.count()}
    for status in ProblemStatus.values:
        counts[f"problems_{status}"] = SystemProblem.objects.filter(status=status).count()
    return counts


def province_returns_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    """The provincial returns of the last ``PROVINCE_TREND_MONTHS`` months for each demo inspector's province,
    built by that inspector through the same service: a province's trend draws from its own returns only (the
    national figures keep a province's balance, not its days past the deadline), so without them the inspector's
    trend was empty until the province built its first return. Its own step, timed apart by the seed."""
    inspectors = (
        User.objects.filter(role=Role.INSPECTOR, province__isnull=False, is_active=True)
        .select_related("province")
        .order_by("province__code", "pk")
    )
    by_province = {u.province_id: u for u in inspectors}  # one inspector builds each province's returns
    for year, month in reversed(_trend_months(now)[:PROVINCE_TREND_MONTHS]):
        for inspector in by_province.values():
            services.return_build(year=year, month=month, province=inspector.province, by=inspector)
    return {"returns": MonthlyReturn.objects.count()}


def today_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    """Today's traffic between the demo users' offices, Bazargan to Tehran, whatever the data size: what
    each of them works on in a day, made as the day would make it (registered by hand an hour before leaving,
    departed, read at the gate, scanned, compared):

    - two trucks read at Tehran's gate hours ago, one with its photo, arrival not yet confirmed
      ("plate read, no arrival": Tehran confirms it and sees the read; the inspector follows it);
    - two trucks arrived at Tehran whose destination scan differs from the origin's (suspicious,
      waiting for Tehran's review; Tehran is notified);
    - two trucks that left Bazargan this morning with no origin scan yet (Bazargan uploads one);
    - follow-up letters drafted for Bazargan's two longest-overdue trucks that have none (Bazargan sends them).
    """
    from anpr import ingest
    from anpr.demo import _photo
    from anpr.models import Camera
    from declarations import services as declaration_services
    from scans.benchmark.pairs import make_pair, synthetic_scan
    from scans.demo import SIZE, _png, _upload
    from scans.models import Stage

    bazargan = CustomsOffice.objects.get(code="BZG")
    tehran = CustomsOffice.objects.get(code="THR")
    origin_clerk, dest_clerk = demo_clerk(bazargan), demo_clerk(tehran)
    year = jalali_month_of(now)[0]
    plates = ["24ع31715", "63ب52825", "47ج61935", "88د24645", "35س74255", "51ط83665"]
    made: list = []
    for i, plate in enumerate(plates):
        departed = now - dt.timedelta(hours=[30, 26, 40, 36, 9, 8][i])
        row = {
            "serial": f"{year}-BZG-9{i + 1:07d}",
            "declared_at": (departed - dt.timedelta(hours=2)).isoformat(),
            "origin": "BZG",
            "destination": "THR",
            "plate": plate,
            "plate_country": "IR",
            "driver_name": ["علی رضایی", "حسن کریمی", "مهدی نوری", "سعید قاسمی", "امیر موسوی", "یوسف اکبری"][i],
            "waybill_no": f"WB-BZG-{year}-{i + 1:04d}",
            "seals": f"S{81000 + 2 * i}, S{81001 + 2 * i}",
            "guarantee_amount": str(int(rng.integers(50, 500)) * 10_000_000),
        }
        goods = [{"hs_code": "847130", "description": "رایانه قابل حمل", "quantity": "240", "unit": "عدد"}]
        # Typed in by Bazargan's clerk (ICS down) an hour before the truck left, when the clerk did: the
        # registration records the moment it runs, so it runs then (not at the seed's run time, after the departure).
        with demo_clock(departed - dt.timedelta(hours=1)):
            d = declaration_services.declaration_register(row=row, goods=goods, by=origin_clerk)
        if i in (2, 3):  # scanned at Bazargan before leaving
            _upload(d, Stage.ORIGIN, _png(synthetic_scan(9000 + i, *SIZE)), f"{d.serial}-origin.png", departed)
        d = declaration_services.declaration_depart(declaration=d, by=origin_clerk, at=departed)
        made.append(d)
    camera = Camera.objects.filter(office=tehran, direction="in").order_by("pk").first()
    reads = 0
    if camera is not None:
        items = []
        for i, hours_ago in ((0, 11), (1, 10), (2, 6), (3, 5)):
            d = made[i]
            items.append(
                ingest.ReadInput(
                    captured_at=now - dt.timedelta(hours=hours_ago),
                    plate_raw=d.vehicle.plate,
                    country="IR",
                    confidence=0.93,
                    client_event_id=f"demo-today-{d.pk}",
                    photo=_photo(d.vehicle.plate, d.pk) if i in (0, 2) else None,
                )
            )
        with transaction.atomic():
            reads = len(ingest.reads_ingest(camera=camera, items=items, match_inline=True))
    for i in (2, 3):  # arrived, then scanned at Tehran: the load differs
        d = TransitDeclaration.objects.get(pk=made[i].pk)
        arrived = now - dt.timedelta(hours=4)
        declaration_services.declaration_confirm_arrival(
            declaration=d, by=dest_clerk, at=arrived, seal_numbers_found=list(d.seal_numbers), unseen_reason=""
        )
        src = synthetic_scan(9000 + i, *SIZE)
        _, dest_jpeg, _label = make_pair(src, np.random.default_rng(9000 + i), tampered=True)
        with transaction.atomic():
            _upload(d, Stage.DESTINATION, dest_jpeg, f"{d.serial}-dest.jpg", arrived + dt.timedelta(hours=1))
    from casework import services as casework_services
    from casework.models import FollowUpLetter

    overdue = (
        TransitDeclaration.objects.filter(origin=bazargan, status=Status.IN_TRANSIT, deadline__lt=now)
        .exclude(pk__in=FollowUpLetter.objects.values("declaration_id"))
        .order_by("deadline")[:2]
    )
    drafts = [casework_services.letter_draft(declaration=d, by=origin_clerk) for d in overdue]
    return {"today_declarations": len(made), "today_reads": reads, "today_drafts": len(drafts)}


STEPS: list[tuple[str, Callable[..., dict[str, int]]]] = [
    ("arrival confirmations", arrivals_demo),
    ("traffic permits", permits_demo),
    ("cameras and plate reads", anpr_demo),
    ("foreign trucks on the road", foreign_trucks_demo),
    ("scans and comparisons", scans_demo),
    ("serials, transport documents, covered goods", serials_demo),
    ("letters and cases", casework_demo),
    ("inspections, problems, return", reports_demo),
    ("the demo inspectors' provincial returns", province_returns_demo),
    ("arrivals without plate read explained", arrival_reads_demo),
    ("today between the demo offices", today_demo),
]


def evidence_demo(
    *, n_declarations: int, seed: int = 1404, now: dt.datetime | None = None, progress=None
) -> dict[str, int]:
    """Every app's demo evidence, in the order a day of the system would make it. Returns counts;
    ``progress(step, seconds)`` after each step."""
    from celery import current_app

    current_app.conf.task_always_eager = True  # no worker: tasks run here, as in the embedded default
    rng = np.random.default_rng(seed)
    now = now or timezone.now()
    scale = min(1.0, max(n_declarations, 1) / 20_000)
    counts: dict[str, int] = {}
    for name, step in STEPS:
        t0 = time.perf_counter()
        counts.update(step(rng=rng, now=now, scale=scale))
        if progress:
            progress(name, time.perf_counter() - t0)
    return counts
