"""Data-migration helper: fill a file's SHA-256 column from the stored file, for rows stored
before the column existed (issue 13: every stored file's hash is recorded and re-checked).

Kept apart from ``core.files`` so that migrations depend on this small, stable function only.
A file missing from storage keeps an empty hash: ``core.files.serve_evidence`` then refuses it
(and reports it) rather than vouching for bytes nobody recorded.
"""

from __future__ import annotations

import hashlib


def _digest(storage, name: str) -> str:
    try:
        with storage.open(name, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


def backfill_sha256(apps, schema_editor, app_label: str, model_name: str, pairs) -> int:
    """For each ``(file_field, hash_field)`` of the historical model: hash every stored file whose
    hash is empty, in batches (a file shared by many rows, as content-addressed plate photos
    are, is read once). Returns the number of rows filled."""
    model = apps.get_model(app_label, model_name)
    manager = model._default_manager.using(schema_editor.connection.alias)
    filled = 0
    for file_field, hash_field in pairs:
        storage = model._meta.get_field(file_field).storage
        seen: dict[str, str] = {}
        rows = manager.exclude(**{file_field: ""}).filter(**{hash_field: ""}).order_by("pk")
        last = None
        while True:
            # Batches by key, not one open cursor: the rows change under it as they are filled.
            page = rows.filter(pk__gt=last) if last is not None else rows
            batch = list(page.values_list("pk", file_field)[:2000])
            if not batch:
                break
            for pk, name in batch:
                if name not in seen:
                    seen[name] = _digest(storage, name)
                if seen[name]:
                    filled += manager.filter(pk=pk).update(**{hash_field: seen[name]})
            last = batch[-1][0]
    return filled
