"""Logins and their sessions: each login recorded, idle and absolute limits, ending other sessions.

A session carries three marks of its own (epoch seconds and the record's id); the record in
``LoginRecord`` is what the user sees in the session list and what another session ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LoginRecord, User

STARTED = "_login_started"  # when the password was accepted (the absolute lifetime counts from here)
SEEN = "_login_seen"  # the last request (the idle limit counts from here)
RECORD = "_login_record"  # the LoginRecord's id
# The last request is written at most this often (seconds): a page view must not write the session
# and the record each time; the idle limit is exact to within this.
SEEN_RESOLUTION = 60
# The header of a request a page makes by itself while it stays open (the bell asking for its count):
# no sign that anyone is there, so it does not slide the idle limit.
BACKGROUND_HEADER = "X-Background-Refresh"

ENDED_MESSAGES = {
    LoginRecord.Ended.IDLE: _("You were logged out after a period without activity. Please log in again."),
    LoginRecord.Ended.EXPIRED: _("Your login reached its maximum lifetime. Please log in again."),
    LoginRecord.Ended.BY_USER: _("This session was ended from another session. Please log in again."),
    LoginRecord.Ended.PASSWORD_CHANGED: _("Your password was changed. Please log in again."),
}


def _hash(session_key: str | None) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest() if session_key else ""


def _client(request) -> tuple[str | None, str]:
    meta = getattr(request, "META", {}) if request is not None else {}
    return meta.get("REMOTE_ADDR") or None, (meta.get("HTTP_USER_AGENT") or "")[:300]


def record_login(*, request, user: User) -> LoginRecord:
    """A successful login (after the password, or force_login): its record, and the session's marks."""
    ip, agent = _client(request)
    now = timezone.now()
    session = request.session
    record = LoginRecord.objects.create(
        user=user,
        at=now,
        succeeded=True,
        ip_address=ip,
        user_agent=agent,
        session_key_hash=_hash(session.session_key),
        last_seen=now,
    )
    session[STARTED] = session[SEEN] = int(now.timestamp())
    session[RECORD] = record.pk
    return record


def record_failure(*, request, username: str, failure: str) -> LoginRecord | None:
    """A failed attempt on a known account (unknown usernames are counted by the lock-out only)."""
    user = User.objects.filter(username=username).first() if username else None
    if user is None:
        return None
    ip, agent = _client(request)
    return LoginRecord.objects.create(user=user, succeeded=False, failure=failure, ip_address=ip, user_agent=agent)


def end_current(*, request, reason: str) -> None:
    """Mark this session's record ended (logging out, or a limit reached)."""
    record_id = request.session.get(RECORD) if hasattr(request, "session") else None
    if record_id:
        LoginRecord.objects.filter(pk=record_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), ended_reason=reason
        )


def rekey(request) -> None:
    """The session got a new key (a password change keeps the user logged in under a new one)."""
    record_id = request.session.get(RECORD)
    if record_id:
        LoginRecord.objects.filter(pk=record_id).update(session_key_hash=_hash(request.session.session_key))


def check_session(request) -> str | None:
    """Why this logged-in session must end now (a ``LoginRecord.Ended`` value), or None.

    Runs one query (the record: was it ended from another session?) and, at most once a
    ``SEEN_RESOLUTION``, an UPDATE of its last-seen time (not for a background request, which
    carries ``BACKGROUND_HEADER``: a page left open is idle). A session from before these marks
    existed gets them now.
    """
    session = request.session
    now = time.time()
    started, seen, record_id = session.get(STARTED), session.get(SEEN), session.get(RECORD)
    if started is None or seen is None:
        session[STARTED] = session[SEEN] = int(now)
        return None
    if now - started > settings.SESSION_COOKIE_AGE:
        return LoginRecord.Ended.EXPIRED
    if now - seen > settings.SESSION_IDLE_SECONDS:
        return LoginRecord.Ended.IDLE
    if record_id is not None:
        row = LoginRecord.objects.filter(pk=record_id).values_list("ended_at", "ended_reason").first()
        if row is None:
            return LoginRecord.Ended.BY_USER
        if row[0] is not None:
            return row[1] or LoginRecord.Ended.BY_USER
    if now - seen >= SEEN_RESOLUTION and not request.headers.get(BACKGROUND_HEADER):
        session[SEEN] = int(now)
        if record_id is not None:
            LoginRecord.objects.filter(pk=record_id).update(last_seen=timezone.now())
    return None


def open_sessions(user: User, now: dt.datetime | None = None) -> QuerySet[LoginRecord]:
    """The user's sessions that may still be used: not ended, within both limits, newest first."""
    now = now or timezone.now()
    return LoginRecord.objects.filter(
        user=user,
        succeeded=True,
        ended_at__isnull=True,
        at__gte=now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
        last_seen__gte=now - dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS + SEEN_RESOLUTION),
    ).order_by("-at")


def recent_logins(user: User, limit: int = 20) -> list[LoginRecord]:
    return list(LoginRecord.objects.filter(user=user).order_by("-at")[:limit])


@transaction.atomic
def sessions_end(
    *, user: User, keep: int | None, only: int | None = None, reason: str = LoginRecord.Ended.BY_USER
) -> int:
    """End the user's open sessions except ``keep`` (the one asking); ``only`` limits it to one.

    The ended sessions are refused at their next request (``check_session``). Another user's
    session is never touched: the filter is on ``user``. Returns how many were ended.
    """
    rows = LoginRecord.objects.filter(user=user, succeeded=True, ended_at__isnull=True)
    if keep is not None:
        rows = rows.exclude(pk=keep)
    if only is not None:
        rows = rows.filter(pk=only)
    return rows.update(ended_at=timezone.now(), ended_reason=reason)


def login_records_prune(now: dt.datetime | None = None) -> int:
    """Delete the login records older than ``LOGIN_RECORD_KEEP_DAYS`` (never less than a session's
    lifetime, so no open session loses its record); returns how many. Each login stays in the audit
    trail, which keeps its own retention."""
    now = now or timezone.now()
    keep = max(dt.timedelta(days=settings.LOGIN_RECORD_KEEP_DAYS), dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    deleted, _by_model = LoginRecord.objects.filter(at__lt=now - keep).delete()
    return deleted
