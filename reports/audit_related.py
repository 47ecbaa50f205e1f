"""The audit entries about one declaration, for the audit page's search by serial: its own entries and those
of every row that belongs to it (its scans and their comparison, the reused-scan review, its timeline events,
letters, cases and their steps, plate matches and the reads they matched, …), file views included (a view is an
entry on the row whose file it served).

The trail has no column naming the declaration: an entry names its row by kind and id (``content_type``,
``object_pk``, indexed). So the rows are found first, each kind by its indexed foreign key to the declaration,
then the entries by (kind, id): index lookups on both sides, never a scan of the entries' text, however long
the trail. The kinds are read from the audited models: a new model with a foreign key to the declaration (or
to a row that has one) is searched without a change here.

Not found: an entry on a row since deleted (no row is left to say whose it was); it is found by its
row's id, as before. A declaration outside the reader's scope is not looked up: its serial is searched as text.
"""

from __future__ import annotations

import functools
import re

from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from anpr.models import PlateMatch, PlateRead
from core.dates import ASCII_DIGITS
from core.text import strip_isolates
from declarations.models import TransitDeclaration


def declaration_named(user, text: str) -> TransitDeclaration | None:
    """The declaration in ``user``'s scope whose serial is ``text`` as typed or pasted (between isolates, in
    Persian digits, in lower case), or None (one query on the serial's unique index)."""
    serial = strip_isolates(text).translate(ASCII_DIGITS).strip()
    if not serial:
        return None
    return TransitDeclaration.objects.for_user(user).filter(serial__in={serial, serial.upper()}).first()


def _links(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


@functools.cache
def _lookups() -> tuple[tuple[type[models.Model], tuple[str, ...]], ...]:
    """Each audited model whose rows belong to a declaration, with the lookups from a row to it: its foreign key
    to the declaration; for a model with none, its keys to a row that has one (a case's action, a permit's stop,
    a discrepancy's resolution). A vehicle, an office, a person is not the declaration's (they are shared):
    not followed."""
    found = []
    for model in auditlog.get_models():
        if model is TransitDeclaration:
            continue
        links = _links(model)
        lookups = [f.name for f in links if f.related_model is TransitDeclaration]
        if not lookups:
            for field in links:
                target = field.related_model
                assert isinstance(target, type)
                lookups += [f"{field.name}__{f.name}" for f in _links(target) if f.related_model is TransitDeclaration]
        if lookups:
            found.append((model, tuple(lookups)))
    return tuple(found)


def _about(model: type[models.Model], ids) -> Q | None:
    keys = sorted({str(pk) for pk in ids})
    if not keys:
        return None
    return Q(content_type_id=ContentType.objects.get_for_model(model).pk, object_pk__in=keys)


def entries_about(declaration: TransitDeclaration) -> Q:
    """A filter of ``LogEntry`` to the entries about ``declaration`` (module docstring). This runs a query per
    kind of row that belongs to a declaration, each on an indexed foreign key."""
    about = _about(TransitDeclaration, [declaration.pk])
    assert about is not None
    for model, lookups in _lookups():
        belongs = Q()
        for lookup in lookups:
            belongs |= Q(**{lookup: declaration.pk})
        if (rows := _about(model, model._base_manager.filter(belongs).values_list("pk", flat=True))) is not None:
            about |= rows
    # A plate read is no declaration's (it has no key to one): it is about those it was matched to.
    matched = PlateMatch._base_manager.filter(declaration=declaration).values_list("read_id", flat=True)
    if (reads := _about(PlateRead, matched)) is not None:
        about |= reads
    return about


RETURN_NUMBER = re.compile(r"^([A-Z]{2,3})-(\d{4})-(\d{1,2})-V(\d+)$")


def return_entries(text: str) -> Q | None:
    """The entries about the monthly return whose number is ``text`` (``WAZ-1405-08-v1``, ``IR-…`` for the
    nation's, as its page, PDF and files print it), or None when ``text`` is no return's number: a return
    is searched by the number people read on it, not by its row's id."""
    from reports.models import MonthlyReturn

    found = RETURN_NUMBER.match(strip_isolates(text).translate(ASCII_DIGITS).strip().upper())
    if found is None:
        return None
    scope, year, month, version = found.groups()
    province = Q(province__isnull=True) if scope == "IR" else Q(province__code=scope)
    pks = MonthlyReturn.objects.filter(province, year=int(year), month=int(month), version=int(version)).values_list(
        "pk", flat=True
    )
    kind = ContentType.objects.get_for_model(MonthlyReturn)
    return Q(content_type=kind, object_pk__in=[str(pk) for pk in pks])
