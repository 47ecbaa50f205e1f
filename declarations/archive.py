"""The archive of ended transit operations (AML executive regulation, Art. 33, by analogy): every
record of an operation and its evidence files, with their SHA-256, in one zip that can bring them
back (``manage.py archive_operations``).

What an operation is: its declaration and every row that points at it, directly or through another
such row (goods, serials, arrival, events, extensions, permits, letters, cases with their actions,
valuations and milestones, scans and comparisons, plate-read matches …), found through the model
registry, so a model added later is archived too. The rows they point at that belong to no single
operation (vehicle, driver, company, the plate reads behind matches) travel as *references*: they
are restored only where missing and never removed. Offices, cameras and users are checked, not
copied; a user gone by the time of a restore leaves the record's person empty.

The zip holds ``manifest.json`` (format, when, the windows, each operation with its end, the
SHA-256 of the data and of every file), ``data.json`` and ``references.json`` (Django's JSON
serialisation, parents before children) and ``files/<storage name>``.

Removal (``--remove``) is the one path that takes operations out of the active database, and it
follows this order: the archive is written, then read back and verified (every hash), and only the
operations that ended more than ``RETENTION_YEARS`` ago are removed, children first; the retention
guard (``declarations.retention``) still checks every row. An operation archived while younger
than that stays in the database as well, so the 5-year rule holds whatever ``ARCHIVE_ACTIVE_YEARS``
is set to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import actor

from . import retention
from .models import TransitDeclaration

FORMAT = "transit-monitor-operations-archive/1"
# Referenced rows that are checked to exist on restore, never copied.
CHECKED_ONLY = {"accounts.customsoffice", "accounts.province", "anpr.camera"}


class ArchiveError(Exception):
    """The archive does not verify, or cannot be restored as it stands."""


@dataclass
class Collected:
    """Rows of the operations (in insertion order: parents first) and the rows they reference."""

    rows: dict[type[models.Model], list] = field(default_factory=dict)
    references: dict[type[models.Model], list] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        return {m._meta.label_lower: len(v) for m, v in self.rows.items()}


def _fk_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one)]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder cuts them to the millisecond, so a restored row could
    differ from the archived one (a time of 12:00:00.000456 came back as 12:00:00)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def collect(declaration_ids: list[int]) -> Collected:
    """The declarations and, to a fixed point, every row pointing at a row already collected."""
    out = Collected()
    out.rows[TransitDeclaration] = list(TransitDeclaration.objects.filter(pk__in=declaration_ids).order_by("pk"))
    pks: dict[type[models.Model], set] = {TransitDeclaration: {o.pk for o in out.rows[TransitDeclaration]}}
    candidates = [m for m in apps.get_models() if m is not TransitDeclaration]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            q = Q(pk__in=[])
            for f in _fk_fields(model):
                if pks.get(f.related_model):
                    q |= Q(**{f"{f.attname}__in": pks[f.related_model]})
            if q == Q(pk__in=[]):
                continue
            found = list(model._base_manager.filter(q).order_by("pk"))
            new = {o.pk for o in found} - pks.get(model, set())
            if new:
                pks.setdefault(model, set()).update(new)
                out.rows[model] = sorted(
                    {o.pk: o for o in [*out.rows.get(model, []), *found]}.values(), key=lambda o: o.pk
                )
                changed = True
    # Parents before children: a model after every collected model it points at (self-links by pk).
    ordered: dict = {}
    while len(ordered) < len(out.rows):
        for model in out.rows:
            if model in ordered:
                continue
            parents = {f.related_model for f in _fk_fields(model)} & set(out.rows) - {model}
            if parents <= set(ordered):
                ordered[model] = out.rows[model]
    out.rows = ordered
    # One level up: what the rows point at outside the operations.
    user_model = get_user_model()
    refs: dict = defaultdict(set)
    for model, objs in out.rows.items():
        for f in _fk_fields(model):
            if f.related_model in out.rows or f.related_model is user_model:
                continue
            refs[f.related_model].update(v for o in objs if (v := getattr(o, f.attname)) is not None)
    out.references = {m: list(m._base_manager.filter(pk__in=ids).order_by("pk")) for m, ids in refs.items()}
    return out


def _file_fields(obj) -> list:
    return [(f.name, getattr(obj, f.name)) for f in obj._meta.concrete_fields if isinstance(f, models.FileField)]


def _stored_hash(obj, name: str) -> str:
    """The SHA-256 the app recorded for this file when it stored it, if it keeps one."""
    for column in (f"{name}_sha256", "sha256" if name in ("file", "original") else ""):
        if column and hasattr(obj, column):
            return getattr(obj, column) or ""
    return ""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def eligible(now: dt.datetime | None = None, years: int | None = None):
    """Declarations whose operation ended more than ``years`` (ARCHIVE_ACTIVE_YEARS) ago."""
    years = settings.ARCHIVE_ACTIVE_YEARS if years is None else years
    return TransitDeclaration.objects.filter(retention.ended_before(retention.cutoff(now, years)))


def write(path: Path, declaration_ids: list[int], *, now: dt.datetime | None = None) -> dict:
    """Write the archive of these operations to ``path`` (a new zip) and return its manifest.

    A file whose bytes no longer match the hash the app stored for it stops the archive: an
    archive must not carry (nor its removal drop) evidence that was altered."""
    now = now or timezone.now()
    got = collect(declaration_ids)
    data = serializers.serialize("json", [o for objs in got.rows.values() for o in objs], cls=ExactJSONEncoder)
    refs = serializers.serialize(
        "json",
        [o for m, objs in got.references.items() if m._meta.label_lower not in CHECKED_ONLY for o in objs],
        cls=ExactJSONEncoder,
    )
    files = []
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "x", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.json", data)
        z.writestr("references.json", refs)
        written: set[str] = set()
        for group, collected in (("data", got.rows), ("references", got.references)):
            for model, objs in collected.items():
                for obj in objs:
                    for name, fieldfile in _file_fields(obj):
                        if not fieldfile or not fieldfile.name:
                            continue
                        with fieldfile.storage.open(fieldfile.name, "rb") as fh:
                            content = fh.read()
                        digest = _sha(content)
                        stored = _stored_hash(obj, name)
                        if stored and stored != digest:
                            raise ArchiveError(
                                f"{model._meta.label} #{obj.pk} {name}: the file no longer matches its stored SHA-256"
                            )
                        if fieldfile.name not in written:
                            z.writestr(f"files/{fieldfile.name}", content)
                            written.add(fieldfile.name)
                        files.append(
                            {
                                "group": group,
                                "model": model._meta.label_lower,
                                "pk": obj.pk,
                                "field": name,
                                "name": fieldfile.name,
                                "sha256": digest,
                            }
                        )
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "retention_years": settings.RETENTION_YEARS,
            "active_years": settings.ARCHIVE_ACTIVE_YEARS,
            "operations": [_operation(d) for d in got.rows[TransitDeclaration]],
            "counts": got.count(),
            "references": {m._meta.label_lower: [o.pk for o in objs] for m, objs in got.references.items()},
            "data": {"path": "data.json", "sha256": _sha(data.encode())},
            "references_data": {"path": "references.json", "sha256": _sha(refs.encode())},
            "files": files,
        }
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _operation(d: TransitDeclaration) -> dict:
    end = retention.ended_at(d)
    return {"id": d.pk, "serial": d.serial, "status": d.status, "ended_at": end.isoformat() if end else None}


def verify(path: Path) -> dict:
    """Read the archive back and check every hash; the manifest, or ArchiveError naming the first fault."""
    with zipfile.ZipFile(path) as z:
        manifest = json.loads(z.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ArchiveError(f"{path}: not an operations archive ({manifest.get('format')!r})")
        for key in ("data", "references_data"):
            if _sha(z.read(manifest[key]["path"])) != manifest[key]["sha256"]:
                raise ArchiveError(f"{path}: {manifest[key]['path']} does not match its SHA-256")
        for f in manifest["files"]:
            if _sha(z.read(f"files/{f['name']}")) != f["sha256"]:
                raise ArchiveError(f"{path}: files/{f['name']} does not match its SHA-256")
    return manifest


@transaction.atomic
def remove(manifest: dict, *, now: dt.datetime | None = None, by=None) -> list[str]:
    """Remove from the active database the archived operations past the retention window, children
    first (row by row, newest first: a correction before what it corrects); their own files go too.
    Returns the serials removed; the others stay."""
    limit = retention.cutoff(now)
    ids = [
        op["id"]
        for op in manifest["operations"]
        if op["ended_at"] and dt.datetime.fromisoformat(op["ended_at"]) < limit
    ]
    ids = list(
        TransitDeclaration.objects.filter(pk__in=ids).filter(retention.ended_before(limit)).values_list("pk", flat=True)
    )
    if not ids:
        return []
    got = collect(ids)
    serials = [d.serial for d in got.rows[TransitDeclaration]]
    names = []
    with actor(by):
        for model, objs in reversed(got.rows.items()):
            for obj in sorted(objs, key=lambda o: o.pk, reverse=True):
                names += [ff.name for _n, ff in _file_fields(obj) if ff and ff.name]
                model._base_manager.filter(pk=obj.pk).delete()
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))
    return serials


@transaction.atomic
def restore(path: Path) -> dict[str, int]:
    """Bring an archive's operations back: references where missing, every row not already there,
    every file not in storage (or in storage with other bytes: refused). Counts what was restored."""
    manifest = verify(path)
    user_model = get_user_model()
    for label, pks in manifest["references"].items():
        if label in CHECKED_ONLY:
            model = apps.get_model(label)
            missing = set(pks) - set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
            if missing:
                raise ArchiveError(f"{label} {sorted(missing)} are gone: restore them before the operations")
    users = set(user_model._base_manager.values_list("pk", flat=True))
    counts: dict[str, int] = defaultdict(int)
    with zipfile.ZipFile(path) as z:
        for member in ("references.json", "data.json"):
            for item in serializers.deserialize("json", z.read(member), handle_forward_references=False):
                obj = item.object
                model = type(obj)
                if model._base_manager.filter(pk=obj.pk).exists():
                    continue
                for f in _fk_fields(model):
                    if f.related_model is user_model and getattr(obj, f.attname) not in users | {None}:
                        setattr(obj, f.attname, None)
                item.save()
                counts[model._meta.label_lower] += 1
        for f in manifest["files"]:
            content = z.read(f"files/{f['name']}")
            if default_storage.exists(f["name"]):
                with default_storage.open(f["name"], "rb") as fh:
                    if _sha(fh.read()) != f["sha256"]:
                        raise ArchiveError(f"{f['name']} is in storage with other bytes: not overwritten")
                continue
            saved = default_storage.save(f["name"], ContentFile(content))
            if saved != f["name"]:
                raise ArchiveError(f"{f['name']} was stored as {saved}")
            counts["files"] += 1
    return dict(counts)
