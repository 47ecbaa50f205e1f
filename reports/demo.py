"""The demo's evidence, app by app, each through its own services (``seed_demo`` calls ``evidence_demo``);
and that of reports itself: periodic inspections with findings and an attachment, system problems in
each state, and last month's national return built.

Everything is made for a bounded sample (``scale`` grows with the data up to 20,000 declarations and
stays there), so the 10-million benchmark seed pays the same few seconds as the demo.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import CustomsOffice, Role
from anpr.demo import anpr_demo, foreign_trucks_demo
from casework.demo import casework_demo
from core.dates import jalali_month_of, previous_jalali_month
from declarations.demo import arrivals_demo, demo_clerk, demo_staff, evidence_png, permits_demo
from declarations.models import TransitDeclaration
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
    # Last month's national return, built by headquarters.
    year, month = previous_jalali_month(*jalali_month_of(now))
    services.return_build(year=year, month=month, province=None, by=hq)
    counts = {
        "inspections": Inspection.objects.count(),
        "returns": MonthlyReturn.objects.count(),
    }
    for status in ProblemStatus.values:
        counts[f"problems_{status}"] = SystemProblem.objects.filter(status=status).count()
    return counts


STEPS: list[tuple[str, Callable[..., dict[str, int]]]] = [
    ("arrival confirmations", arrivals_demo),
    ("traffic permits", permits_demo),
    ("cameras and plate reads", anpr_demo),
    ("foreign trucks on the road", foreign_trucks_demo),
    ("scans and comparisons", scans_demo),
    ("letters and cases", casework_demo),
    ("inspections, problems, return", reports_demo),
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
