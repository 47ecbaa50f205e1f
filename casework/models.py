"""Follow-up letters (پیگیری کتبی) and judicial cases (پرونده قضایی) about a declaration.

The tables keep the names they had when these models lived in ``declarations``.

A letter goes from the origin office to the destination office: drafted (by a person or
proposed by the daily task), numbered in the origin office's own series when sent, then
answered. A judicial case is opened from an unsettled or overdue declaration and keeps a
dated log of actions until its outcome.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, ScopedQuerySet
from declarations.models import TransitDeclaration

__all__ = [
    "CaseStatus",
    "FollowUpLetter",
    "JudicialAction",
    "JudicialCase",
    "LetterKind",
    "LetterSequence",
    "LetterStatus",
]


class LetterKind(models.TextChoices):
    OVERDUE = "overdue", _("no arrival by the deadline")
    ARRIVED_UNSETTLED = "arrived_unsettled", _("arrived, not settled")
    REMINDER = "reminder", _("reminder (no reply)")
    ESCALATION = "escalation", _("escalation")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    ANSWERED = "answered", _("answered")
    CANCELLED = "cancelled", _("cancelled")


class LetterQuerySet(ScopedQuerySet):
    scope_paths = ("from_office", "to_office")

    def for_user(self, user) -> LetterQuerySet:
        """The letters of the user's offices as writer, and those sent to them: a draft (or a cancelled
        draft) is the writing office's own until it is sent, in nobody else's list, count or page."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        received = user.scope_q("to_office") & models.Q(status__in=[LetterStatus.SENT, LetterStatus.ANSWERED])
        return self.filter(user.scope_q("from_office") | received)

    def awaiting_reply(self):
        return self.filter(status=LetterStatus.SENT)

    def addressed_to(self, user):
        """Letters sent to an office in the user's scope (the destination's inbox): a draft or a
        cancelled draft was never sent, so it is in nobody's inbox."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user.scope_q("to_office")).filter(status__in=[LetterStatus.SENT, LetterStatus.ANSWERED])

    def reply_overdue(self, now):
        return self.filter(status=LetterStatus.SENT, reply_due_at__lt=now)

    def by_reply_due(self):
        """The reply due soonest (or most overdue) first; answered letters by their due date too."""
        return self.order_by(models.F("reply_due_at").asc(nulls_last=True), "pk")

    def most_overdue_first(self):
        """Drafts first (they wait on the clerk), then the declaration longest past its deadline."""
        return self.order_by(
            models.Case(models.When(status=LetterStatus.DRAFT, then=models.Value(0)), default=models.Value(1)),
            models.F("declaration__deadline").asc(nulls_last=True),
            "-pk",
        )


class LetterSequence(models.Model):
    """The last number used in an office's letter series for one Jalali year."""

    office = models.ForeignKey(CustomsOffice, on_delete=models.CASCADE, related_name="+", verbose_name=_("office"))
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        db_table = "declarations_lettersequence"  # the table it had in declarations
        verbose_name = _("letter number series")
        verbose_name_plural = _("letter number series")
        constraints = [models.UniqueConstraint(fields=["office", "year"], name="letterseq_unique_office_year")]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.year}: {self.last}"


class FollowUpLetter(models.Model):
    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="letters", verbose_name=_("declaration")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("follows letter")
    )
    from_office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="letters_sent", verbose_name=_("from office")
    )
    to_office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="letters_received", verbose_name=_("to office")
    )
    status = models.CharField(_("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    # Numbered only when sent: a draft has no number, so cancelled drafts leave no gaps.
    number = models.CharField(_("letter number"), max_length=40, blank=True)
    number_year = models.PositiveSmallIntegerField(_("number year"), null=True, blank=True)
    number_seq = models.PositiveIntegerField(_("number in series"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), help_text=_("One paragraph per blank-line separated block."))
    has_attachment = models.BooleanField(_("has attachment"), default=False)
    copies = models.JSONField(_("copies to"), default=list, blank=True)
    signer_name = models.CharField(_("signer name"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer title"), max_length=150, blank=True)
    drafted_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    # None: proposed by the daily follow-up task.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply_number = models.CharField(_("reply letter number"), max_length=40, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # The sent letter's record, rendered once when it is sent; a draft is previewed, never stored.
    pdf = models.FileField(_("PDF"), upload_to="letters/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        db_table = "declarations_followupletter"  # the table it had in declarations
        verbose_name = _("follow-up letter")
        verbose_name_plural = _("follow-up letters")
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_office", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="letter_unique_number",
            ),
            # One draft at a time per declaration: the daily proposal claims it (safe to run twice).
            models.UniqueConstraint(fields=["declaration"], condition=Q(status="draft"), name="letter_one_draft"),
        ]
        indexes = [
            models.Index(fields=["status", "reply_due_at"], name="letter_status_due"),
            models.Index(fields=["sent_at"], name="letter_sent_at"),
            models.Index(fields=["answered_at"], name="letter_answered_at"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class CaseQuerySet(ScopedQuerySet):
    scope_paths = ("declaration__origin", "declaration__destination")


class JudicialCase(models.Model):
    """A smuggling/violation file about one declaration, valued as the regulations define it.

    goods value (rial) = CIF value × exchange rate + duties + fees; every input is kept so
    the figure can be checked, and ``save()`` recomputes it so it never drifts from them.
    """

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="judicial_cases", verbose_name=_("declaration")
    )
    file_number = models.CharField(_("file number"), max_length=60)
    authority = models.CharField(_("authority"), max_length=150)
    branch = models.CharField(_("branch"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cif_value = models.DecimalField(_("CIF value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    exchange_rate = models.DecimalField(_("exchange rate (rial per unit)"), max_digits=18, decimal_places=4)
    duties = models.DecimalField(_("duties (rial)"), max_digits=20, decimal_places=0, default=0)
    fees = models.DecimalField(_("fees (rial)"), max_digits=20, decimal_places=0, default=0)
    goods_value = models.DecimalField(_("goods value (rial)"), max_digits=24, decimal_places=0)
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        db_table = "declarations_judicialcase"  # the table it had in declarations
        verbose_name = _("judicial case")
        verbose_name_plural = _("judicial cases")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "file_number"], name="case_unique_file"),
        ]
        indexes = [models.Index(fields=["opened_on"], name="case_opened_on")]

    def __str__(self) -> str:
        return f"{self.file_number} ({self.authority})"

    def save(self, *args, **kwargs):
        self.goods_value = self.compute_value(self.cif_value, self.exchange_rate, self.duties, self.fees)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "goods_value"}
        super().save(*args, **kwargs)

    @staticmethod
    def compute_value(cif_value: Decimal, exchange_rate: Decimal, duties: Decimal, fees: Decimal) -> Decimal:
        """Rial value, rounded half-up to whole rials."""
        from decimal import ROUND_HALF_UP

        return (Decimal(cif_value) * Decimal(exchange_rate) + Decimal(duties) + Decimal(fees)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )


class JudicialAction(models.Model):
    case = models.ForeignKey(JudicialCase, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case"))
    on = models.DateField(_("date"))
    action = models.TextField(_("action taken"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "declarations_judicialaction"  # the table it had in declarations
        verbose_name = _("judicial action")
        verbose_name_plural = _("judicial actions")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["on"], name="case_action_on")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"
