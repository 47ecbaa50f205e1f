"""Imports run by the worker: a page's file or the API's records are queued as a batch, the worker
runs it (``tasks.run_import``) and the importer is told when it ends.

1. ``import_queue_file`` / ``import_queue_records`` store what was sent (the file with its SHA-256,
   or the records as JSON text) on a new batch in state queued. The caller has already refused a
   file that cannot be read as a whole (``import_formats.check_file``) and scanned it for malware.
2. The caller sends ``tasks.run_import``; without a broker it runs at once in the caller.
3. ``import_batch_run`` claims the batch (queued → running, a conditional UPDATE: a message
   delivered twice runs it once), checks the stored file against its SHA-256, imports it through
   ``importer.import_rows`` (progress on the batch as it goes), and notifies the importer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import taskruns
from core.dates import format_jalali
from core.signals import file_integrity_failed
from notifications.messages import Message, Number
from notifications.models import Kind
from notifications.services import notify

from .import_formats import ImportFileError, iter_records, read_file
from .importer import import_rows
from .models import ImportBatch, ImportState, Source

log = logging.getLogger(__name__)


def import_queue_file(*, data: bytes, filename: str, fmt: str, by) -> ImportBatch:
    """A queued batch holding the uploaded file (stored under a random name with the format's
    extension, never the client's name) and its SHA-256."""
    batch = ImportBatch(
        filename=filename[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        source=Source.ICS,
        by=by,
        state=ImportState.QUEUED,
    )
    with transaction.atomic():
        batch.file.save(f"{uuid.uuid4().hex}.{fmt}", ContentFile(data), save=False)
        try:
            batch.save()
        except BaseException:
            batch.file.delete(save=False)
            raise
    return batch


def import_queue_records(*, records: list, by) -> ImportBatch:
    """A queued batch holding the API's records as JSON text (escaped, so a NUL or a lone
    surrogate in a value reaches the validator, not the database)."""
    text = json.dumps(records, ensure_ascii=True)
    return ImportBatch.objects.create(
        source=Source.API,
        by=by,
        state=ImportState.QUEUED,
        payload=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def import_batch_run(*, batch_id: int, language: str = "") -> ImportBatch | None:
    """Run a queued batch, its messages (each rejected row's reason) in ``language``, the one of
    the page that sent it (default: the site's); None when it is not queued (run already, or
    running elsewhere)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return _run(batch_id)


def _run(batch_id: int) -> ImportBatch | None:
    # A queued batch, or a running one whose worker died (claimed before the import's hard time
    # limit): the importer is idempotent, a second run changes only what the first did not reach.
    now = timezone.now()
    claimable = Q(state=ImportState.QUEUED) | Q(
        state=ImportState.RUNNING, started_at__lt=taskruns.stale_before("import")
    )
    claimed = ImportBatch.objects.filter(claimable, pk=batch_id).update(state=ImportState.RUNNING, started_at=now)
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("by").get(pk=batch_id)
    taskruns.pause_for_tests("import")
    try:
        rows, source_ref = _rows_of(batch)
        import_rows(rows, source_ref=source_ref, by=batch.by, source=batch.source, batch=batch)
    except ImportFileError as exc:
        _fail(batch, str(exc))
    except Exception as exc:
        if not taskruns.is_transient(exc):
            log.exception("import batch %s failed", batch.pk)
            _fail(batch, _("The import stopped on an error in the application; the IT office can see it in the log."))
            _tell_the_importer(batch)
            raise
        # The database went away: queued again (the task is retried), the importer not told yet.
        taskruns.release(
            ImportBatch.objects.filter(pk=batch_id, state=ImportState.RUNNING, started_at=now), state=ImportState.QUEUED
        )
        raise
    except BaseException:
        log.exception("import batch %s failed", batch.pk)
        _fail(batch, _("The import stopped on an error in the application; the IT office can see it in the log."))
        _tell_the_importer(batch)
        raise
    batch.refresh_from_db()
    _tell_the_importer(batch)
    return batch


def _rows_of(batch: ImportBatch) -> tuple[list[tuple[int, dict]], str]:
    if batch.source == Source.API:
        records = json.loads(batch.payload or "[]")
        by = batch.by.username if batch.by else "?"
        return list(iter_records(records)), f"API import by {by}"
    try:
        with batch.file.open("rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        data = b""
    actual = hashlib.sha256(data).hexdigest() if data else ""
    if actual != batch.sha256:
        log.error(
            "import batch %s: stored file %s has SHA-256 %s, recorded %s",
            batch.pk,
            batch.file.name,
            actual,
            batch.sha256,
        )
        file_integrity_failed.send_robust(
            sender=ImportBatch,
            instance=batch,
            field="file",
            name=batch.file.name,
            expected=batch.sha256,
            actual=actual,
            office_id=batch.by.office_id if batch.by else None,
            declaration_id=None,
            request=None,
        )
        raise ImportFileError(
            _(
                "The stored file was changed or removed after it was uploaded (its SHA-256 no longer matches); upload it again."
            )
        )
    exported = format_jalali(batch.at, persian=False)
    rows = list(read_file(data, batch.filename))  # the whole file is read before any of it is written
    return rows, f"ICS export {batch.filename} imported {exported}"


def _fail(batch: ImportBatch, message: str) -> None:
    batch.state, batch.error, batch.finished_at, batch.payload = ImportState.FAILED, message, timezone.now(), ""
    batch.save(update_fields=["state", "error", "finished_at", "payload"])


def _tell_the_importer(batch: ImportBatch) -> None:
    """A notification to whoever started it, linking to the batch (the page shows its summary)."""
    if batch.by is None or not batch.by.is_active:
        return
    title = (
        Message("%(file)s", file=batch.filename)
        if batch.filename
        else Message("API #%(batch)s", batch=Number(batch.pk))
    )
    body: Message | str
    if batch.state == ImportState.FAILED:
        body = batch.error  # as the batch's page says it
    else:
        body = Message(
            gettext_noop("%(c)d created, %(u)d updated, %(n)d unchanged, %(r)d rejected."),
            c=Number(batch.created),
            u=Number(batch.updated),
            n=Number(batch.unchanged),
            r=Number(batch.rejected),
        )
    notify(
        Kind.IMPORT_FINISHED,
        [batch.by],
        title=title,
        url=reverse("declarations:import-batch", args=[batch.pk]),
        subject=f"import:{batch.pk}",
        body=body,
    )


def import_batch_body(request, batch: ImportBatch) -> dict:
    """What the API answers about a batch (``ImportResultOut``)."""
    report = batch.report or {}
    return {
        "batch": batch.pk,
        "state": batch.state,
        "status_url": request.build_absolute_uri(reverse("api-import-detail", args=[batch.pk])),
        "total": batch.total,
        "processed": batch.processed,
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "rejected": report.get("rejected", []),
        "exceptions": report.get("exceptions", []),
        "warnings": report.get("warnings", []),
        "error": batch.error,
    }
