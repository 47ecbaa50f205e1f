"""A notification: something that needs this person, with a link to it. One row per recipient,
so each person marks their own as done; the kind decides whether an e-mail goes too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SCAN_SUSPICIOUS = "scan_suspicious", _("A scan comparison is suspicious")
    SCAN_ESCALATED = "scan_escalated", _("A suspicious scan was escalated")
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
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("details"), blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


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
