"""The other declarations behind a duplicate flag (a truck on two, a goods serial/IMEI or a waybill in two),
so that whoever sees the flag on a declaration's page can check it.

What is said of another declaration outside the reader's scope: the fact and the office that registered it,
never its serial. A serial outside the scope is what the permission matrix treats as a leak
(``docs/security.md``) and what the plate-read review stopped showing (security probe #11); the office is
enough to investigate (ask it, or headquarters, who see both), and the shared plate, IMEI or waybill is this
declaration's own data. Inside the scope the other declaration is linked by its serial.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import CustomsOffice, User, offices_by_id

from .models import OPEN_STATUSES, GoodsSerial, Status, TransitDeclaration

# A flag is a handful of declarations; a waybill or an IMEI copied onto hundreds says so by its count.
LIMIT = 20


@dataclass(frozen=True)
class Other:
    """Another declaration sharing something with this one. ``pk`` and ``serial`` only when in scope."""

    flag: str  # the signal's key: dup_vehicle, dup_serial, dup_waybill
    origin: CustomsOffice | None
    destination: CustomsOffice | None
    pk: int | None = None
    serial: str = ""
    shared: str = ""  # the goods serial/IMEI both carry (dup_serial)


def _others(declaration: TransitDeclaration, flag: str) -> list[tuple[int, str]]:
    """(id, shared value) of the other declarations behind ``flag``; runs a query."""
    others = TransitDeclaration.objects.exclude(pk=declaration.pk).order_by("-declared_at", "-pk")
    if flag == "dup_vehicle":
        rows = others.filter(vehicle_id=declaration.vehicle_id, status=Status.IN_TRANSIT).values_list("pk", flat=True)
        return [(pk, "") for pk in rows[:LIMIT]]
    if flag == "dup_waybill":
        rows = others.filter(waybill_no=declaration.waybill_no).values_list("pk", flat=True)
        return [(pk, "") for pk in rows[:LIMIT]] if declaration.waybill_no else []
    values = GoodsSerial.objects.filter(declaration=declaration).values_list("value", flat=True)
    pairs = (
        GoodsSerial.objects.filter(value__in=values, declaration__status__in=OPEN_STATUSES)
        .exclude(declaration=declaration)
        .order_by("declaration_id", "value")
        .values_list("declaration_id", "value")
    )
    seen: dict[int, str] = {}
    for pk, value in pairs[: LIMIT * 5]:
        seen.setdefault(pk, value)
    return list(seen.items())[:LIMIT]


def others_of(declaration: TransitDeclaration, user: User, flags: list[str]) -> list[Other]:
    """The other declarations behind the duplicate ``flags`` the declaration shows (signal keys), for
    ``user``: linked by serial in the user's scope, by their registering office only outside it."""
    wanted = [f for f in ("dup_vehicle", "dup_serial", "dup_waybill") if f in flags]
    found = [(flag, pk, shared) for flag in wanted for pk, shared in _others(declaration, flag)]
    if not found:
        return []
    ids = {pk for _flag, pk, _shared in found}
    rows = {
        pk: (serial, origin_id, destination_id)
        for pk, serial, origin_id, destination_id in TransitDeclaration.objects.filter(pk__in=ids).values_list(
            "pk", "serial", "origin_id", "destination_id"
        )
    }
    visible = set(TransitDeclaration.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
    offices = offices_by_id()
    result = []
    for flag, pk, shared in found:
        serial, origin_id, destination_id = rows[pk]
        origin, destination = offices.get(origin_id), offices.get(destination_id)
        if pk in visible:
            result.append(Other(flag, origin, destination, pk=pk, serial=serial, shared=shared))
        else:
            result.append(Other(flag, origin, None, shared=shared))
    return result


def open_elsewhere(vehicle_id: int, user: User) -> list[Other]:
    """The truck's open declarations outside ``user``'s scope, by their registering office only (the truck's
    page lists those in the scope): a truck on two declarations can be checked from either."""
    if user.is_national:
        return []
    hidden = (
        TransitDeclaration.objects.filter(vehicle_id=vehicle_id, status__in=OPEN_STATUSES)
        .exclude(pk__in=TransitDeclaration.objects.for_user(user).values("pk"))
        .order_by("-declared_at", "-pk")
        .values_list("origin_id", flat=True)[:LIMIT]
    )
    offices = offices_by_id()
    return [Other("dup_vehicle", offices.get(origin_id), None) for origin_id in hidden]
