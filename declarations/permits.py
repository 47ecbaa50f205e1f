"""Traffic permits (پروانه تردد) of foreign trucks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice, User
from core.audit import actor
from core.errors import InvalidInput

from .evidence import note_event
from .models import TrafficPermit, TransitDeclaration


def permit_expiry_for(declaration: TransitDeclaration) -> dt.datetime | None:
    permit = declaration.permits.order_by("-issued_at").first()
    return permit.expires_at if permit and not permit.exited_at else None


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
    if declaration.vehicle_country == "IR":
        raise InvalidInput(_("Only a foreign truck carries a traffic permit."), fields={"vehicle": "IR"})
    if not 1 <= allowed_hours <= 24 * 60:
        raise InvalidInput(_("Allowed trip time must be 1 hour to 60 days."), fields={"allowed_hours": allowed_hours})
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
    permit.exited_at = at
    with actor(by):
        permit.save(update_fields=["exited_at"])
    if permit.declaration_id:
        TransitDeclaration.objects.filter(pk=permit.declaration_id).update(permit_expires_at=None)
    return permit
