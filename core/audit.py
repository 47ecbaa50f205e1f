"""The audit trail: who did what, when, from which address and through which interface.

django-auditlog writes a ``LogEntry`` for every create, update and delete of a registered model.
This module fills in what it misses and seals each entry into the hash chain (``core.audit_chain``):

- ``AuditMiddleware`` (in place of auditlog's) remembers the request: its address, its user (read
  when an entry is written, so an API token's user counts too) and its interface (page, API, admin).
- ``actor(by)`` attributes the entries written inside to ``by`` and keeps the request's address
  (auditlog's own ``set_actor`` dropped it); ``interface(via, ref)`` names an import batch, a task.
- every entry's seal keeps the actor's username and role as text, so they outlive the user.
- ``record_access(request_or_none, obj_or_label, what, **detail)`` records what changes nothing:
  a login, a failed login, a download, an export (``LogEntry.Action.ACCESS``).
- entries and seals are append-only: saving an existing one, ``update()``, ``delete()`` raise
  ``AuditTrailImmutable`` (and a PostgreSQL trigger refuses them, migration ``core.0002``).
  Users are therefore never deleted, only deactivated (an entry's actor would be set to NULL).

``connect()`` wires the receivers; ``core.apps.CoreConfig.ready`` calls it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Any

from auditlog.cid import get_cid, set_cid
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import NotAllowed
from core.models import AppendOnlyQuerySet, AuditTrailImmutable, Via


@dataclass(frozen=True)
class Context:
    """What the entries written now are attributed to."""

    user: Any = None  # set by ``actor(by)``; otherwise the request's user
    request: Any = None
    remote_addr: str | None = None
    via: str = ""
    ref: str = ""


_context: ContextVar[Context | None] = ContextVar("transit_audit_context", default=None)


def _process_default() -> Context:
    """Outside a request or task: a management command (``manage.py <name>``) or the system."""
    argv = sys.argv
    if len(argv) > 1 and os.path.basename(argv[0]) == "manage.py":
        return Context(via=Via.COMMAND, ref=argv[1][:200])
    return Context(via=Via.SYSTEM, ref=os.path.basename(argv[0] if argv else "")[:200])


def current() -> Context:
    return _context.get() or _process_default()


@contextmanager
def _pushed(ctx: Context) -> Iterator[Context]:
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def actor(by) -> AbstractContextManager:
    """``with actor(by):`` attributes the audit entries written inside to ``by``, keeping the request's
    address and interface; with no user (a task, a command) it changes nothing."""
    if not by:
        return nullcontext()
    return _pushed(replace(current(), user=by))


def interface(via: str, ref: str = "") -> AbstractContextManager:
    """``with interface(Via.IMPORT, f"batch {id}"):`` names the interface of the entries written inside."""
    return _pushed(replace(current(), via=via, ref=str(ref)[:200]))


def _via_of(request) -> str:
    path = request.path_info or ""
    if path.startswith("/api/"):
        return Via.API
    if path.startswith("/admin/"):
        return Via.ADMIN
    return Via.PAGE


def request_context(request) -> Context:
    return Context(request=request, remote_addr=request.META.get("REMOTE_ADDR") or None, via=_via_of(request))


class AuditMiddleware:
    """The request behind every entry written while it runs (after ``TrustedProxyMiddleware``, which
    leaves the client's own address in ``REMOTE_ADDR``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_cid(request)
        with _pushed(request_context(request)):
            return self.get_response(request)


def _user_of(ctx: Context):
    if ctx.user is not None:
        return ctx.user
    user = getattr(ctx.request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def who(user) -> dict:
    """The actor as text, as it is now."""
    if user is None:
        return {"actor_name": "", "actor_role": ""}
    role = str(getattr(user, "role", "") or "")
    if getattr(user, "is_superuser", False):
        role = f"{role}+superuser" if role else "superuser"
    # A camera's token is a principal, not a user: its own name ("camera:THR-1"), as str() gives it.
    name = user.get_username() if hasattr(user, "get_username") else str(user)
    return {"actor_name": name[:150], "actor_role": role[:40]}


def visible_to(entries, user):
    """The entries ``user`` may read: never their own (the people the trail records do not read it
    about themselves), by actor id or by the name kept at the time."""
    return entries.exclude(actor_id=user.pk).exclude(seal__actor_name=user.get_username())


def own_of(entries, user):
    """The entries ``visible_to`` keeps from ``user``: their own, by actor id or by the name kept at the time.
    A page counts them to say they exist (a search finding only them is not a search finding nothing)."""
    return entries.filter(models.Q(actor_id=user.pk) | models.Q(seal__actor_name=user.get_username()))


# --- receivers ------------------------------------------------------------------------------------


def _fill_entry(sender, instance: LogEntry, **kwargs) -> None:
    """Before an entry is inserted: its actor and address from the context. An existing entry is never saved again."""
    if not instance._state.adding:
        raise AuditTrailImmutable("LogEntry: the audit trail is append-only (update refused)")
    ctx = current()
    user = _user_of(ctx)
    if instance.actor_id is None and user is not None and user.pk is not None:
        instance.actor = user
    if not instance.actor_email and instance.actor_id is not None:
        instance.actor_email = getattr(instance.actor, "email", "") or ""
    if instance.remote_addr is None and ctx.remote_addr:
        instance.remote_addr = ctx.remote_addr


def _seal_entry(sender, instance: LogEntry, created: bool, using: str, **kwargs) -> None:
    from core.audit_chain import write_seal

    if not created:
        return
    ctx = current()
    user = instance.actor if instance.actor_id is not None else _user_of(ctx)
    write_seal(
        instance, who={**who(user), "via": ctx.via or Via.SYSTEM, "via_ref": ctx.ref or _token_of(ctx)}, using=using
    )


def _token_of(ctx: Context) -> str:
    """The API or camera token the request came with ("token ab12cd34ef… of ics"): each use is attributable. An
    auth object's ``via_ref`` (an API token's text in no language), else its ``str``."""
    auth = getattr(ctx.request, "auth", None)
    return str(getattr(auth, "via_ref", auth))[:200] if auth is not None else ""


def _refuse_delete(sender, instance, **kwargs) -> None:
    raise AuditTrailImmutable(f"{sender._meta.label}: the audit trail is append-only (delete refused)")


def _refuse_user_delete(sender, instance, **kwargs) -> None:
    raise NotAllowed(
        _("Users are never deleted: their audit entries name them. Deactivate the account (untick “active”) instead.")
    )


# --- records of what changes nothing ---------------------------------------------------------------


def _jsonable(detail: dict) -> dict:
    return json.loads(json.dumps(detail, default=str))


def record_access(request, target: models.Model | type[models.Model] | str, what: str, **detail) -> LogEntry:
    """Record an access (a login, a download, an export) as a ``LogEntry`` with action ACCESS.

    ``request`` may be None (a task, a command: the current context then). ``target`` is the object
    accessed, or a label for what has no row (an export, a failed login's username). ``what`` names
    the access ("download", "export", "login"…); ``detail`` goes to ``additional_data``."""
    ctx = current() if request is None else replace(current(), **_request_fields(request))
    data = _jsonable({"access": what, **detail})
    with _pushed(ctx):
        if isinstance(target, models.Model):
            entry = LogEntry.objects.log_create(
                target, force_log=True, action=LogEntry.Action.ACCESS, additional_data=data, serialized_data=None
            )
        else:
            # A kind of rows (an export: the model class) or a label for what has no row.
            kind = target if isinstance(target, type) and issubclass(target, models.Model) else LogEntry
            # A kind of rows is named as written in the code (English), whatever the asker's language:
            # the audit page names it in its reader's language.
            with translation.override(None):
                label = str(kind._meta.verbose_name_plural) if kind is not LogEntry else target
            entry = LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(kind),
                object_pk="",
                object_repr=str(label)[:1000],
                action=LogEntry.Action.ACCESS,
                additional_data=data,
                cid=get_cid(),
            )
    return entry


def record_created(objs) -> int:
    """Create entries for rows written with ``bulk_create`` (which sends no signal): one per row, as
    auditlog writes them for ``save()``. Returns how many."""
    from auditlog.diff import model_instance_diff

    count = 0
    for obj in objs:
        changes = model_instance_diff(None, obj)
        LogEntry.objects.log_create(obj, force_log=True, action=LogEntry.Action.CREATE, changes=changes)
        count += 1
    return count


def record_bulk(entries: list[LogEntry], *, using: str = "default") -> list[LogEntry]:
    """Write ``entries`` (a seed's history: thousands at once) as ``save()`` would, in bulk: each filled
    from the context like any entry (its actor and address), inserted a batch at a time, then sealed in
    that order (``audit_chain.seal_bulk``) with the context's actor and interface. In the caller's
    transaction; on PostgreSQL the chain is locked until it ends. Returns the entries, with their ids."""
    from core.audit_chain import seal_bulk

    ctx = current()
    user = _user_of(ctx)
    for entry in entries:
        if entry.actor_id is None and user is not None and user.pk is not None:
            entry.actor = user
        if not entry.actor_email and entry.actor_id is not None:
            entry.actor_email = getattr(entry.actor, "email", "") or ""
        if entry.remote_addr is None and ctx.remote_addr:
            entry.remote_addr = ctx.remote_addr
    written = LogEntry.objects.using(using).all().bulk_append(entries)
    seal_bulk(
        [e.pk for e in written],
        who={**who(user), "via": ctx.via or Via.SYSTEM, "via_ref": ctx.ref or _token_of(ctx)},
        using=using,
    )
    return written


def _request_fields(request) -> dict:
    ctx = request_context(request)
    return {"request": ctx.request, "remote_addr": ctx.remote_addr, "via": ctx.via, "ref": ""}


def _logged_in(sender, request, user, **kwargs) -> None:
    record_access(request, user, "login")


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_access(request, user, "logout")


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username", ""))[:150]
    user = get_user_model()._default_manager.filter(username=username).first() if username else None
    record_access(request, user or username or "?", "login failed", username=username)


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    record_access(request, str(username or "?"), "locked out", username=username, ip_address=ip_address)


# --- tasks ---------------------------------------------------------------------------------------

_task_tokens: dict[str, Token] = {}


def _task_started(sender=None, task_id=None, task=None, **kwargs) -> None:
    name = getattr(task, "name", "") or str(sender)
    _task_tokens[task_id] = _context.set(replace(current(), via=Via.TASK, ref=name[:200]))


def _task_ended(sender=None, task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _context.reset(token)
        except ValueError:  # ended in another context than it started: nothing of ours is left set
            pass


def connect() -> None:
    """Wire the receivers and the append-only guards (once, from ``CoreConfig.ready``)."""
    from axes.signals import user_locked_out
    from celery.signals import task_postrun, task_prerun
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    from core.models import AuditSeal

    pre_save.connect(_fill_entry, sender=LogEntry, dispatch_uid="core.audit.fill")
    post_save.connect(_seal_entry, sender=LogEntry, dispatch_uid="core.audit.seal")
    pre_delete.connect(_refuse_delete, sender=LogEntry, dispatch_uid="core.audit.refuse_entry_delete")
    pre_delete.connect(_refuse_delete, sender=AuditSeal, dispatch_uid="core.audit.refuse_seal_delete")
    pre_delete.connect(_refuse_user_delete, sender=get_user_model(), dispatch_uid="core.audit.refuse_user_delete")
    # LogEntry's managers (the default and the one relations use) answer with append-only querysets.
    for manager in (LogEntry._default_manager, LogEntry._base_manager):
        manager._queryset_class = type("AppendOnlyLogEntryQuerySet", (AppendOnlyQuerySet, manager._queryset_class), {})
    user_logged_in.connect(_logged_in, dispatch_uid="core.audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="core.audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="core.audit.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="core.audit.locked_out")
    task_prerun.connect(_task_started, dispatch_uid="core.audit.task_started", weak=False)
    task_postrun.connect(_task_ended, dispatch_uid="core.audit.task_ended", weak=False)
