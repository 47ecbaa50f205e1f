"""Export jobs: a file of many rows (a list as XLSX, a report as PDF) built by the worker, not in a request.

An app registers each kind of file it builds (``register``) with a builder::

    def build(job: ExportJob, out: BinaryIO, progress: Callable[[int, int | None], None]) -> str

that writes the file to ``out`` for ``job.user`` from ``job.query`` (the page's filters as asked) and
``job.params``, calls ``progress(done, total)`` as it goes (``total`` None when it is not known) and once
at the end (its last ``done`` is the job's «rows written»: a builder that never calls it leaves «—»), and
returns the file's name. It runs in the worker, in the language of the page it was asked from.

``start`` (the view calls it) records the job and queues ``core.tasks.build_export`` after the commit
(``core.jobs``: the outbox), audited; the page then shows the job's progress (htmx) and the download
link when the file is ready, and the person is told by a notification (``core.signals.export_finished``,
answered by ``notifications``). The file is stored with its SHA-256 and served through
``core.files.serve_evidence`` to the person who asked, and to the IT office; each download is an
audited export.

Jobs are a record of what was taken and are never deleted. Their files are removed after
``EXPORT_KEEP_DAYS`` by the daily sweep (``expire``); the row stays, marked expired.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import DatabaseError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import jobs, taskruns
from core.audit import record_access
from core.files import file_sha256
from core.models import ExportJob, ExportState
from core.signals import export_finished
from core.taskruns import stale_before

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
PROGRESS_EVERY = 1.0  # seconds between two writes of a job's progress (a page polls every 2 s)

Progress = Callable[[int, "int | None"], None]
Builder = Callable[[ExportJob, BinaryIO, Progress], str]


class ExportRefused(Exception):
    """A builder cannot build this file (the filters asked are no longer valid, the report is no longer
    the person's): the message, for a person, is what the job's page says."""


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise  # what the page and the notification call it ("Declarations")
    build: Builder
    back: Callable[[ExportJob], str] | None = None  # the page the export was asked from, with its filters
    # What this job's file is, when the kind holds several (a report's own title); lazily translated.
    title: Callable[[ExportJob], str | Promise] | None = None
    # The filters as asked, as the page writes them: (label, HTML), an identifier through its helper.
    shown: Callable[[ExportJob], list[tuple[str, SafeString]]] | None = None
    # A file cut around its asker (the audit trail: everyone's entries but the asker's own) is theirs only:
    # the IT office's and the system administrator's oversight of exports does not reach it.
    asker_only: bool = False

    def filters_of(self, job: ExportJob) -> list[tuple[str, SafeString]]:
        if self.shown is not None:
            return self.shown(job)
        return [(name, format_html('<bdi dir="ltr">{}</bdi>', value)) for name, value in job.filters]

    def title_of(self, job: ExportJob) -> str | Promise:
        return self.title(job) if self.title else self.label


_KINDS: dict[str, Kind] = {}


def register(
    code: str,
    build: Builder,
    *,
    label: str | Promise,
    back: Callable[[ExportJob], str] | None = None,
    title: Callable[[ExportJob], str | Promise] | None = None,
    shown: Callable[[ExportJob], list[tuple[str, SafeString]]] | None = None,
    asker_only: bool = False,
) -> None:
    """Declare a kind of export (an app's ``AppConfig.ready``, or the module holding the builder)."""
    _KINDS[code] = Kind(code, label, build, back, title, shown, asker_only)


def kind_of(code: str) -> Kind | None:
    return _KINDS.get(code)


def asker_only_kinds() -> list[str]:
    """The kinds whose jobs nobody but their asker sees (``Kind.asker_only``)."""
    return [code for code, kind in _KINDS.items() if kind.asker_only]


def start(
    request,
    *,
    kind: str,
    fmt: str,
    query: str = "",
    params: dict[str, Any] | None = None,
    reuse_done: bool = False,
) -> ExportJob:
    """Record an export asked for by ``request.user`` and queue its build (after the commit); audited. The
    same export asked again while one is queued or building answers that job (a double click builds once).

    ``reuse_done``: a built one (its file still kept) answers too, for an export whose ``params`` name the
    version of what it shows (a draft letter's preview: the same draft, unchanged, is the same file; a new
    job would be built again and its person told again of each click)."""
    if kind not in _KINDS:
        raise ValueError(f"no export of kind {kind!r}")
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"no export format {fmt!r}")
    language = translation.get_language() or settings.LANGUAGE_CODE
    with transaction.atomic():
        # A double click (or a second tab) while the same export is still queued or building goes to that
        # job: the same person, kind, format, filters and language would build the same file again. The
        # person's row is locked so that two parallel requests cannot both find none and both create one.
        list(get_user_model().objects.select_for_update().filter(pk=request.user.pk).values_list("pk", flat=True))
        pending = (
            ExportJob.objects.filter(
                user=request.user,
                kind=kind,
                fmt=fmt,
                query=query[:2000],
                language=language,
                state__in=(ExportState.QUEUED, ExportState.RUNNING, *((ExportState.DONE,) if reuse_done else ())),
            )
            .order_by("-pk")
            .only("pk", "params")
        )
        same = next((j for j in pending if j.params == (params or {})), None)
        if same is not None:
            return ExportJob.objects.get(pk=same.pk)
        job = ExportJob.objects.create(
            user=request.user,
            kind=kind,
            fmt=fmt,
            query=query[:2000],
            params=params or {},
            language=language,
            content_type=CONTENT_TYPES[fmt],
        )
        record_access(request, job, "export_requested", kind=kind, format=fmt, query=job.query, params=params or None)
        from core.tasks import build_export

        jobs.enqueue(build_export, job.pk)
    return job


def _claim(job_id: int, now: dt.datetime) -> bool:
    """Queued → running, or a running claim dead past the hard time limit (its worker was killed)."""
    claimable = Q(state=ExportState.QUEUED) | Q(state=ExportState.RUNNING, started_at__lt=stale_before("export", now))
    return bool(
        ExportJob.objects.filter(claimable, pk=job_id).update(state=ExportState.RUNNING, started_at=now, progress=0)
    )


def _progress_writer(job: ExportJob) -> Progress:
    last = [0.0, -1]

    def progress(done: int, total: int | None) -> None:
        percent = min(99, int(100 * done / total)) if total else 0
        now = time.monotonic()
        if percent != last[1] and now - last[0] >= PROGRESS_EVERY:
            last[0], last[1] = now, percent
            try:
                ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(progress=percent, rows=done)
            except OperationalError as exc:
                # On SQLite the rows are read in one open statement: a write on the same connection after another
                # process wrote is refused at once («database is locked», no busy wait) until the read ends.
                # The figure waits for the next write; the file is not lost for it.
                log.info("export job %s: progress not written: %r", job.pk, exc)

    return progress


def build(job_id: int, *, last_try: bool = True) -> str:
    """Build a queued job's file (the task ``core.tasks.build_export``); a second delivery of a job that
    was claimed, or has ended, does nothing. Returns the job's state.

    A transient error (the database locked or away, the storage unreachable) gives the claim back (the
    job queued again) and is raised, so that the task's retry builds the file afresh; on the ``last_try``
    (the task's retries spent, or no task to retry) the job is marked failed saying so, and the person
    is told. Never left running for the sweeper to find an hour later."""
    now = timezone.now()
    if not _claim(job_id, now):
        return ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    mine = ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING, started_at=now)
    try:
        return _build_claimed(job_id)
    except Exception as exc:
        if not taskruns.is_transient(exc):
            raise
        log.warning("export job %s: transient error while building (last try: %s): %r", job_id, last_try, exc)
        if last_try:
            taskruns.drop_broken_connections()
            try:
                job = ExportJob.objects.select_related("user").get(pk=job_id)
                with translation.override(job.language):
                    return _failed(job, _(BUSY))
            except DatabaseError:
                pass  # still away: queued again below, the sweeper takes it from there
        taskruns.release(mine, state=ExportState.QUEUED, started_at=None, progress=0)
        raise


