"""Traffic permits (پروانه تردد) of foreign trucks: recording at entry, exit, validity.

Every path that records a permit or its exit (page, API, admin is read-only) goes through
``traffic_permit_record`` / ``traffic_permit_exit``, so the declaration's ``permit_expires_at``
(the clock of the ``permit_expired`` signal) always follows the permit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice, Role, User
from core.audit import actor
from core.errors import IllegalTransition, InvalidInput, NotAllowed

from . import selectors
from .evidence import note_event
from .models import Status, TrafficPermit, TransitDeclaration

# A permit with less than this left is "expiring" (shown in amber, its own filter on the list).
EXPIRING_HOURS = 24
VALIDITY_CHOICES = ("valid", "expiring", "expired", "exited")


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
    """How a permit stands now: ``state`` one of ``VALIDITY_CHOICES``; ``hours_left`` when not expired."""

    state: str
    hours_left: int | None = None
    hours_over: int | None = None


def validity(permit: TrafficPermit, now: dt.datetime | None = None) -> Validity:
    now = now or timezone.now()
    if permit.exited_at:
        return Validity("exited")
    left = (permit.expires_at - now).total_seconds() / 3600
    if left <= 0:
        return Validity("expired", hours_over=math.floor(-left))
    return Validity("expiring" if left < EXPIRING_HOURS else "valid", hours_left=math.ceil(left))


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
    by: User | None = None,
) -> TrafficPermit:
    """Record the پروانه تردد of a foreign truck; its expiry becomes the declaration's permit signal clock."""
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
    permit_no = permit_no.strip()
    if not permit_no or len(permit_no) > (TrafficPermit._meta.get_field("permit_no").max_length or 40):
        raise InvalidInput(_("Enter the permit number (up to 40 characters)."), fields={"permit_no": permit_no})
    if not 1 <= allowed_hours <= 24 * 60:
        raise InvalidInput(_("Allowed trip time must be 1 hour to 60 days."), fields={"allowed_hours": allowed_hours})
    if issued_at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("The issue time is in the future."), fields={"issued_at": str(issued_at)})
    if TrafficPermit.objects.filter(permit_no=permit_no).exists():
        raise InvalidInput(_("Permit %(no)s is already recorded.") % {"no": permit_no}, fields={"permit_no": permit_no})
    with actor(by):
        permit = TrafficPermit.objects.create(
            permit_no=permit_no,
            vehicle_id=declaration.vehicle_id,
            declaration=declaration,
            entry_office=entry_office,
            exit_office=exit_office,
            route=route or [],
            allowed_hours=allowed_hours,
            issued_at=issued_at,
        )
    TransitDeclaration.objects.filter(pk=declaration.pk).update(permit_expires_at=permit.expires_at)
    transaction.on_commit(lambda: selectors.invalidate_for(declaration))
    note_event(
        declaration_id=declaration.pk,
        kind="traffic_permit",
        at=issued_at,
        actor=by,
        message=f"{permit_no}: {entry_office.code} → {exit_office.code}, {allowed_hours}h",
    )
    return permit


@transaction.atomic
def traffic_permit_exit(*, permit: TrafficPermit, at: dt.datetime, by: User | None = None) -> TrafficPermit:
    """The truck left the country: its permit stops counting."""
    permit = TrafficPermit.objects.select_for_update(of=("self",)).select_related("declaration").get(pk=permit.pk)
    if not may_record_exit(by, permit):
        raise NotAllowed(_("Only the exit border, the destination office or headquarters may record the exit."))
    if permit.exited_at:
        raise IllegalTransition(_("The exit of permit %(no)s is already recorded.") % {"no": permit.permit_no})
    if at < permit.issued_at:
        raise InvalidInput(_("The exit cannot be before the permit was issued."), fields={"at": str(at)})
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise InvalidInput(_("The exit time is in the future."), fields={"at": str(at)})
    permit.exited_at = at
    with actor(by):
        permit.save(update_fields=["exited_at"])
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
            message=f"{permit.permit_no}: {permit.exit_office.code}",
        )
    return permit


def permits_for(user: User) -> QuerySet:
    """Permits of the declarations the user may see (a permit without a declaration: national users)."""
    visible = TransitDeclaration.objects.for_user(user)
    qs = TrafficPermit.objects.select_related("declaration", "vehicle", "entry_office", "exit_office")
    if user.is_national:
        return qs
    return qs.filter(declaration__in=visible)
