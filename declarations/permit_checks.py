"""The checks a foreign truck's traffic permit carries (executive regulation of the foreign-vehicle
traffic law): the departure gate (Art. 6 note) and its authorised waiver, breakdown/accident stops
(Art. 12 note 3), and the checks of the truck's camera sightings (route and exit border, driving time,
stops: ``trip``), whose findings go on the permit and the declaration's evidence summary.

Who may waive the gate: headquarters, or the provincial inspector of the origin office's province
(the province's monitoring centre, directive point 1); never the office that departs the truck.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import CustomsOffice, Role, User, offices_by_id
from core.audit import actor
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from notifications.messages import LIST, ROUTE, Arrow, Ident, Message, Name, Number, Param, joined, render

from . import evidence, selectors, trip
from .arrival_reads import reason_error
from .models import (
    DeclarationEvent,
    PermitStop,
    PermitWaiver,
    RoadDistance,
    Status,
    TrafficPermit,
    TransitDeclaration,
)
from .permits import traffic_permit_exit


class PermitRequired(IllegalTransition):
    """A foreign truck without a valid traffic permit may not depart (Art. 6 note)."""

    code = "permit_required"


# --- the departure gate -----------------------------------------------------------------------


def current_permit(declaration: TransitDeclaration) -> TrafficPermit | None:
    """The declaration's latest permit that is still open (the truck has not left on it)."""
    return declaration.permits.filter(exited_at__isnull=True).order_by("-issued_at", "-id").first()


def departure_problems(declaration: TransitDeclaration, at: dt.datetime) -> list[str]:
    """Why a foreign truck may not depart at ``at``, one sentence each; empty when it may."""
    return [render(m) for m in departure_problem_messages(declaration, at)]


def departure_problem_messages(declaration: TransitDeclaration, at: dt.datetime) -> list[Message]:
    """The same as messages, written in the reader's language when read (the timeline's gate stop)."""
    if declaration.vehicle_country == "IR":
        return []
    permit = current_permit(declaration)
    if permit is None:
        return [Message(gettext_noop("No traffic permit is recorded for this foreign truck."))]
    problems = []
    if permit.expires_at <= at:
        problems.append(
            Message(gettext_noop("Traffic permit %(no)s has expired."), no=Ident("serial", permit.permit_no))
        )
    if not permit.fuel_receipt_recorded:
        problems.append(
            Message(gettext_noop("The fuel-price difference receipt is not recorded on the permit (Art. 8)."))
        )
    if missing := permit.missing_document_labels:
        problems.append(
            Message(
                gettext_noop("Documents not seen at entry (Art. 10): %(docs)s."),
                docs=joined([Message(label) for label in missing], LIST),
            )
        )
    return problems


def departure_gate(*, declaration: TransitDeclaration, by: User, at: dt.datetime) -> dict:
    """Called by ``services.declaration_depart`` for a person's departure of a foreign truck. Returns
    what to note on the departure (the waiver used, if any); otherwise raises ``PermitRequired`` after
    recording the stop on the declaration's timeline (in its own transaction: the refusal is kept)."""
    said = departure_problem_messages(declaration, at)
    if not said:
        return {}
    problems = [render(m) for m in said]
    waiver = declaration.permit_waivers.order_by("-at").first()
    if waiver is not None:
        return {"permit_waiver": waiver.pk, "permit_problems": problems}
    with transaction.atomic():
        evidence.note_event(
            declaration_id=declaration.pk,
            kind="permit_gate_stop",
            at=timezone.now(),
            actor=by,
            message=Message("%(first)s", first=joined(said, "%(first)s %(rest)s")),
        )
    raise PermitRequired(
        _("The truck may not depart: %(problems)s") % {"problems": " ".join(problems)}, fields={"permit": "required"}
    )


def may_waive(user: User | None, declaration: TransitDeclaration) -> bool:
    if user is None or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    return user.role == Role.INSPECTOR and user.province_id == declaration.origin.province_id