# A transient error on every try (the database locked by other work, the storage away): said plainly.
BUSY = gettext_noop(
    "The file could not be built: the server was busy or unreachable each time it was tried. "
    "Ask for the file again in a few minutes."
)


def _build_claimed(job_id: int) -> str:
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    kind = _KINDS.get(job.kind)
    rows: list[int] = []
    progress = _progress_writer(job)

    def counted(done: int, total: int | None) -> None:
        rows[:] = [done]
        progress(done, total)

    with translation.override(job.language), tempfile.TemporaryFile() as out:
        try:
            if kind is None:
                raise ExportRefused(_("This kind of export no longer exists."))
            filename = kind.build(job, out, counted)
        except ExportRefused as exc:
            return _failed(job, str(exc))
        except Exception as exc:
            if taskruns.is_transient(exc):
                raise  # the build is tried again
            log.exception("export job %s (%s %s) failed", job.pk, job.kind, job.fmt)
            return _failed(job, _("The file could not be built; the IT office can read why in the workers' log."))
        out.seek(0)
        stored = ""
        try:
            with transaction.atomic():
                job.file.save(f"{job.pk}-{filename}", File(out), save=False)
                stored = job.file.name
                job.filename = filename
                job.sha256 = file_sha256(job.file)
                job.size = job.file.size
                job.rows = rows[0] if rows else None
                job.state, job.progress, job.finished_at = ExportState.DONE, 100, timezone.now()
                job.save(
                    update_fields=["file", "filename", "sha256", "size", "rows", "state", "progress", "finished_at"]
                )
                record_access(None, job, "export_built", file=job.file.name, sha256=job.sha256, rows=job.rows)
                export_finished.send(sender=ExportJob, instance=job, kind_label=kind.title_of(job))
        except Exception:
            if stored:  # a file no row names: removed (the next try stores its own)
                job.file.storage.delete(stored)
            raise
    return job.state


