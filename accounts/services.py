"""Operations on accounts: the IT office releases a login lock-out (django-axes), audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from auditlog.models import LogEntry
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Role, User


@dataclass(frozen=True)
class Lockout:
    """A username locked out from one address (the pair axes locks: settings.AXES_LOCKOUT_PARAMETERS)."""

    username: str
    ip_address: str | None
    failures: int
    last_attempt: dt.datetime
    until: dt.datetime


def may_release_lockouts(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.IT)


def lockouts_active(now: dt.datetime | None = None) -> list[Lockout]:
    """The pairs locked now: at least ``AXES_FAILURE_LIMIT`` failures within the cool-off, latest first."""
    now = now or timezone.now()
    cool_off = get_cool_off() or dt.timedelta(days=36500)  # no cool-off: locked until released
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=now - cool_off)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    return [Lockout(r["username"] or "", r["ip_address"], r["failures"], r["last"], r["last"] + cool_off) for r in rows]


def releases_recent(limit: int = 20) -> list[LogEntry]:
    """The last releases, from the audit trail."""
    kind = ContentType.objects.get_for_model(AccessAttempt)
    entries = LogEntry.objects.filter(content_type=kind, action=LogEntry.Action.DELETE)
    return list(entries.select_related("actor").order_by("-timestamp")[:limit])


@transaction.atomic
def lockout_release(*, username: str, ip_address: str | None, by: User) -> int:
    """Forget the failed logins of ``username`` from ``ip_address`` (so it may log in again at once),
    recorded in the audit trail with who released it. Returns how many failures were forgotten."""
    if not may_release_lockouts(by):
        raise PermissionDenied(_("Only the IT office releases login lock-outs."))
    attempts = list(AccessAttempt.objects.select_for_update().filter(username=username, ip_address=ip_address))
    if not attempts:
        return 0
    failures = sum(a.failures_since_start for a in attempts)
    LogEntry.objects.log_create(
        attempts[0],
        force_log=True,
        action=LogEntry.Action.DELETE,
        actor=by,
        object_repr=f"{username} @ {ip_address}",
        changes={"failures_since_start": [str(failures), "0"]},
        additional_data={"released": "login lock-out", "username": username, "ip_address": ip_address},
    )
    AccessAttempt.objects.filter(pk__in=[a.pk for a in attempts]).delete()
    return failures
