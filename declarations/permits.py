"""Traffic permits (پروانه تردد) of foreign trucks: recording at entry, exit, validity.

Every path that records a permit or its exit (page, API, CSV import; the admin is read-only) goes
through ``traffic_permit_record`` / ``traffic_permit_exit``, so the declaration's ``permit_expires_at``
(the clock of the ``permit_expired`` signal) and ``permit_no`` (the ``permit_missing`` signal) always
follow the permit. The checks that use a permit (the departure gate, the sightings, stops) are in
``permit_checks``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import CustomsOffice, Role, User
from core import text
from core.audit import actor
from core.dates import EARLIEST, format_jalali
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from notifications.messages import Arrow, Ident, Message, Name, Number

from . import selectors
from .evidence import note_event
from .identifiers import permit_number
from .import_validation import RowInvalid, repeated
from .models import RoadDistance, Status, TrafficPermit, TransitDeclaration

# Art. 11: at most 10 hours of driving per driver in 24 hours.
MAX_DRIVING_HOURS_PER_DRIVER = 10

# An allowed trip time shorter than the route at this speed is a slip (one hour typed for 895 km), refused
# beside the hours: generous, a truck averages far less, so no real permit is turned away.
PERMIT_MAX_SPEED_KMH = 90

# A permit with less than this left is "expiring" (shown in amber, its own filter on the list).
EXPIRING_HOURS = 24
VALIDITY_CHOICES = ("valid", "expiring", "expired", "exited")

# A foreign truck enters and leaves at a land border or a port (the Caspian and Gulf ferries): never at an
# inland office or an airport, where no truck crosses the frontier.
PERMIT_OFFICE_KINDS = (CustomsOffice.Kind.BORDER, CustomsOffice.Kind.PORT)


def permit_offices() -> QuerySet[CustomsOffice]:
    """The offices a permit may name as its entry or exit border (the form's choices, the service's check)."""
    return CustomsOffice.objects.filter(kind__in=PERMIT_OFFICE_KINDS).order_by("code")


def check_border_offices(entry_office: CustomsOffice, exit_office: CustomsOffice) -> None:
    """Both the entry and the exit must be a border or port; each refusal beside its own field."""
    messages = {
        name: [
            _("%(office)s is not a border or port: a foreign truck enters and leaves the country at one.")
            % {"office": text.isolate(office.name, "auto")}
        ]
        for name, office in (("entry_office", entry_office), ("exit_office", exit_office))
        if office.kind not in PERMIT_OFFICE_KINDS
    }
    if messages:
        raise InvalidInput(
            " ".join(m for ms in messages.values() for m in ms),
            fields=dict.fromkeys(messages, "not a border"),
            messages=messages,
        )


def permit_expiry_for(declaration: TransitDeclaration) -> dt.datetime | None:
    permit = declaration.permits.order_by("-issued_at").first()
    return permit.expires_at if permit and not permit.exited_at else None


def _office_staff_of(user: User, office_ids: set[int]) -> bool:
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id in office_ids
    return user.role == Role.INTEGRATION and user.is_national


def may_record_permit(user: User | None, declaration: TransitDeclaration) -> bool:
    """Headquarters, or the staff of the office where the foreign truck enters transit (the origin)."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    return _office_staff_of(user, {declaration.origin_id})


def require_may_record_exit(user: User | None, permit: TrafficPermit) -> None:
    """A 403 for whoever may not record the exit: the API checks it before the request's fields."""
    if not may_record_exit(user, permit):
        raise NotAllowed(_("Only the exit border, the destination office or headquarters may record the exit."))