@transaction.atomic
def permit_waive(*, declaration: TransitDeclaration, by: User, reason: str) -> PermitWaiver:
    """An authorised person lets a foreign truck depart without a valid permit, with a reason (audited,
    on the timeline). The ``permit_missing`` / ``permit_expired`` signals still show the truck."""
    declaration = TransitDeclaration.objects.select_for_update().select_related("origin").get(pk=declaration.pk)
    if not may_waive(by, declaration):
        raise NotAllowed(_("Only headquarters or the province's inspector may let a truck depart without a permit."))
    if declaration.vehicle_country == "IR":
        raise InvalidInput(_("Only a foreign truck carries a traffic permit."), fields={"vehicle": "IR"})
    if declaration.status != Status.REGISTERED:
        raise IllegalTransition(_("Only a truck that has not departed can be let through the gate."))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the truck may depart without a valid permit."), fields={"reason": "required"})
    if short := reason_error(reason, _("Why the truck may depart without a valid permit")):  # ten dots say nothing
        raise InvalidInput(short, fields={"reason": "too short"})
    with actor(by):
        waiver = PermitWaiver.objects.create(declaration=declaration, by=by, reason=reason[:500])
    evidence.note_event(
        declaration_id=declaration.pk, kind="permit_waiver", at=timezone.now(), actor=by, message=reason[:500]
    )
    return waiver


# --- stops: breakdown or accident (Art. 12 note 3) ---------------------------------------------


def _permit_offices(permit: TrafficPermit) -> set[int]:
    ids = set(CustomsOffice.objects.filter(code__in=permit.route).values_list("pk", flat=True))
    return ids | {permit.entry_office_id, permit.exit_office_id}


def may_record_stop(user: User | None, permit: TrafficPermit) -> bool:
    """Headquarters; an inspector of a province the route crosses; the staff of an office on it."""
    if user is None or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    offices = _permit_offices(permit)
    if user.role == Role.INSPECTOR and user.province_id is not None:
        return CustomsOffice.objects.filter(pk__in=offices, province_id=user.province_id).exists()
    return user.role == Role.OFFICE and user.office_id in offices


@transaction.atomic
def permit_stop_record(
    *,
    permit: TrafficPermit,
    kind: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None,
    place: str,
    confirmed_by: str,
    office: CustomsOffice | None = None,
    description: str = "",
    by: User,
) -> PermitStop:
    """Record a breakdown or accident stop on the permit with who confirmed it; the sighting checks run
    again (a gap it explains stops being a signal)."""
    permit = TrafficPermit.objects.select_for_update(of=("self",)).get(pk=permit.pk)
    if not may_record_stop(by, permit):
        raise NotAllowed(_("Only headquarters, the route's inspectors or its offices may record a stop."))
    if kind not in PermitStop.Kind.values:
        raise InvalidInput(_("Choose breakdown or accident."), fields={"kind": kind})
    if not place.strip() or not confirmed_by.strip():
        fields = {name: "required" for name, v in (("place", place), ("confirmed_by", confirmed_by)) if not v.strip()}
        raise InvalidInput(_("Say where the truck stopped and who confirmed it."), fields=fields)
    now = timezone.now()
    if started_at > now + dt.timedelta(minutes=5) or (ended_at and ended_at > now + dt.timedelta(minutes=5)):
        raise InvalidInput(_("The time is in the future."), fields={"started_at": str(started_at)})
    if ended_at is not None and ended_at < started_at:
        raise InvalidInput(_("The truck moved on before it stopped."), fields={"ended_at": str(ended_at)})
    if started_at < permit.issued_at:
        raise InvalidInput(_("The stop is before the permit was issued."), fields={"started_at": str(started_at)})
    with actor(by):
        stop = PermitStop.objects.create(
            permit=permit,
            kind=kind,
            started_at=started_at,
            ended_at=ended_at,
            office=office,
            place=place.strip()[:200],
            confirmed_by=confirmed_by.strip()[:200],
            description=description.strip(),
            recorded_by=by,
        )
    if permit.declaration_id:
        evidence.note_event(
            declaration_id=permit.declaration_id,
            kind="permit_stop",
            at=started_at,
            actor=by,
            message=Message(
                "%(kind)s: %(place)s (%(by)s)",
                kind=Message(PermitStop.Kind(kind).label),
                place=place.strip()[:200],
                by=confirmed_by.strip()[:200],
            ),
        )
        permit_check_sightings(permit=permit)
    return stop


