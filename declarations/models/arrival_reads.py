"""Reviews of an «arrival without plate read» (the ``arrival_without_read`` signal): a person at the
destination office or the province's inspector says why a confirmed arrival has no plate read at a
destination with a camera (``declarations.arrival_reads``).

A review is a record of its own; the arrival and its evidence stay as stored. A decision is revised by a
later review that names the one it replaces (``supersedes``), a record of its own too: the history is a
chain and its last counts. The declaration's evidence summary keeps what the last says
(``TransitDeclaration.arrival_read_explained``), so the signal stays a filter on the declarations table.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ScopedQuerySet

from .core import TransitDeclaration

# A note shorter than this says nothing an inspector can check.
NOTE_MIN_LENGTH = 10


# A run of letters and digits (the underscore is not one) with the zero-width non-joiner inside its words.
_RUN = re.compile(r"(?:[^\W_]|\u200c)+")


def written_length(text: str) -> int:
    """How much a note or reason says, measured against ``NOTE_MIN_LENGTH``: its words' letters and digits and
    one space between each two words; punctuation, symbols and the spaces around them say nothing
    («..........», «. . . . . . . . . . .»)."""
    words = [word for word in (run.strip("\u200c") for run in _RUN.findall(text or "")) if word]
    return len(" ".join(words))


class ArrivalReadReason(models.TextChoices):
    """Why the destination's camera has no read of a truck whose arrival was confirmed; the last, «refer»,
    explains nothing: the signal stays and the inspectors are told."""

    CAMERA_DOWN = "camera_down", _("camera out of service")
    GATE_WITHOUT_CAMERA = "gate_without_camera", _("the truck entered through a gate without a camera")
    PLATE_UNREADABLE = "plate_unreadable", _("plate unreadable (dirty, damaged or covered)")
    READ_ON_OTHER = "read_on_other", _("its read was attached to another declaration by mistake")
    OTHER = "other", _("other")
    REFER = "refer", _("not explained: refer to the inspector")


class ArrivalReadReviewQuerySet(ScopedQuerySet):
    scope_paths = ("declaration__origin", "declaration__destination")

    def current(self) -> ArrivalReadReviewQuerySet:
        """The reviews no later review supersedes: one per declaration reviewed, the decision that counts."""
        return self.exclude(Exists(ArrivalReadReview.objects.filter(supersedes=OuterRef("pk"))))


class ArrivalReadReview(models.Model):
    """What a person found about a confirmed arrival without a plate read at the destination. Never edited:
    a revision is a new review that ``supersedes`` the one that counted (each supersedes at most one and is
    superseded by at most one; the first of a declaration supersedes none)."""

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="arrival_read_reviews", verbose_name=_("declaration")
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("revises the review"),
    )
    reason = models.CharField(_("reason"), max_length=24, choices=ArrivalReadReason.choices)
    # For a camera out of service: the system problem or camera silence known at the arrival's time that
    # the reviewer named ("problem:12", "camera:3"; ``hooks.arrival_outages``), and what it was as shown then.
    outage_ref = models.CharField(_("outage named"), max_length=40, blank=True)
    outage = models.CharField(_("outage"), max_length=300, blank=True)
    note = models.TextField(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    at = models.DateTimeField(_("reviewed at"), default=timezone.now)

    objects = ArrivalReadReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("arrival without plate read review")
        verbose_name_plural = _("arrival without plate read reviews")
        ordering = ["declaration_id", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration"], condition=Q(supersedes__isnull=True), name="arrread_one_first_review"
            ),
            models.CheckConstraint(condition=~Q(note=""), name="arrread_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.reason}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("declaration",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its declaration's serial, isolated, and the reason's label."""
        from declarations.idents import serial_text

        return f"{serial_text(self.declaration.serial)} · {self.get_reason_display()}"

    @property
    def explains(self) -> bool:
        """Whether this decision explains the arrival (every reason but «refer»)."""
        return self.reason != ArrivalReadReason.REFER


__all__ = ["NOTE_MIN_LENGTH", "ArrivalReadReason", "ArrivalReadReview", "written_length"]
