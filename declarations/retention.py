"""Record keeping (AML executive regulation, Art. 33, applied by analogy): every record of a transit
operation is kept at least ``RETENTION_YEARS`` after the operation ends, with what is needed to
reconstruct it.

An operation *ends* when its declaration is settled, closed (after a judicial case) or cancelled,
at that transition's time. Until ``RETENTION_YEARS`` have passed since then:

- a declaration cannot be deleted at all (nor an open one, whose operation has not ended);
- a row of any model that points at a declaration, directly or through its parents (goods,
  serials, arrival and its evidence, events, permits, letters, cases and their valuations and
  milestones, scans, plate-read matches …: found through the model registry, so a model added
  later is covered too) cannot be deleted while its declaration has ended within the window.

The guard is a ``pre_delete`` receiver (``connect``, from ``DeclarationsConfig.ready``), so it holds
for every path through the ORM: the admin, services, shell, cascades and queryset deletes (Django
sends ``pre_delete`` per row once a receiver is connected). The one path that removes operations is
``manage.py archive_operations --remove`` (``declarations.archive``), and only those past the window,
after their archive has been written and verified.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import format_jalali
from core.errors import IllegalTransition
from core.text import digits, is_persian

from . import idents
from .models import Status, TransitDeclaration

# The status that ends an operation, and the column that says when.
END_COLUMNS: dict[str, str] = {
    Status.SETTLED: "settled_at",
    Status.CLOSED: "closed_at",
    Status.CANCELLED: "cancelled_at",
}


class RetentionRefused(IllegalTransition):
    """A record of a transit operation was about to be deleted within the retention window."""

    code = "retention"


def years_before(t: dt.datetime, years: int) -> dt.datetime:
    """``t`` minus whole calendar years (29 February becomes 28 February)."""
    try:
        return t.replace(year=t.year - years)
    except ValueError:
        return t.replace(year=t.year - years, day=28)


def cutoff(now: dt.datetime | None = None, years: int | None = None) -> dt.datetime:
    """Operations that ended before this instant are past the retention window."""
    return years_before(now or timezone.now(), settings.RETENTION_YEARS if years is None else years)


def ended_before(t: dt.datetime) -> Q:
    """Declarations whose operation ended before ``t`` (a filter on the declarations table)."""
    q = Q(pk__in=[])
    for status, column in END_COLUMNS.items():
        q |= Q(status=status, **{f"{column}__lt": t})
    return q


def ended_at(declaration: TransitDeclaration) -> dt.datetime | None:
    column = END_COLUMNS.get(declaration.status)
    return getattr(declaration, column) if column else None


def kept_until(declaration: TransitDeclaration) -> dt.datetime | None:
    """The first instant its records may leave the active database; None while it is open."""
    end = ended_at(declaration)
    return None if end is None else years_before(end, -settings.RETENTION_YEARS)


def _refuse(declaration: TransitDeclaration, what: str) -> None:
    until = kept_until(declaration)
    if until is None:
        raise RetentionRefused(
            _("%(what)s of declaration %(serial)s cannot be deleted: its operation has not ended.")
            % {"what": what, "serial": idents.serial_text(declaration.serial)}
        )
    raise RetentionRefused(
        _("%(what)s of declaration %(serial)s is kept until %(until)s (%(years)s years after its operation ended).")
        % {
            "what": what,
            "serial": idents.serial_text(declaration.serial),
            "until": format_jalali(until, with_time=False, persian=is_persian()),
            "years": digits(settings.RETENTION_YEARS),
        }
    )


def check_declaration_delete(declaration: TransitDeclaration, now: dt.datetime | None = None) -> None:
    end = ended_at(declaration)
    if end is None or end >= cutoff(now):
        _refuse(declaration, _("The record"))


def _guard_declaration(sender, instance: TransitDeclaration, **kwargs) -> None:
    check_declaration_delete(instance)


def _guard_dependent(sender, instance, **kwargs) -> None:
    """A row that points at a declaration, directly or through its parent rows (a case's milestone):
    refused while that operation ended within the window. (An open operation's own rows may change
    through its lifecycle, e.g. an import's goods lines.) One query per path."""
    for path in declaration_paths(sender):
        ids = sender._base_manager.filter(pk=instance.pk).values_list(path, flat=True)
        for declaration in TransitDeclaration.objects.filter(pk__in=list(ids)).only(
            "serial", "status", "settled_at", "closed_at", "cancelled_at"
        ):
            end = ended_at(declaration)
            if end is not None and end >= cutoff():
                _refuse(declaration, str(sender._meta.verbose_name).capitalize())


def _fks(model) -> list:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


def declaration_paths(model, depth: int = 3) -> list[str]:
    """Lookups from ``model`` to a declaration's id through foreign keys (``declaration``,
    ``case__declaration`` …), at most ``depth`` steps, never through the same model twice."""
    paths: list[str] = []
    frontier: list[tuple[type, str, frozenset]] = [(model, "", frozenset({model}))]
    for _step in range(depth):
        nxt = []
        for current, prefix, seen in frontier:
            for f in _fks(current):
                lookup = f"{prefix}{f.name}"
                if f.related_model is TransitDeclaration:
                    paths.append(lookup)
                elif f.related_model not in seen and f.related_model._meta.app_label not in ("accounts", "auth"):
                    nxt.append((f.related_model, f"{lookup}__", seen | {f.related_model}))
        frontier = nxt
    return paths


def guarded_models() -> list:
    """Every installed concrete model that points at a declaration, directly or through its parents."""
    return [m for m in apps.get_models() if m is not TransitDeclaration and declaration_paths(m)]


def connect() -> None:
    pre_delete.connect(_guard_declaration, sender=TransitDeclaration, dispatch_uid="retention.declaration")
    for model in guarded_models():
        pre_delete.connect(_guard_dependent, sender=model, dispatch_uid=f"retention.{model._meta.label_lower}")
