"""Demo reviews of arrivals without plate read (``arrival_reads``), made through the service once the plate
reads are in (``reports.demo.STEPS``): a few explained by their destination's clerk, one of them then
referred by the province's inspector, so the page shows a history; the rest stay flagged."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import translation

from accounts.models import Role, User

from . import arrival_reads, monitoring
from .demo import demo_clerk
from .models import ArrivalReadReason, TransitDeclaration

EXPLANATIONS = [
    (
        ArrivalReadReason.CAMERA_DOWN,
        "دوربین ورودی در ساعت ورود کامیون تصویری نفرستاد؛ مشکل به دفتر فاوا گزارش شده بود و رسید بارنامه مهر ورود دارد.",
    ),
    (
        ArrivalReadReason.PLATE_UNREADABLE,
        "پلاک کامیون زیر گل‌ولای بود و دوربین آن را نخواند؛ پلاک پس از شست‌وشو در محوطه با اسناد تطبیق داده شد.",
    ),
    (
        ArrivalReadReason.GATE_WITHOUT_CAMERA,
        "به علت ازدحام، کامیون از در شمالی که دوربین ندارد وارد شد؛ دفتر ورود نگهبانی ساعت ورود را ثبت کرده است.",
    ),
]
REFERRAL = "در گزارش دفتر فاوا برای آن روز قطعی دوربین ثبت نشده است؛ برای بررسی حضوری ارجاع می‌شود."


def arrival_reads_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    flagged = list(
        monitoring.filter_signal(TransitDeclaration.objects.all(), "arrival_without_read", now).order_by(
            "arrived_at", "pk"
        )[: len(EXPLANATIONS) + 3]
    )
    explained = flagged[: min(len(EXPLANATIONS), max(len(flagged) - 2, 0))]  # the rest stay flagged
    reviews = []
    with translation.override(settings.LANGUAGE_CODE):  # an outage named is kept as shown, in Persian
        for d, (reason, note) in zip(explained, EXPLANATIONS, strict=False):
            clerk = demo_clerk(d.destination)
            reviews.append(arrival_reads.arrival_read_review(declaration=d, by=clerk, reason=reason, note=note))
        # The inspector doubts the first explanation: not explained, referred (a revision, the first kept).
        for review in reviews[:1]:
            d = review.declaration
            provinces = (d.origin.province_id, d.destination.province_id)
            inspector = (
                User.objects.filter(role=Role.INSPECTOR, is_active=True)
                .filter(Q(province_id__in=provinces))
                .order_by("pk")
                .first()
            )
            if inspector is not None:
                arrival_reads.arrival_read_review(
                    declaration=d, by=inspector, reason=ArrivalReadReason.REFER, note=REFERRAL, supersedes=review.pk
                )
    return {"arrival_reads_explained": len(reviews)}