# --- the sightings ---------------------------------------------------------------------------


def limits() -> trip.Limits:
    return trip.Limits(
        max_kmh=float(settings.PERMIT_MAX_AVG_KMH),
        min_kmh=float(settings.PERMIT_MIN_AVG_KMH),
        grace_hours=float(settings.PERMIT_GAP_GRACE_HOURS),
    )


def terms_of(permit: TrafficPermit) -> trip.PermitTerms:
    return trip.PermitTerms(
        route=tuple(permit.route),
        entry_code=permit.entry_office.code,
        exit_code=permit.exit_office.code,
        exit_office_id=permit.exit_office_id,
        issued_at=permit.issued_at,
        expires_at=permit.expires_at,
        drivers=permit.drivers,
        hours_per_driver=permit.driving_hours_per_driver,
    )


def trip_of(permit: TrafficPermit, table: dict[tuple[int, int], int] | None = None) -> trip.Trip:
    """The permit's trip from the sightings that count (a match a person rejected does not), read
    through ``evidence.gate_reads`` (the reads stay in anpr)."""
    from .models import TirPark

    declaration = permit.declaration
    if declaration is None:
        return trip.Trip(visits=[], legs=[])
    offices = offices_by_id()
    parks = dict(TirPark.objects.values_list("pk", "name"))
    sightings = []
    for r in evidence.gate_reads(declaration):
        if not r.counts or r.at < permit.issued_at - dt.timedelta(hours=12):
            continue
        office = offices.get(r.office_id)
        sightings.append(
            trip.Sighting(
                at=r.at,
                office_id=r.office_id,
                office_code=office.code if office else "",
                border=bool(office and office.kind in ("border", "port")),
                tir_park_id=r.tir_park_id,
                tir_park=parks.get(r.tir_park_id or 0, ""),
            )
        )
    table = RoadDistance.table() if table is None else table
    stops = [(s.started_at, s.ended_at) for s in permit.stops.all()]
    return trip.analyse(terms_of(permit), sightings, lambda a, b: table.get((a, b)), stops=stops, limits=limits())


def _finding(f: trip.Finding | None) -> dict | None:
    return None if f is None else {"at": f.at.isoformat(), "office": f.office, **f.detail}


EVENT_KINDS = {
    "off_route": "permit_off_route",
    "wrong_exit": "permit_wrong_exit",
    "overdrive": "permit_overdrive",
    "gap": "permit_gap",
}


def permit_check_sightings(*, permit: TrafficPermit, table: dict | None = None) -> trip.Trip:
    """Check the permit against the truck's sightings and store what is found: on the permit (its
    ``*_at`` columns and ``findings``), on the declaration (``off_route_read_at`` moves earlier only,
    ``permit_overdrive_at`` / ``permit_gap_at`` follow the permit), one timeline event the first time
    each finding appears; a sighting at the exit border records the exit (closing the permit)."""
    permit = TrafficPermit.objects.select_related("declaration", "entry_office", "exit_office").get(pk=permit.pk)
    result = trip_of(permit, table)
    declaration = permit.declaration
    if declaration is None:
        return result
    findings = {k: _finding(getattr(result, k)) for k in ("off_route", "wrong_exit", "overdrive", "gap")}
    new = {k: f for k, f in findings.items() if f and not permit.findings.get(k)}
    values = {
        "off_route_at": result.off_route.at if result.off_route else None,
        "overdrive_at": result.overdrive.at if result.overdrive else None,
        "gap_at": result.gap.at if result.gap else None,
    }
    stored = {k: v for k, v in findings.items() if v}
    if stored != permit.findings or any(getattr(permit, k) != v for k, v in values.items()):
        TrafficPermit.objects.filter(pk=permit.pk).update(findings=stored, **values)
        decl = TransitDeclaration.objects.filter(pk=declaration.pk)
        decl.update(permit_overdrive_at=values["overdrive_at"], permit_gap_at=values["gap_at"])
        if values["off_route_at"]:
            decl.filter(Q(off_route_read_at__isnull=True) | Q(off_route_read_at__gt=values["off_route_at"])).update(
                off_route_read_at=values["off_route_at"]
            )
        transaction.on_commit(lambda: selectors.invalidate_for(declaration))
    for key, f in new.items():
        DeclarationEvent.objects.create(
            declaration_id=declaration.pk,
            kind=EVENT_KINDS[key],
            at=dt.datetime.fromisoformat(f["at"]),
            data={"permit": permit.permit_no, **f},
            **DeclarationEvent.message_fields(finding_message(key, f)),
        )
    if result.exit_at is not None and permit.exited_at is None and result.exit_at <= timezone.now():
        traffic_permit_exit(permit=permit, at=result.exit_at, by=None, source="read")
    return result


