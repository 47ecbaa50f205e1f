"""Duplicate flags: a waybill, a goods serial or a truck on more than one declaration."""

from __future__ import annotations

from collections.abc import Iterable

from .models import OPEN_STATUSES, GoodsSerial, Status, TransitDeclaration


def refresh_waybill_flag(waybills: Iterable[str]) -> None:
    """Flag every declaration whose waybill number is used by another declaration."""
    waybills = {w for w in waybills if w}
    if not waybills:
        return
    from django.db.models import Count

    dup = set(
        TransitDeclaration.objects.filter(waybill_no__in=waybills)
        .values("waybill_no")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("waybill_no", flat=True)
    )
    if dup:
        TransitDeclaration.objects.filter(waybill_no__in=dup, dup_waybill=False).update(dup_waybill=True)


def refresh_serial_flag(values: Iterable[str]) -> None:
    """Flag open declarations that share a goods serial/IMEI with another open declaration."""
    values = set(values)
    if not values:
        return
    rows = GoodsSerial.objects.filter(value__in=values, declaration__status__in=OPEN_STATUSES).values_list(
        "value", "declaration_id"
    )
    seen: dict[str, set[int]] = {}
    for value, decl_id in rows:
        seen.setdefault(value, set()).add(decl_id)
    flagged = {d for ids in seen.values() if len(ids) > 1 for d in ids}
    if flagged:
        TransitDeclaration.objects.filter(pk__in=flagged, dup_goods_serial=False).update(dup_goods_serial=True)


def refresh_vehicle_flag(vehicle_ids: Iterable[int]) -> None:
    """A truck is on two open declarations at once when two are in transit together."""
    for vid in set(vehicle_ids):
        ids = list(
            TransitDeclaration.objects.filter(vehicle_id=vid, status=Status.IN_TRANSIT).values_list("id", flat=True)[
                :50
            ]
        )
        flagged = ids if len(ids) > 1 else []
        TransitDeclaration.objects.filter(vehicle_id=vid, dup_vehicle=True).exclude(pk__in=flagged).update(
            dup_vehicle=False
        )
        if flagged:
            TransitDeclaration.objects.filter(pk__in=flagged, dup_vehicle=False).update(dup_vehicle=True)


def refresh_flags_for(declaration_ids: Iterable[int]) -> None:
    ids = list(declaration_ids)
    decls = TransitDeclaration.objects.filter(pk__in=ids)
    refresh_waybill_flag(decls.values_list("waybill_no", flat=True))
    refresh_serial_flag(GoodsSerial.objects.filter(declaration_id__in=ids).values_list("value", flat=True))
    refresh_vehicle_flag(decls.values_list("vehicle_id", flat=True))
