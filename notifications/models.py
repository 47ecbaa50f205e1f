"""A notification: something that needs this person, with a link to it. One row per recipient,
so each person marks their own as done; the kind decides whether an e-mail goes too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .messages import written


class Kind(models.TextChoices):
    SCAN_SUSPICIOUS = "scan_suspicious", _("A scan comparison is suspicious")
    SCAN_UNALIGNED = "scan_unaligned", _("Scan images could not be compared")
    SCAN_ESCALATED = "scan_escalated", _("A suspicious scan was escalated")
    SCAN_REUSED = "scan_reused", _("A scan is the same image as another truck's scan")
    REPLY_OVERDUE = "reply_overdue", _("A letter's reply is overdue")
    ESCALATED_TO_HQ = "escalated_to_hq", _("A letter was escalated to headquarters")
    CAMERA_SILENT = "camera_silent", _("A camera has gone silent")
    ARRIVAL_UNSEEN = "arrival_unseen", _("Arrival confirmed but the truck was never seen")
    PROBLEM_REPORTED = "problem_reported", _("A system problem was reported")
    PROBLEM_RESOLVED = "problem_resolved", _("A system problem you reported was resolved")
    IMPORT_FINISHED = "import_finished", _("An import you started has finished")
    MILESTONE_OVERDUE = "milestone_overdue", _("A smuggling case's statutory deadline has passed")
    MODEL_TRAINED = "model_trained", _("A plate-reader training run finished")
    LETTER_RECEIVED = "letter_received", _("A follow-up letter was sent to your office")
    RETURN_BUILT = "return_built", _("A monthly return you asked for is ready")
    COMPARISON_FAILED = "comparison_failed", _("A scan comparison could not run")
    EXPORT_READY = "export_ready", _("An export you asked for is ready")
    EXPORT_FAILED = "export_failed", _("An export you asked for could not be built")
    RETURN_LATE_CHANGE = "return_late_change", _("A submitted monthly return's period changed since")
    INSPECTION_ACTION = "inspection_action", _("An inspection asks your office for a follow-up action")
    SETTLEMENT_RELEASED = "settlement_released", _("A blocked settlement at your office was released")
    RETURN_SUBMITTED = "return_submitted", _("A province submitted its monthly return")
    LETTER_ANSWERED = "letter_answered", _("A follow-up letter of your office was answered")
    INSPECTION_ACTION_OVERDUE = (
        "inspection_action_overdue",
        _("A follow-up action asked of your office is past its due date"),
    )
    LETTER_PDF_READY = "letter_pdf_ready", _("The PDF of a letter you sent is ready")


class NotificationQuerySet(models.QuerySet):
    def open(self) -> NotificationQuerySet:
        return self.filter(done_at__isnull=True)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True, done_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # What it says is written when it is read, in the reader's language (``messages``): the message ids
    # and their parameters. ``title`` and ``body`` keep it written in the project's language, for the
    # admin and the audit; a row from before the message ids (empty ``title_msgid``) shows them as stored,
    # and so does a body of a person's own words (empty ``body_msgid``).
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    title_msgid = models.CharField(_("title's message id"), max_length=300, blank=True)
    body_msgid = models.TextField(_("details' message id"), blank=True)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)  # {"title": {…}, "body": {…}}
    url = models.CharField(_("link"), max_length=500)
    # What it is about (for "once per object" and for the page's filter), by name: no join to other apps.
    subject = models.CharField(_("about"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "done_at", "-created_at"], name="notif_user_open"),
            # A periodic check that finds the same thing again does not notify twice: ``services.notify``
            # looks here under a lock. Not a unique index: on PostgreSQL the table is partitioned by
            # month (core.partitions) and a unique index would have to hold the creation time.
            models.Index(fields=["user", "kind", "subject"], condition=~Q(subject=""), name="notif_once_per_subject"),
            # The open ones about a matter, everyone's: closed together once it is dealt with (``mark_done_for_everyone``).
            models.Index(
                fields=["subject", "kind"],
                condition=Q(done_at__isnull=True) & ~Q(subject=""),
                name="notif_open_by_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"

    def _written(self, msgid: str, part: str, *, html: bool) -> str | None:
        """The message in the active language; None when there is none or it cannot be written (the stored text is shown)."""
        return written(msgid, (self.params or {}).get(part), html=html, what=f"notification {self.pk}")

    def title_text(self) -> str:
        """The title in the active language, as plain text (an e-mail's subject)."""
        written = self._written(self.title_msgid, "title", html=False)
        return self.title if written is None else written

    def title_html(self) -> SafeString | str:
        """The title for a page in its language, identifiers isolated (a stored title is escaped by the template)."""
        written = self._written(self.title_msgid, "title", html=True)
        return self.title if written is None else written

    def body_text(self) -> str:
        written = self._written(self.body_msgid, "body", html=False)
        return self.body if written is None else written

    def body_html(self) -> SafeString | str:
        written = self._written(self.body_msgid, "body", html=True)
        return self.body if written is None else written


class EmailPreference(models.Model):
    """The kinds a person also wants by e-mail (none unless they choose)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notif_email_pref_once")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"