def describe(key: str, f: dict) -> str:
    """One sentence for a finding, as the permit panel shows it (figures in the language's digits)."""
    return render(finding_message(key, f))


def _office(code: str) -> Param:
    """An office a finding names (by its code, as the finding keeps it), by its name in the reader's language;
    a code no office has (any more) as the code."""
    office = next((o for o in offices_by_id().values() if o.code == code), None)
    return Name.of(office) if office is not None else code


def finding_message(key: str, f: dict) -> Message:
    """One sentence for a finding as a message, written in the reader's language when read (the timeline):
    the offices by name. A timeline event keeps the message it was written with (one from before the names
    keeps its codes)."""
    if key == "off_route":
        return Message(
            gettext_noop("Seen at %(office)s, off the permitted route %(route)s."),
            office=_office(f["office"]),
            route=joined([_office(c) for c in f.get("route") or []], ROUTE, arrow=Arrow()) or "—",
        )
    if key == "wrong_exit":
        return Message(
            gettext_noop("Seen at the border %(office)s; the permit's exit border is %(exit)s."),
            office=_office(f["office"]),
            exit=_office(f.get("exit", "")),
        )
    if key == "gap":
        return Message(
            gettext_noop(
                "Unseen for %(hours)s h between %(from)s and %(office)s (%(km)s km; the road allows %(allowed)s h) "
                "with no TIR park stay or recorded stop."
            ),
            hours=Number(f["hours"]),
            **{"from": _office(f["from"])},
            office=_office(f["office"]),
            km=Number(f["km"], grouped=True),
            allowed=Number(f["allowed_hours"]),
        )
    if f.get("kind") == "trip_time":
        return Message(
            gettext_noop(
                "From %(office)s, %(km)s km to the exit border %(to)s need at least %(needed)s h within the driving "
                "limit: more than the permit has left."
            ),
            office=_office(f["office"]),
            km=Number(f["km"], grouped=True),
            to=_office(f["to"]),
            needed=Number(f["needed_hours"]),
        )
    return Message(
        gettext_noop(
            "%(km)s km from %(from)s to %(office)s in %(hours)s h: at least %(driving)s h of driving, "
            "more than the %(allowed)s h the drivers may drive in that time (Art. 11)."
        ),
        km=Number(f["km"], grouped=True),
        **{"from": _office(f["from"])},
        office=_office(f["office"]),
        hours=Number(f["hours"]),
        driving=Number(f["driving_hours"]),
        allowed=Number(f["allowed_hours"]),
    )


def check_declarations(declaration_ids: list[int]) -> int:
    """Run the sighting checks for the open permits of these declarations (the foreign trucks among
    them); ``evidence.note_permit_sightings`` calls it after matched reads. Returns permits checked."""
    permits = list(
        TrafficPermit.objects.filter(declaration_id__in=declaration_ids, exited_at__isnull=True).order_by("pk")
    )
    if not permits:
        return 0
    table = RoadDistance.table()
    for permit in permits:
        permit_check_sightings(permit=permit, table=table)
    return len(permits)