def may_record_exit(user: User | None, permit: TrafficPermit) -> bool:
    """Headquarters, or the staff of the permit's exit border or of the declaration's destination."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    offices = {permit.exit_office_id}
    if permit.declaration is not None:
        offices.add(permit.declaration.destination_id)
    return _office_staff_of(user, offices)


@dataclass(frozen=True)
class Validity:
    """How a permit stands now: ``state`` one of ``VALIDITY_CHOICES``; ``hours_left`` (whole hours, never rounded
    up: 6 h 13 min left is 6, not 7) and ``minutes_left`` (the minutes past them) when not expired."""

    state: str
    hours_left: int | None = None
    hours_over: int | None = None
    minutes_left: int | None = None

    # Hours read well under two days (5 hours left); past that, days (137 days ago, not 3307 hours).
    @property
    def days_left(self) -> int | None:
        return self.hours_left // 24 if self.hours_left is not None and self.hours_left >= 48 else None

    @property
    def days_over(self) -> int | None:
        return self.hours_over // 24 if self.hours_over is not None and self.hours_over >= 48 else None


def validity(permit: TrafficPermit, now: dt.datetime | None = None) -> Validity:
    now = now or timezone.now()
    if permit.exited_at:
        return Validity("exited")
    left = (permit.expires_at - now).total_seconds() / 3600
    if left <= 0:
        return Validity("expired", hours_over=math.floor(-left))
    minutes = math.floor(left * 60)
    return Validity(
        "expiring" if left < EXPIRING_HOURS else "valid", hours_left=minutes // 60, minutes_left=minutes % 60
    )


def with_validity(qs: QuerySet, state: str, now: dt.datetime | None = None) -> QuerySet:
    """Permits in one validity state. ``expires_at`` is not a column: the filter compares ``issued_at``
    with now minus the allowed hours, per allowed-hours value (few distinct values in practice)."""
    now = now or timezone.now()
    if state == "exited":
        return qs.filter(exited_at__isnull=False)
    qs = qs.filter(exited_at__isnull=True)
    hours = set(qs.values_list("allowed_hours", flat=True).distinct())
    if not hours:
        return qs.none()
    expired = Q()
    expiring = Q()
    for h in hours:
        expired |= Q(allowed_hours=h, issued_at__lte=now - dt.timedelta(hours=h))
        expiring |= Q(
            allowed_hours=h,
            issued_at__gt=now - dt.timedelta(hours=h),
            issued_at__lte=now - dt.timedelta(hours=h - EXPIRING_HOURS),
        )
    if state == "expired":
        return qs.filter(expired)
    if state == "expiring":
        return qs.filter(expiring)
    return qs.exclude(expired).exclude(expiring)


def route_length_km(codes: list[str]) -> int | None:
    """The road length of a route (office codes in order) from ``RoadDistance``; None if a pair is unknown."""
    ids = dict(CustomsOffice.objects.filter(code__in=codes).values_list("code", "pk"))
    table = RoadDistance.table()
    total = 0
    for a, b in itertools.pairwise(codes):
        km = table.get((ids.get(a, 0), ids.get(b, 0)))
        if km is None:
            return None
        total += km
    return total if len(codes) > 1 else None


def least_allowed_hours(route_km: int | None) -> int:
    """The shortest allowed trip time a permit may give for a route this long (``PERMIT_MAX_SPEED_KMH``);
    1 when the length is unknown."""
    return max(1, math.ceil((route_km or 0) / PERMIT_MAX_SPEED_KMH))


def goods_differ(declaration: TransitDeclaration, weight_kg: Decimal | None) -> bool:
    """Art. 13: the declared goods' gross weight differs from the permit's by more than
    ``PERMIT_GOODS_TOLERANCE_PCT`` per cent (either way). No weight on the permit, or none declared (the
    page shows «—», not 0): nothing to compare."""
    if weight_kg is None:
        return False
    declared = declaration.declared_gross_weight_kg()
    if declared is None:
        return False
    tolerance = Decimal(settings.PERMIT_GOODS_TOLERANCE_PCT) / 100
    return abs(Decimal(declared) - weight_kg) > weight_kg * tolerance


def too_short_error(allowed_hours: int, route_km: int | None) -> str:
    """Why ``allowed_hours`` cannot cover the route (a slip: one hour typed for 895 km), or ""."""
    if allowed_hours >= (least := least_allowed_hours(route_km)):
        return ""
    return _("%(hours)s hours is too short for a route of %(km)s km: at least %(least)s hours (at %(speed)s km/h).") % {
        "hours": text.digits(allowed_hours),
        "km": text.digits(route_km or 0),
        "least": text.digits(least),
        "speed": text.digits(PERMIT_MAX_SPEED_KMH),
    }


def permit_no_taken_error(permit_no: str) -> str:
    """Why ``permit_no`` (already normalised) cannot be recorded again, or "" (this runs a query)."""
    # Case folded for numbers stored before they were kept upper-case.
    if permit_no and TrafficPermit.objects.filter(permit_no__iexact=permit_no).exists():
        return _("Permit %(no)s is already recorded.") % {"no": permit_no}
    return ""


def traffic_permit_problems(
    *,
    permit_no: str | None,
    entry_office: CustomsOffice | None,
    exit_office: CustomsOffice | None,
    allowed_hours: int | None,
    route: list[str] | None,
    route_km: int | None,
    issued_at: dt.datetime | None = None,
    fuel_receipt_date: dt.date | None = None,
) -> dict[str, str]:
    """The checks of ``traffic_permit_record`` that need only these inputs, field → message: the form asks
    them whatever else failed (a missing fuel receipt), so one submit names every problem beside its field.
    A value the form could not read is None and its checks are left out. This runs queries."""
    problems: dict[str, str] = {}
    if permit_no and (error := permit_no_taken_error(permit_no)):
        problems["permit_no"] = error
    for name, office in (("entry_office", entry_office), ("exit_office", exit_office)):
        if office is not None and office.kind not in PERMIT_OFFICE_KINDS:
            problems[name] = _(
                "%(office)s is not a border or port: a foreign truck enters and leaves the country at one."
            ) % {"office": text.isolate(office.name, "auto")}
    if allowed_hours is not None:
        ends = [entry_office.code, exit_office.code] if entry_office and exit_office else []
        if error := too_short_error(allowed_hours, route_km or route_length_km(route or ends)):
            problems["allowed_hours"] = error
    if issued_at is not None and fuel_receipt_date is not None and not fuel_paid_before(fuel_receipt_date, issued_at):
        problems["fuel_receipt_date"] = fuel_paid_after_issue()
    return problems


def fuel_paid_before(fuel_receipt_date: dt.date, issued_at: dt.datetime) -> bool:
    """Art. 8: the fuel-price difference is paid on or before the day the permit is issued."""
    return fuel_receipt_date <= timezone.localtime(issued_at).date()


def fuel_paid_after_issue() -> str:
    return _("The fuel-price difference is paid before the permit is issued (Art. 8).")


@transaction.atomic
def traffic_permit_record(
    *,
    declaration: TransitDeclaration,
    permit_no: str,
    entry_office: CustomsOffice,
    exit_office: CustomsOffice,
    allowed_hours: int,
    issued_at: dt.datetime,
    route: list[str] | None = None,
    route_km: int | None = None,
    drivers: int = 1,
    driving_hours_per_driver: int = MAX_DRIVING_HOURS_PER_DRIVER,
    fuel_receipt_no: str = "",
    fuel_receipt_date: dt.date | None = None,
    fuel_receipt_amount: Decimal | None = None,
    has_international_licence: bool = False,
    has_insurance_card: bool = False,
    has_tax_booklet: bool = False,
    goods_description: str = "",
    goods_weight_kg: Decimal | None = None,
    by: User | None = None,
) -> TrafficPermit:
    """Record the پروانه تردد of a foreign truck (Art. 2, 6, 8, 10, 11, 13); its expiry becomes the
    declaration's permit signal clock. The fuel receipt and documents may be incomplete: the permit
    is then stored as it was presented, and the departure gate (``permit_checks``) stops the truck."""
    declaration = TransitDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if not may_record_permit(by, declaration):
        raise NotAllowed(_("Only the entry office or headquarters may record this truck's traffic permit."))
    if declaration.vehicle_country == "IR":
        raise InvalidInput(_("Only a foreign truck carries a traffic permit."), fields={"vehicle": "IR"})
    if declaration.status not in (Status.REGISTERED, Status.IN_TRANSIT):
        raise IllegalTransition(
            _("A traffic permit is recorded while the truck is in the country; the declaration is %(status)s.")
            % {"status": declaration.get_status_display()}
        )
    check_border_offices(entry_office, exit_office)
    permit_no = permit_number(permit_no)  # before the duplicate check: one number in any digits
    if not permit_no or len(permit_no) > (TrafficPermit._meta.get_field("permit_no").max_length or 40):
        raise InvalidInput(_("Enter the permit number (up to 40 characters)."), fields={"permit_no": permit_no})
    if not 1 <= allowed_hours <= 24 * 60:
        raise InvalidInput(_("Allowed trip time must be 1 hour to 60 days."), fields={"allowed_hours": allowed_hours})
    if issued_at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("The issue time is in the future."), fields={"issued_at": str(issued_at)})
    if issued_at < EARLIEST:
        raise InvalidInput(
            _("'%(value)s' is out of range (1390 to today)")
            % {"value": text.isolate(format_jalali(issued_at, persian=text.is_persian()))},
            fields={"issued_at": str(issued_at)},
        )
    if not 1 <= drivers <= 4:
        raise InvalidInput(_("A truck has 1 to 4 drivers."), fields={"drivers": drivers})
    if not 1 <= driving_hours_per_driver <= MAX_DRIVING_HOURS_PER_DRIVER:
        raise InvalidInput(
            _("A driver may drive at most %(n)s hours in 24 hours (Art. 11).")
            % {"n": text.digits(MAX_DRIVING_HOURS_PER_DRIVER)},
            fields={"driving_hours_per_driver": driving_hours_per_driver},
        )
    route = [c.strip().upper() for c in (route or []) if c.strip()]
    known = set(CustomsOffice.objects.filter(code__in=route).values_list("code", flat=True))
    if unknown := [c for c in route if c not in known]:
        raise InvalidInput(
            _("Unknown office code: %(codes)s") % {"codes": ", ".join(unknown)}, fields={"route": ";".join(unknown)}
        )
    try:  # an office twice is a loop no permit allows (the declaration's route refuses it too)
        repeated("route", route, _("office %(value)s"))
    except RowInvalid as exc:
        raise InvalidInput(exc.message, fields={"route": exc.message}) from None
    if route_km is not None and not 1 <= route_km <= 10_000:
        raise InvalidInput(_("The route length is 1 to 10,000 km."), fields={"route_km": route_km})
    route_km = route_km or route_length_km(route or [entry_office.code, exit_office.code])
    if error := too_short_error(allowed_hours, route_km):
        raise InvalidInput(error, fields={"allowed_hours": allowed_hours})
    fuel_receipt_no = fuel_receipt_no.strip()
    if fuel_receipt_date is not None and not fuel_paid_before(fuel_receipt_date, issued_at):
        raise InvalidInput(fuel_paid_after_issue(), fields={"fuel_receipt_date": str(fuel_receipt_date)})
    if fuel_receipt_amount is not None and fuel_receipt_amount < 0:
        raise InvalidInput(_("The amount cannot be negative."), fields={"fuel_receipt_amount": "negative"})
    if goods_weight_kg is not None and goods_weight_kg <= 0:
        raise InvalidInput(_("The goods weight must be positive."), fields={"goods_weight_kg": "not positive"})
    if error := permit_no_taken_error(permit_no):
        raise InvalidInput(error, fields={"permit_no": permit_no})
    with actor(by):
        permit = TrafficPermit.objects.create(
            permit_no=permit_no,
            vehicle_id=declaration.vehicle_id,
            declaration=declaration,
            entry_office=entry_office,
            exit_office=exit_office,
            route=route,
            route_km=route_km,
            allowed_hours=allowed_hours,
            drivers=drivers,
            driving_hours_per_driver=driving_hours_per_driver,
            issued_at=issued_at,
            fuel_receipt_no=fuel_receipt_no,
            fuel_receipt_date=fuel_receipt_date,
            fuel_receipt_amount=fuel_receipt_amount,
            has_international_licence=has_international_licence,
            has_insurance_card=has_insurance_card,
            has_tax_booklet=has_tax_booklet,
            goods_description=goods_description.strip()[:300],
            goods_weight_kg=goods_weight_kg,
            recorded_by=by,
        )
    mismatch = goods_differ(declaration, goods_weight_kg)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        permit_expires_at=permit.expires_at, permit_no=permit_no, permit_goods_mismatch=mismatch
    )
    transaction.on_commit(lambda: selectors.invalidate_for(declaration))
    note_event(
        declaration_id=declaration.pk,
        kind="traffic_permit",
        at=issued_at,
        actor=by,
        message=Message(
            gettext_noop("Permit %(no)s: %(entry)s %(arrow)s %(exit)s, %(hours)s hours allowed"),
            no=Ident("serial", permit_no),
            entry=Name.of(entry_office),
            arrow=Arrow(),
            exit=Name.of(exit_office),
            hours=Number(allowed_hours),
        ),
    )
    if mismatch:
        note_event(
            declaration_id=declaration.pk,
            kind="permit_goods_mismatch",
            at=timezone.now(),
            actor=by,
            message=Message(
                gettext_noop("Permit %(no)s names %(kg)s kg of goods"),
                no=Ident("serial", permit_no),
                kg=Number(goods_weight_kg or 0, grouped=True),
            ),
        )
    return permit


@transaction.atomic
def traffic_permit_exit(
    *, permit: TrafficPermit, at: dt.datetime, by: User | None = None, source: str = "hand"
) -> TrafficPermit:
    """The truck left the country: its permit stops counting. ``source``: "hand" (a person, the page
    or the API) or "read" (a camera read at the exit border, ``permit_checks``)."""
    permit = TrafficPermit.objects.select_for_update(of=("self",)).select_related("declaration").get(pk=permit.pk)
    require_may_record_exit(by, permit)
    if permit.exited_at:
        raise IllegalTransition(_("The exit of permit %(no)s is already recorded.") % {"no": permit.permit_no})
    if at < permit.issued_at:
        raise InvalidInput(_("The exit cannot be before the permit was issued."), fields={"at": str(at)})
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("The exit time is in the future."), fields={"at": str(at)})
    permit.exited_at = at
    permit.exit_source = source
    with actor(by):
        permit.save(update_fields=["exited_at", "exit_source"])
    declaration = permit.declaration
    if declaration is not None:
        # Another open permit of the same declaration (a renewal) keeps the clock running.
        TransitDeclaration.objects.filter(pk=declaration.pk).update(permit_expires_at=permit_expiry_for(declaration))
        transaction.on_commit(lambda: selectors.invalidate_for(declaration))
        note_event(
            declaration_id=declaration.pk,
            kind="traffic_permit_exit",
            at=at,
            actor=by,
            message=Message(
                gettext_noop("Permit %(no)s: left at %(office)s"),
                no=Ident("serial", permit.permit_no),
                office=Name.of(permit.exit_office),
            ),
            data={"source": source},
        )
    return permit


def permits_for(user: User) -> QuerySet:
    """Permits of the declarations the user may see (a permit without a declaration: national users)."""
    visible = TransitDeclaration.objects.for_user(user)
    qs = TrafficPermit.objects.select_related("declaration", "vehicle", "entry_office", "exit_office")
    if user.is_national:
        return qs
    return qs.filter(declaration__in=visible)
