"""Operations on accounts: the IT office releases a login lock-out (django-axes), audited; API tokens
are issued, rotated and revoked (stored hashed, the key shown once)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from auditlog.models import LogEntry
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.audit import actor
from core.errors import InvalidInput
from core.text import is_persian, isolate

from .models import TOKEN_PREFIX_LEN, ApiToken, Role, User, hash_api_key


@dataclass(frozen=True)
class Lockout:
    """A username locked out from one address (the pair axes locks: settings.AXES_LOCKOUT_PARAMETERS)."""

    username: str
    ip_address: str | None
    failures: int
    last_attempt: dt.datetime
    until: dt.datetime


def may_release_lockouts(user: User) -> bool:
    """The IT office, and the system administrator (a superuser of any role: the demo's hq), who keeps the
    users and releases an IT officer's own lock (the lock-out page says so); headquarters as such do not."""
    return user.is_active and (user.is_superuser or user.role == Role.IT)


def uses_api(user: User) -> bool:
    """Roles that work through the API (headquarters, the IT office, integration clients): the menu offers
    them its documentation; the office clerk and the inspector work on the pages (the address stays open)."""
    return user.is_active and (user.is_superuser or user.role in (Role.HQ, Role.IT, Role.INTEGRATION))


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
        raise PermissionDenied(_("Only the IT office and the system administrator release login lock-outs."))
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


# --- API tokens ------------------------------------------------------------------------------------


def _new_key() -> str:
    # The prefix is hex so that it never contains the characters of the secret's alphabet that
    # a log or a terminal may mangle; together 10 + 43 characters, 296 random bits.
    return secrets.token_hex(TOKEN_PREFIX_LEN // 2) + secrets.token_urlsafe(32)


def _expiry(days: int | None, now: dt.datetime) -> dt.datetime | None:
    days = settings.API_TOKEN_DAYS if days is None else days
    if days < 0:
        raise InvalidInput(_("The lifetime in days must be 0 (never expires) or more."), fields={"days": str(days)})
    return now + dt.timedelta(days=days) if days else None


@transaction.atomic
def api_token_issue(
    *, user: User, name: str = "", days: int | None = None, by: User | None = None, rotated_from: ApiToken | None = None
) -> tuple[ApiToken, str]:
    """A new API token of ``user``; returns it with its key, which is shown once and stored only hashed.

    ``days``: lifetime (None: ``settings.API_TOKEN_DAYS``; 0: never expires).
    """
    if not user.is_active:
        raise InvalidInput(
            _("User %(username)s is not active.") % {"username": isolate(user.username)}, fields={"user": user.username}
        )
    now = timezone.now()
    expires_at = _expiry(days, now)
    while True:  # a prefix collision (40 bits) is unlikely; the unique index would refuse it
        key = _new_key()
        if not ApiToken.objects.filter(prefix=key[:TOKEN_PREFIX_LEN]).exists():
            break
    token = ApiToken(
        user=user,
        name=name.strip()[:100],
        prefix=key[:TOKEN_PREFIX_LEN],
        key_hash=hash_api_key(key),
        created_by=by,
        expires_at=expires_at,
        rotated_from=rotated_from,
    )
    with actor(by):
        token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | None = None, at: dt.datetime | None = None) -> ApiToken:
    """The token stops working at ``at`` (default now); revoking again never moves the time later."""
    at = at or timezone.now()
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None or token.revoked_at > at:
        token.revoked_at = at
        with actor(by):
            token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def api_token_rotate(
    *, token: ApiToken, by: User | None = None, grace: dt.timedelta = dt.timedelta(0), days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for the same user and label, pointing at the one it replaces; the old one keeps
    working for ``grace`` (so a client can switch without an outage), then is refused.

    Returns the new token and its key (shown once). A revoked or expired token cannot be rotated:
    issue a new one instead, so a leaked and revoked key never leads to a fresh one.
    """
    if grace < dt.timedelta(0):
        raise InvalidInput(_("The grace period must not be negative."), fields={"grace": str(grace)})
    if reason := token.refusal():
        raise InvalidInput(
            _("This token cannot be rotated: %(reason)s.") % {"reason": reason}, fields={"token": token.prefix}
        )
    new, key = api_token_issue(user=token.user, name=token.name, days=days, by=by, rotated_from=token)
    api_token_revoke(token=token, by=by, at=timezone.now() + grace)
    return new, key


def api_token_note_use(token: ApiToken, ip_address: str | None, now: dt.datetime | None = None) -> None:
    """Record when and from where the token was last used: at most one row update a minute per
    token and address (a conditional UPDATE, safe to race), not audited (it is not a change)."""
    now = now or timezone.now()
    if (
        token.last_used_at is not None
        and token.last_used_ip == ip_address
        and now - token.last_used_at < dt.timedelta(minutes=1)
    ):
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1))
    if ip_address:
        stale |= ~Q(last_used_ip=ip_address)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    token.last_used_at, token.last_used_ip = now, ip_address


@transaction.atomic
def admin_ensure(*, username: str, password: str, email: str = "") -> tuple[User, bool]:
    """The first administrator (HQ, staff and superuser) of a new deployment; returns it and whether it
    was created now. A user of that name already there is left exactly as it is (its password too):
    running this at every start never resets what the administrator chose. A weak password, or a
    username the login form would not accept, is refused with the validators' own reasons."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing, False
    candidate = User(username=username, email=email, role=Role.HQ, is_staff=True, is_superuser=True)
    problems: dict[str, list[str]] = {}
    try:
        User.username_validator(username)
        if not username:
            raise ValidationError(_("This field is required."))
    except ValidationError as exc:
        problems["username"] = list(exc.messages)
    try:
        if not password:
            raise ValidationError(_("This field is required."))
        validate_password(password, user=candidate)
    except ValidationError as exc:
        problems["password"] = list(exc.messages)
    if problems:
        # Read by the IT office in the site's language: each field by its name on the forms («نام کاربری»).
        labels = {
            field: capfirst(str(getattr(User._meta.get_field(field), "verbose_name", field))) for field in problems
        }
        reasons = ("؛ " if is_persian() else "; ").join(
            f"{labels[field]}: {' '.join(msgs)}" for field, msgs in problems.items()
        )
        raise InvalidInput(reasons, fields=problems)
    candidate.set_password(password)
    with actor(None):
        candidate.save()
    return candidate, True


@transaction.atomic
def user_language_set(*, user: User, language: str) -> bool:
    """Remember the language ``user`` chose with the pages' switch (their e-mails are written in it);
    audited as the user's own change. Returns whether it changed; a language the site has not is refused."""
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("That language is not offered."), fields={"language": language})
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.language == language:
        return False
    locked.language = language
    with actor(user):
        locked.save(update_fields=["language"])
    user.language = language
    return True