def _failed(job: ExportJob, message: str) -> str:
    kind = _KINDS.get(job.kind)
    with transaction.atomic():
        job.state, job.error, job.finished_at = ExportState.FAILED, message[:2000], timezone.now()
        job.save(update_fields=["state", "error", "finished_at"])
        record_access(None, job, "export_failed", error=job.error)
        export_finished.send(sender=ExportJob, instance=job, kind_label=kind.title_of(job) if kind else job.kind)
    return job.state


def expire(*, now: dt.datetime | None = None) -> int:
    """The daily sweep: remove the files of jobs finished more than ``EXPORT_KEEP_DAYS`` ago; each row
    stays (who took what, when, its SHA-256), marked expired. Returns how many files were removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    removed = 0
    for job in ExportJob.objects.filter(state=ExportState.DONE, finished_at__lt=cutoff).order_by("pk").iterator():
        name = job.file.name
        with transaction.atomic():
            if not ExportJob.objects.filter(pk=job.pk, state=ExportState.DONE).update(
                state=ExportState.EXPIRED, expired_at=now, file=""
            ):
                continue
            record_access(None, job, "export_expired", file=name, sha256=job.sha256)
            if name:
                transaction.on_commit(functools.partial(job.file.storage.delete, name))
        removed += 1
    if removed:
        log.info("export sweep: %s files past %s days removed", removed, settings.EXPORT_KEEP_DAYS)
    return removed


def expires_on(job: ExportJob) -> dt.datetime | None:
    """When a ready file is removed (the page says so)."""
    if job.state != ExportState.DONE or job.finished_at is None:
        return None
    return job.finished_at + dt.timedelta(days=settings.EXPORT_KEEP_DAYS)


def jobs_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """The sweeper's part (``reports.sweeper``): a job whose message was lost (queued past
    ``JOB_QUEUED_STALE_SECONDS``) or whose worker died (running past its hard limit) is queued again;
    after ``JOB_MAX_ATTEMPTS`` it is marked failed, and the person who asked is told."""
    from core import taskruns
    from core.tasks import build_export

    now = now or timezone.now()
    queued_before = taskruns.queued_stale_before(now)
    running_before = stale_before("export", now)
    counts: dict[str, int] = {}
    stuck = ExportJob.objects.filter(
        Q(state=ExportState.QUEUED, created_at__lt=queued_before)
        | Q(state=ExportState.RUNNING, started_at__lt=running_before)
    )
    for job in stuck:
        as_found = ExportJob.objects.filter(pk=job.pk, state=job.state, started_at=job.started_at)

        def requeue(as_found=as_found, job=job) -> bool:
            if not as_found.update(state=ExportState.QUEUED, started_at=None, progress=0):
                return False
            jobs.enqueue(build_export, job.pk)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(as_found.update(state=ExportState.FAILED, error=reason[:2000], finished_at=now))

        outcome = taskruns.requeue_or_fail(
            job,
            kind="export",
            why=taskruns.stuck_since(ExportState(job.state).label, job.started_at or job.created_at),
            again_after=running_before if job.state == ExportState.RUNNING else queued_before,
            requeue=requeue,
            fail=fail,
        )
        if outcome == "failed":
            job.refresh_from_db()
            kind = _KINDS.get(job.kind)
            export_finished.send(sender=ExportJob, instance=job, kind_label=kind.title_of(job) if kind else job.kind)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
