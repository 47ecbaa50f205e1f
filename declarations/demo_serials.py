"""Demo evidence of the anti-smuggling rules (issue 15 §2), each made through its service:

- serials found on arrival: counts that agree, counts with a missing and an extra phone (a discrepancy
  blocking the settlement; one resolved, one released by an override and settled, the others blocked);
- transport documents, most agreeing with their declaration, some not (a document discrepancy);
- two declarations registered by hand: phones without their IMEIs (covered goods without serials) and a
  phone whose IMEI fails its check digit (invalid IMEI).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db.models import Sum
from django.utils import timezone

from accounts.models import CustomsOffice, Role
from core.dates import to_jalali, to_tehran

from . import serials, services, transport_docs
from .demo import _ids, demo_clerk, demo_staff
from .identifiers import luhn_check_digit
from .models import GoodsSerial, Source, Status, TransitDeclaration


def _imei(rng: np.random.Generator) -> str:
    body = f"35{int(rng.integers(0, 10**12)):012d}"
    return body + luhn_check_digit(body)


RECOUNT_RELEASES = frozenset({"serial_discrepancy", "serial_shared"})
RECOUNT_REASONS = {
    False: "شمارش دوباره در حضور نمایندهٔ مبدأ؛ کالا آزاد شد.",
    True: "شمارش دوباره در حضور نمایندهٔ مبدأ؛ IMEI مشترک با اظهارنامهٔ دیگر استعلام و رد شد؛ کالا آزاد شد.",
}


def _arrival_counts(rng: np.random.Generator, scale: float) -> dict[str, int]:
    counts = {"arrival_counts": 0, "serial_discrepancies": 0, "settlements_blocked": 0, "settlement_overrides": 0}
    with_serials = TransitDeclaration.objects.filter(
        status=Status.ARRIVED, pk__in=GoodsSerial.objects.values("declaration_id")
    )
    hq = demo_staff("hq", Role.HQ)
    for i, pk in enumerate(_ids(with_serials, int(24 * scale) + 6, rng)):
        d = TransitDeclaration.objects.select_related("origin", "destination").get(pk=pk)
        clerk = demo_clerk(d.destination)
        declared = list(GoodsSerial.objects.filter(declaration=d).order_by("pk").values_list("value", flat=True))
        if i % 5 == 4:  # the count agrees
            serials.arrival_serials_record(declaration=d, values=declared, by=clerk)
            counts["arrival_counts"] += 1
            continue
        # One phone missing, one not declared found in its place.
        serials.arrival_serials_record(declaration=d, values=[*declared[:-1], _imei(rng)], by=clerk)
        counts["arrival_counts"] += 1
        counts["serial_discrepancies"] += 1
        current = serials.open_discrepancy(d)
        if i % 5 == 1 and current is not None:
            serials.discrepancy_resolve(
                discrepancy=current,
                by=clerk,
                reason="سریال کالا در اظهارنامه اشتباه تایپ شده بود؛ نامهٔ گمرک مبدأ پیوست است.",
            )
        elif i % 5 == 2 and {b.key for b in serials.standing_blocks(d)} <= RECOUNT_RELEASES:
            # Released on a recount; not one with anything else standing (a suspicious scan the destination
            # has yet to review, broken seals recorded at arrival): the override would release that too. A phone's
            # IMEI also on another open declaration (half the demo's open phones share one) is checked with it.
            shared = any(b.key == "serial_shared" for b in serials.standing_blocks(d))
            serials.settlement_override(declaration=d, by=hq, reason=RECOUNT_REASONS[shared])
            services.declaration_settle(declaration=d, by=clerk)
            counts["settlement_overrides"] += 1
        else:  # left open: the release waits
            counts["settlements_blocked"] += 1
    return counts


def _transport_documents(rng: np.random.Generator, scale: float) -> dict[str, int]:
    counts = {"transport_documents": 0, "document_discrepancies": 0}
    offices = list(CustomsOffice.objects.values_list("code", flat=True))
    open_ = TransitDeclaration.objects.filter(status__in=(Status.IN_TRANSIT, Status.ARRIVED))
    for i, pk in enumerate(_ids(open_, int(30 * scale) + 6, rng)):
        d = TransitDeclaration.objects.select_related("origin", "destination").get(pk=pk)
        goods = d.goods.order_by("line_no")
        totals = goods.aggregate(q=Sum("quantity"), w=Sum("gross_weight_kg"))
        first = goods.first()
        if first is None:
            continue
        fields = {
            "origin": d.origin.code,
            "destination": d.destination.code,
            "goods_description": "، ".join(g.description for g in goods),  # the document names every line
            "quantity": totals["q"],
            "gross_weight_kg": totals["w"],
        }
        if i % 4 == 1:  # the document names another destination
            fields["destination"] = next(c for c in offices if c not in (d.origin.code, d.destination.code))
        elif i % 4 == 3:  # more goods on paper than declared
            fields["quantity"] = (totals["q"] or Decimal(0)) + 40
        issued = (d.departed_at or d.declared_at) - dt.timedelta(hours=2)
        document = transport_docs.transport_document_record(
            declaration=d,
            number=f"CMR-{d.pk:08d}",
            issued_on=timezone.localtime(issued).date(),
            by=demo_clerk(d.origin),
            source=Source.USER if i % 2 else Source.API,
            **fields,
        )
        counts["transport_documents"] += 1
        counts["document_discrepancies"] += bool(document.differences)
    return counts


def _by_hand(rng: np.random.Generator, now: dt.datetime) -> dict[str, int]:
    """Two declarations registered by hand at Bazargan (ICS down): the covered-goods rules at work."""
    origin = CustomsOffice.objects.filter(code="BZG").first() or CustomsOffice.objects.order_by("code")[0]
    destination = CustomsOffice.objects.exclude(pk=origin.pk).order_by("code")[0]
    clerk = demo_clerk(origin)
    bad = _imei(rng)
    bad = bad[:-1] + str((int(bad[-1]) + 3) % 10)  # fails its check digit
    made = 0
    day = f"{to_jalali(to_tehran(now)):%y%m%d}"  # the Jalali day, as a clerk would number it: 050916
    for n, (description, hs, line_serials) in enumerate(
        [
            ("یخچال فریزر خانگی", "841821", ""),  # covered (group الف), no serials
            ("گوشی تلفن همراه", "851713", f"{_imei(rng)};{bad}"),
        ]
    ):
        serial = f"HAND-{day}-{n + 1:03d}"
        if TransitDeclaration.objects.filter(serial=serial).exists():
            continue
        row = {
            "serial": serial,
            "declared_at": (now - dt.timedelta(hours=3)).isoformat(),
            "origin": origin.code,
            "destination": destination.code,
            "plate": f"{int(rng.integers(10, 99))}ع{int(rng.integers(100, 999))}{int(rng.integers(10, 99))}",
            "plate_country": "IR",
            "waybill_no": f"HWB-{day}-{n + 1}",
            "seals": f"HS{int(rng.integers(10**6, 10**7))}",
        }
        goods = [
            {
                "goods_line": "1",
                "hs_code": hs,
                "description": description,
                "quantity": "40",
                "unit": "عدد",
                "gross_weight_kg": "2400" if hs.startswith("8418") else "20",
                "value": "18000",
                "goods_serials": line_serials,
            }
        ]
        services.declaration_register(row=row, goods=goods, by=clerk)
        made += 1
    return {"registered_by_hand": made}


def serials_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    return {
        **_arrival_counts(rng, scale),
        **_transport_documents(rng, scale),
        **_by_hand(rng, now),
    }
