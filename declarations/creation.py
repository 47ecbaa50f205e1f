"""Writing validated declarations (``Parsed``) in bulk: shared by the ICS import and hand registration
(``services.declaration_register``), so a declaration is stored the same way whichever door it came in by."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core import audit, text

from . import covered, flags, hooks
from .import_validation import Parsed
from .models import (
    DeclarationEvent,
    Driver,
    GoodsItem,
    GoodsSerial,
    RouteTimeLimit,
    Source,
    Status,
    TransitDeclaration,
    TransportCompany,
    Vehicle,
)

# An import's reference as stored (the record stays as written); shown in the page's language.
_IMPORT_REF = re.compile(r"^import batch (\d+): (.*)$", re.S)
_EXPORT_REF = re.compile(r"^ICS export (.*) imported ([0-9/: ]+)$", re.S)
_API_REF = re.compile(r"^API import by (.+)$", re.S)  # import_jobs.py writes an API import's so


def import_source_ref(batch_id: int, ref: str) -> str:
    return f"import batch {batch_id}: {ref}"[:200]


def source_ref_display(ref: str | None) -> str:
    """``import batch 12: file.csv`` as «دستهٔ ورود ۱۲: file.csv» in Persian, an ICS export's and an API import's
    description (stored in English, as the importer wrote it) in the reader's words, a user's name isolated;
    any other reference as stored."""
    m = _IMPORT_REF.match(ref or "")
    if m is None:
        return ref or ""
    inner = m[2]
    if e := _EXPORT_REF.match(inner):  # importer.py and import_jobs.py write it so
        inner = _("ICS export %(file)s imported %(at)s") % {"file": text.isolate(e[1]), "at": text.digits(e[2])}
    elif a := _API_REF.match(inner):
        inner = _("API import by %(user)s") % {"user": _importer(a[1])}
    return _("import batch %(n)s: %(ref)s") % {"n": text.digits(m[1]), "ref": inner}


def status_source_ref_display(source: str | None, ref: str | None) -> str:
    """The reference shown beside a status source (``source_ref_display``), or nothing when it only names the
    source again, in any of the site's languages: the demo's rows carry «داده نمایشی» as their reference, and
    «داده نمایشی — داده نمایشی» (or, in English, "demo data — داده نمایشی") says nothing twice."""
    shown = source_ref_display((ref or "").strip())
    if not shown or source not in Source.values:
        return shown
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(Source(source).label).strip())
    return "" if shown.strip() in labels else shown


def _importer(username: str) -> str:
    """The person an API import's reference names by username (as ``import_jobs`` stores it), by their display
    name as everywhere else (``person_text``: «سامانه جامع گمرکی (اتصال)», not «ics»), isolated; the username
    when no such user is left. Runs a query."""
    user = User.objects.filter(username=username).first()
    return text.isolate((user.get_full_name() or user.username) if user else username, "auto")


def deadline_for(origin_id: int, destination_id: int, departed_at: dt.datetime) -> dt.datetime:
    return departed_at + dt.timedelta(hours=RouteTimeLimit.hours_for(origin_id, destination_id))


def create_declarations(new: list[Parsed], *, by, source: str, source_ref: str, event_kind: str = "import") -> int:
    """Bulk-create validated declarations with their vehicles, drivers, companies, goods and serials,
    each with its first timeline event (``event_kind``: "import", or a registration's kind: "register" by
    hand, "register_integration" by the ICS integration client), and refresh the duplicate flags they touch.

    The caller has checked the right to create each (scope, serial not stored) and holds a
    transaction: an ``IntegrityError`` (a serial taken meanwhile) leaves nothing behind."""
    vehicles = _ensure_vehicles(new)
    companies = _ensure_companies(new)
    drivers = _ensure_drivers(new)
    now = timezone.now()
    table = covered.rules()
    decls = []
    for p in new:
        uncovered, invalid_imei = covered.goods_flags(
            p.declared_at, ((g["hs_code"], g["serials"]) for g in p.goods), table
        )
        # When the row's status was reached: its own time (``status_at``), else, for a status past
        # registration, when we learned of it (this import), so that a row ICS reports settled, closed or
        # cancelled has the end the pages and the monthly return read; each earlier move its status implies
        # happened then at the latest (as ``importer._reconcile`` moves a stored row).
        at = p.status_at or (p.declared_at if p.status == Status.REGISTERED else now)
        departed = at if p.status not in (Status.REGISTERED, Status.CANCELLED) else None
        deadline = p.deadline or (deadline_for(p.origin.pk, p.destination.pk, departed) if departed else None)
        decls.append(
            TransitDeclaration(
                serial=p.serial,
                declared_at=p.declared_at,
                origin=p.origin,
                destination=p.destination,
                route=p.route,
                vehicle=vehicles[(p.plate_country, p.plate)],
                vehicle_country=p.plate_country,
                trailer_plate=p.trailer_plate,
                driver=drivers.get((p.driver_national_id, p.driver_passport, p.driver_name)),
                company=companies.get(p.company_reg_no),
                waybill_no=p.waybill_no,
                seal_numbers=p.seals,
                container_numbers=p.containers,
                mrn=p.mrn,
                guarantee_ref=p.guarantee_ref,
                guarantee_amount=p.guarantee_amount,
                deadline=deadline,
                status=p.status,
                departed_at=departed,
                arrived_at=at if p.status in (Status.ARRIVED, Status.SETTLED, Status.UNSETTLED) else None,
                settled_at=at if p.status == Status.SETTLED else None,
                cancelled_at=at if p.status == Status.CANCELLED else None,
                closed_at=at if p.status == Status.CLOSED else None,
                unsettled_reason=p.unsettled_reason if p.status == Status.UNSETTLED else "",
                unsettled_note=p.unsettled_note if p.status == Status.UNSETTLED else "",
                unsettled_at=at if p.status == Status.UNSETTLED else None,
                status_source=source,
                status_source_ref=source_ref[:200],
                # When the status was recorded: a row's own status time, else, registered here, now (the
                # declared time is when it was declared, hours before it was typed or sent in here).
                status_changed_at=p.status_at or (now if event_kind != "import" else at),
                status_changed_by=by,
                covered_without_serials=uncovered,
                invalid_imei=invalid_imei,
            )
        )
    TransitDeclaration.objects.bulk_create(decls, batch_size=1000)
    ids = dict(TransitDeclaration.objects.filter(serial__in=[p.serial for p in new]).values_list("serial", "id"))
    for d in decls:
        d.pk = d.pk or ids[d.serial]
    audit.record_created(decls)  # bulk_create sends no signal: one create entry per declaration
    goods, events = [], []
    for p in new:
        events.append(
            DeclarationEvent(
                declaration_id=ids[p.serial],
                at=now,
                kind=event_kind,
                actor=by,
                source=source,
                message=source_ref[:500],
                data={"status": p.status, "row": p.row, "source_ref": source_ref},
            )
        )
        for g in p.goods:
            goods.append(
                GoodsItem(
                    declaration_id=ids[p.serial],
                    line_no=g["line_no"],
                    hs_code=g["hs_code"],
                    description=g["description"],
                    quantity=g["quantity"],
                    unit=g["unit"],
                    gross_weight_kg=g["gross_weight_kg"],
                    value=g["value"],
                    serials=g["serials"],
                )
            )
    GoodsItem.objects.bulk_create(goods, batch_size=1000)
    DeclarationEvent.objects.bulk_create(events, batch_size=1000)
    serial_rows = []
    with_serials = [item for item in goods if item.serials]
    if with_serials:
        item_ids = {
            (d, n): i
            for i, d, n in GoodsItem.objects.filter(
                declaration_id__in=[item.declaration_id for item in with_serials]
            ).values_list("id", "declaration_id", "line_no")
        }
        for item in with_serials:
            for value in item.serials:
                serial_rows.append(
                    GoodsSerial(
                        value=value,
                        is_imei=len(value) == 15 and value.isdigit(),
                        declaration_id=item.declaration_id,
                        goods_item_id=item_ids[(item.declaration_id, item.line_no)],
                    )
                )
        GoodsSerial.objects.bulk_create(serial_rows, batch_size=1000)
    flags.refresh_waybill_flag({p.waybill_no for p in new})
    flags.refresh_serial_flag({s.value for s in serial_rows})
    flags.refresh_vehicle_flag({d.vehicle_id for d in decls if d.status == Status.IN_TRANSIT})
    hooks.tell_changes(_changes(decls, by=by, source=source, source_ref=source_ref))
    return len(new)


def _changes(decls: list[TransitDeclaration], *, by, source: str, source_ref: str) -> list[hooks.DeclarationChange]:
    """What the new declarations change in the figures: each is declared at its time and, stored past
    registration (ICS says it is settled), reached its status at its status time."""
    changes = []
    for d in decls:
        times = {d.declared_at}
        if d.status != Status.REGISTERED and d.status_changed_at:
            times.add(d.status_changed_at)
        for at in sorted(times):
            changes.append(
                hooks.DeclarationChange(
                    declaration_id=d.pk,
                    serial=d.serial,
                    province_id=d.origin.province_id,
                    what="created",
                    at=at,
                    by_id=by.pk if by else None,
                    source=source,
                    source_ref=source_ref[:200],
                    status=d.status,
                )
            )
    return changes


def _ensure_vehicles(new: list[Parsed]) -> dict[tuple[str, str], Vehicle]:
    """The vehicles of ``new`` by (country, plate), created when missing. The trailer plate belongs to the
    declaration (a tractor pulls different trailers on different trips); the vehicle keeps the last one
    known, so a stored vehicle takes the trailer of a declaration declared after every stored one that
    gave a trailer (an old row imported late does not turn it back)."""
    keys = {(p.plate_country, p.plate): p for p in new}
    found = {(v.country, v.plate): v for v in Vehicle.objects.filter(plate__in={k[1] for k in keys})}
    newest: dict[tuple[str, str], Parsed] = {}  # per vehicle, its newest declaration here that gives a trailer
    for p in new:
        key = (p.plate_country, p.plate)
        if p.trailer_plate and (key not in newest or p.declared_at >= newest[key].declared_at):
            newest[key] = p
    missing = [
        Vehicle(country=c, plate=pl, trailer_plate=newest[(c, pl)].trailer_plate if (c, pl) in newest else "")
        for (c, pl) in keys
        if (c, pl) not in found
    ]
    if missing:
        Vehicle.objects.bulk_create(missing, ignore_conflicts=True)
        found = {(v.country, v.plate): v for v in Vehicle.objects.filter(plate__in={k[1] for k in keys})}
    _keep_last_trailer([(found[key], p) for key, p in newest.items() if found[key].trailer_plate != p.trailer_plate])
    return found


def _keep_last_trailer(pairs: list[tuple[Vehicle, Parsed]]) -> None:
    """Each vehicle takes its declaration's trailer plate unless a stored declaration declared later gave
    one (one query for all, one audited save per vehicle changed)."""
    if not pairs:
        return
    latest = dict(
        TransitDeclaration.objects.filter(vehicle__in=[v for v, _p in pairs])
        .exclude(trailer_plate="")
        .order_by()
        .values("vehicle_id")
        .annotate(at=Max("declared_at"))
        .values_list("vehicle_id", "at")
    )
    for vehicle, p in pairs:
        if vehicle.pk not in latest or p.declared_at >= latest[vehicle.pk]:
            vehicle.trailer_plate = p.trailer_plate
            vehicle.save(update_fields=["trailer_plate"])


def _ensure_companies(new: list[Parsed]) -> dict[str, TransportCompany]:
    regs = {p.company_reg_no: p.company_name for p in new if p.company_reg_no}
    found = {c.registration_no: c for c in TransportCompany.objects.filter(registration_no__in=regs)}
    missing = [TransportCompany(registration_no=r, name=n or r) for r, n in regs.items() if r not in found]
    if missing:
        TransportCompany.objects.bulk_create(missing, ignore_conflicts=True)
        found = {c.registration_no: c for c in TransportCompany.objects.filter(registration_no__in=regs)}
    return found


def same_name(one: str, other: str) -> bool:
    """Two spellings of one person's name: spaces, zero-width non-joiners and the Arabic forms of a letter
    (ي ی, ك ک) aside, as a search compares them (``text.folded``)."""
    return text.folded(one).replace(" ", "") == text.folded(other).replace(" ", "")


def driver_name_refusals(new: list[Parsed]) -> dict[int, str]:
    """Each record (by its row) whose driver's national ID is on file under another name, with the message
    naming that name: the driver stored for a national ID is reused (``_ensure_drivers``), so a typed name
    that is not that person's would be silently replaced. One query."""
    ids = {p.driver_national_id for p in new if p.driver_national_id and p.driver_name}
    if not ids:
        return {}
    names = dict(Driver.objects.filter(national_id__in=ids).values_list("national_id", "name"))
    refused = {}
    for p in new:
        if not (p.driver_name and p.driver_national_id):
            continue
        on_file = names.setdefault(p.driver_national_id, p.driver_name)  # a new one: the first record's name
        if not same_name(p.driver_name, on_file):
            refused[p.row] = _(
                "the name on file for this national ID is “%(name)s”: check the ID, or type that name."
            ) % {"name": text.isolate(on_file, "auto")}
    return refused


def _ensure_drivers(new: list[Parsed]) -> dict[tuple[str, str, str], Driver]:
    out: dict[tuple[str, str, str], Driver] = {}
    ids = {p.driver_national_id for p in new if p.driver_national_id}
    by_id = {d.national_id: d for d in Driver.objects.filter(national_id__in=ids)}
    create = []
    for p in new:
        key = (p.driver_national_id, p.driver_passport, p.driver_name)
        if not p.driver_name or key in out:
            continue
        if p.driver_national_id and p.driver_national_id in by_id:
            out[key] = by_id[p.driver_national_id]
            continue
        d = Driver(
            name=p.driver_name,
            national_id=p.driver_national_id,
            passport_no=p.driver_passport,
            country="IR" if p.driver_national_id else p.plate_country,
        )
        create.append(d)
        out[key] = d
        if p.driver_national_id:
            by_id[p.driver_national_id] = d
    Driver.objects.bulk_create(create)  # PKs are set on PostgreSQL and SQLite 3.35+
    return out
