"""The audit trail's seals (one per django-auditlog ``LogEntry``, chained by SHA-256, ``core.audit_chain``),
the official holidays of the working-day calendar (``Holiday``, ``core.workdays``), the outbox of
follow-up jobs (``OutboxJob``, ``core.jobs``), and the export jobs (``ExportJob``, ``core.exports``).

``LogEntry`` is django-auditlog's model and cannot take new columns, so what the chain needs and
what must outlive a user (the username and role as they were) live here, one row per entry,
written in the same transaction as the entry. Rows are never updated or deleted: the model and
its queryset refuse it, and on PostgreSQL a trigger does too (migration ``0002``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dates import format_jalali
from .text import is_persian, isolate


class AuditTrailImmutable(Exception):
    """An audit entry or seal was about to be changed or deleted: the trail is append-only."""


class Via(models.TextChoices):
    """Through which interface a change came."""

    PAGE = "page", _("page")
    API = "api", _("API")
    ADMIN = "admin", _("admin")
    IMPORT = "import", _("import batch")
    TASK = "task", _("background task")
    COMMAND = "command", _("management command")
    SYSTEM = "system", _("system")


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that adds rows and reads them, never changes or removes them.

    ``bulk_create`` saves one row at a time so that every row passes the same signals (an audit
    entry gets its seal)."""

    def update(self, **kwargs):
        raise AuditTrailImmutable(f"{self.model._meta.label}: the audit trail is append-only (update refused)")

    def delete(self):
        raise AuditTrailImmutable(f"{self.model._meta.label}: the audit trail is append-only (delete refused)")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditTrailImmutable(f"{self.model._meta.label}: the audit trail is append-only (update refused)")

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.save(using=self.db)
        return objs

    def bulk_append(self, objs, batch_size: int = 2000):
        """Insert new rows in batches, passing no per-row signal: for a writer that does what the signals
        would, in bulk (``core.audit.record_bulk`` seals the entries it writes). Never changes a row."""
        return super().bulk_create(objs, batch_size=batch_size)

    def _raw_delete(self, using):
        raise AuditTrailImmutable(f"{self.model._meta.label}: the audit trail is append-only (delete refused)")


class AuditSeal(models.Model):
    """The link of one audit entry in the hash chain, and who made it as written at the time."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    # No database constraint: an entry deleted behind the application's back leaves its seal,
    # and ``audit_verify`` names it.
    entry = models.OneToOneField(
        "auditlog.LogEntry",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="seal",
        verbose_name=_("audit entry"),
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(_("actor's role"), max_length=40, blank=True)
    via = models.CharField(_("interface"), max_length=8, choices=Via.choices, db_index=True)
    via_ref = models.CharField(_("interface reference"), max_length=200, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailImmutable("AuditSeal: the audit trail is append-only (update refused)")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable("AuditSeal: the audit trail is append-only (delete refused)")


class Holiday(models.Model):
    """An official holiday (تعطیل رسمی) of Iran: a day that is not a working day, like every Friday.

    Statutory clocks counted in working days (the smuggling regulation's five working days) skip
    them (``core.workdays``). The project ships the current and the next Jalali years (migration
    ``0003``); headquarters keeps the table in the admin (a lunar date moved by the moon sighting,
    a holiday declared by the government)."""

    date = models.DateField(_("date"), db_index=True)
    name = models.CharField(_("occasion"), max_length=150)
    lunar = models.BooleanField(
        _("lunar (Hijri) date"), default=False, help_text=_("Set by the moon sighting; may move by a day.")
    )
    note = models.CharField(_("source or note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("official holiday")
        verbose_name_plural = _("official holidays")
        ordering = ["date", "name"]
        constraints = [models.UniqueConstraint(fields=["date", "name"], name="holiday_unique_date_name")]

    def __str__(self) -> str:
        # Its Jalali date (the admin's titles, its rows' checkboxes): never the Gregorian ISO date.
        return f"{format_jalali(self.date, persian=is_persian())} {self.name}"

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its Jalali date in the reader's digits (never
        the Gregorian ISO date) and its occasion, isolated."""
        return f"{format_jalali(self.date, persian=is_persian())} · {isolate(self.name, 'auto')}"


class OutboxJob(models.Model):
    """A follow-up job (a Celery task call) written in the transaction of the change that needs it.

    ``core.jobs.enqueue`` writes it and publishes it to the broker after the commit; while the broker
    is down the row waits and the sweeper (``core.jobs.outbox_sweep``) publishes it later. The task
    is stored by name: core imports no app. ``task_id`` is the Celery id it is published under, known
    before publishing, so a page that polls the task can say "queued" while the broker is away.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Waiting rows with the same key are published as one, the newest (``core.jobs.enqueue_collapsing``).
    collapse_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Not before this time may the sweeper take the row: a grace for the publish after the commit,
    # then a backoff after each failed attempt.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("waiting job")
        verbose_name_plural = _("waiting jobs")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(sent_at__isnull=True), name="outbox_waiting"),
            models.Index(fields=["sent_at"], condition=models.Q(sent_at__isnull=False), name="outbox_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.task_id} ({'sent' if self.sent_at else 'waiting'})"


class PartitionArchive(models.Model):
    """A monthly partition that left its table past retention (``core.partitions``): where its rows
    went (a gzip'd CSV in the archive storage), how many, and the file's SHA-256 to check it by."""

    table = models.CharField(_("table"), max_length=63)
    partition = models.CharField(_("partition"), max_length=63, unique=True)
    range_start = models.DateTimeField(_("from"))
    range_end = models.DateTimeField(_("until"))
    rows = models.PositiveBigIntegerField(_("rows"))
    size_bytes = models.PositiveBigIntegerField(_("file size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file = models.CharField(_("file"), max_length=300)
    # The detached table is also kept in the database's ``archive`` schema (the audit trail).
    kept_in_database = models.BooleanField(_("kept in the database"))
    archived_at = models.DateTimeField(_("archived at"), auto_now_add=True)

    class Meta:
        verbose_name = _("archived partition")
        verbose_name_plural = _("archived partitions")
        ordering = ["table", "range_start"]

    def __str__(self) -> str:
        return f"{self.partition} ({self.rows} rows)"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("waiting for the worker")
    RUNNING = "running", _("being built")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("file removed (kept past its days)")


class ExportJobQuerySet(models.QuerySet):
    def delete(self):
        raise AuditTrailImmutable(f"{self.model._meta.label}: export jobs are a record of what was taken (kept)")

    def _raw_delete(self, using):
        raise AuditTrailImmutable(f"{self.model._meta.label}: export jobs are a record of what was taken (kept)")

    def visible_to(self, user) -> ExportJobQuerySet:
        """The jobs a person may see and download: their own; every job for the IT office and the system
        administrator, but a job of a kind that is its asker's only (an audit export: it holds the entries the
        audit page hides from the reader, their own)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if sees_every_export(user):
            from core.exports import asker_only_kinds  # core.exports reads this module's models

            return self.filter(models.Q(user=user) | ~models.Q(kind__in=asker_only_kinds()))
        return self.filter(user=user)


def export_oversight(user) -> str:
    """Why a person sees and may download everyone's exports: ``it`` (the IT office), ``admin`` (the system
    administrator, a superuser of another role: headquarters' in a deployment made by ``ensure_admin``), or
    ``""``: only their own. The list's title and sentence say which, so a superuser is not told they are the
    IT office."""
    if not getattr(user, "is_active", False):
        return ""
    if getattr(user, "role", "") == "it":
        return "it"
    return "admin" if user.is_superuser else ""


def sees_every_export(user) -> bool:
    """The IT office (and a superuser) sees and may download everyone's exports."""
    return bool(export_oversight(user))


class ExportJob(models.Model):
    """A file of many rows asked for from a page and built by the worker (``core.exports``): who asked,
    what (the kind and the filters as asked), how far it is, and the file with its SHA-256.

    A record of what was taken: never deleted. Its file is removed after ``EXPORT_KEEP_DAYS`` by the
    daily sweep; the row stays, marked expired."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs", verbose_name=_("asked by")
    )
    kind = models.CharField(_("kind"), max_length=60)
    fmt = models.CharField(_("format"), max_length=8)
    # The filters as asked (the page's query string), and what the builder needs beyond them (a report's code).
    query = models.TextField(_("filters as asked"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("file removed at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["state", "finished_at"], name="core_export_state_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.fmt} #{self.pk}"

    def delete(self, *args, **kwargs):
        raise AuditTrailImmutable(f"{self._meta.label}: export jobs are a record of what was taken (kept)")

    @property
    def waiting(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def filters(self) -> list[tuple[str, str]]:
        """The filters as asked, decoded, for a person to read (``from``: ``1404/05/01``…); the format is the
        page's heading already."""
        from urllib.parse import parse_qsl

        return [(name, value) for name, value in parse_qsl(self.query) if name != "format" and value]
