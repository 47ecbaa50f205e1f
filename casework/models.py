"""Follow-up letters (پیگیری کتبی) and judicial cases (پرونده قضایی) about a declaration.

The tables keep the names they had when these models lived in ``declarations``.

A letter goes from the origin office to the destination office: drafted (by a person or
proposed by the daily task), numbered in the origin office's own series when sent, then
answered. A judicial case is opened from an unsettled or overdue declaration and keeps a
dated log of actions until its outcome.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, ScopedQuerySet
from core.dates import ascii_digits, format_jalali
from core.text import digits, is_persian
from declarations.idents import case_number_text
from declarations.models import TransitDeclaration
from notifications.messages import Message, params_to_json, stored_copy, written

__all__ = [
    "CaseMilestone",
    "CaseStatus",
    "CaseValuation",
    "FollowUpLetter",
    "JudicialAction",
    "JudicialCase",
    "LetterKind",
    "LetterSequence",
    "LetterStatus",
    "MilestoneKind",
    "ValuationKind",
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
        draft) is in no receiving office's list, count or page until it is sent. Headquarters, like a
        province's inspector over its offices, oversees every letter, drafts included (read only: the
        origin office writes them, ``services.may_write_letter``)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_active and user.is_national:
            return self.all()  # an empty Q() would drop out of the OR below, leaving only the sent letters
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
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    reply_due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply_number = models.CharField(_("reply letter number"), max_length=40, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    reply_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reply recorded by"),
    )
    # The reply letter itself as received (its scan or PDF), stored with the reply and never replaced: checked
    # by content like every evidence upload (``core.uploads``), under a random name, with its SHA-256.
    reply_document = models.FileField(
        _("reply letter file"), upload_to="letters/replies/%Y/%m/", max_length=200, blank=True
    )
    reply_document_name = models.CharField(_("reply letter file's name"), max_length=200, blank=True)
    reply_document_sha256 = models.CharField(_("SHA-256 of the reply letter file"), max_length=64, blank=True)
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
        """The body's blank-line separated blocks: a browser sends a textarea's lines ended by CRLF, and a
        "blank" line may hold spaces."""
        return [
            p.strip() for p in re.split(r"\n[ \t]*\n", self.body.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()
        ]


class CaseStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


def authority_with_branch(authority: str, branch: str) -> str:
    """The authority and its branch, the branch labelled («دادگاه انقلاب ماکو شعبهٔ ۲», not «… ماکو ۲»; in English
    «دادگاه انقلاب ماکو, branch 2»), unless
    typed with its label («شعبه ۳»): the case page, its list and timeline, and the monthly return's cases."""
    branch = (branch or "").strip()
    if not branch:
        return authority
    if branch.startswith(("شعبه", "branch", "Branch")):
        return f"{authority} {branch}"
    # The branch's number in the page's digits (typed «۴», an English page read «branch ۴»); the authority's name
    # is data and stays as written.
    number = digits(branch) if is_persian() else ascii_digits(branch)
    return str(_("%(authority)s, branch %(branch)s")) % {"authority": authority, "branch": number}


class CaseQuerySet(ScopedQuerySet):
    scope_paths = ("declaration__origin", "declaration__destination")


class JudicialCase(models.Model):
    """A smuggling/violation file about one declaration, valued as the regulations define it.

    The value is kept in ``CaseValuation`` records (Art. 2 of the smuggling regulation; a
    correction is a new record); ``goods_value`` is the sum of the current ones, written by the
    valuation service (``casework.smuggling``). The CIF, rate, duties and fees columns are the
    inputs given when the case was opened (its first valuation). A case carries its statutory
    milestones (``CaseMilestone``), timed from ``discovered_at``.
    """

    declaration = models.ForeignKey(
        TransitDeclaration, on_delete=models.PROTECT, related_name="judicial_cases", verbose_name=_("declaration")
    )
    file_number = models.CharField(_("file number"), max_length=60)
    authority = models.CharField(_("authority"), max_length=150)
    branch = models.CharField(_("branch"), max_length=100, blank=True)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    cif_value = models.DecimalField(_("CIF value"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    exchange_rate = models.DecimalField(_("exchange rate (rial per unit)"), max_digits=18, decimal_places=4)
    duties = models.DecimalField(_("duties (rial)"), max_digits=20, decimal_places=0, default=0)
    fees = models.DecimalField(_("fees (rial)"), max_digits=20, decimal_places=0, default=0)
    goods_value = models.DecimalField(_("goods value (rial)"), max_digits=24, decimal_places=0)
    # When the goods were found: the day of the exchange rate (Art. 2) and the start of the clocks.
    discovered_at = models.DateTimeField(_("discovered at"), null=True, blank=True)
    # The office answerable for the clocks (told when one is overdue); empty: the declaration's origin.
    office = models.ForeignKey(
        CustomsOffice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible office"),
    )
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
        if self.goods_value is None:  # a new case before its first valuation: the opening inputs
            self.goods_value = self.compute_value(self.cif_value, self.exchange_rate, self.duties, self.fees)
        super().save(*args, **kwargs)

    @property
    def authority_shown(self) -> str:
        """The authority and its branch (``authority_with_branch``)."""
        return authority_with_branch(self.authority, self.branch)

    @property
    def responsible_office_id(self) -> int:
        return self.office_id or self.declaration.origin_id

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
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        db_table = "declarations_judicialaction"  # the table it had in declarations
        verbose_name = _("judicial action")
        verbose_name_plural = _("judicial actions")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["on"], name="case_action_on")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.on}"

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("case",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its case's file number, isolated, and its
        Jalali date."""
        return f"{case_number_text(self.case.file_number)} · {format_jalali(self.on, persian=is_persian())}"


# --- smuggling cases: valuation and statutory milestones (executive regulation of the smuggling law) ---


class ValuationKind(models.TextChoices):
    IMPORT = "import", _("import smuggling: CIF × exporters' rate + duties + commercial profit + fees")
    EXPORT = "export", _("export smuggling: wholesale price in the nearest domestic market")
    CURRENCY = "currency", _("currency seized: amount × its own rate")


class ImmutableRecord(Exception):
    """A valuation or a done milestone was about to be changed: a correction is a new record."""


# Art. 2: the exporters' exchange rate of the discovery day, the source stored when a valuation names none
# (as the regulations name it; shown in the reader's language by ``CaseValuation.rate_source_text``).
EXPORTERS_RATE_SOURCE = "مرکز مبادله ارز و طلای ایران (نرخ ارز صادرکنندگان)"


class CaseValuation(models.Model):
    """One valuation of a case's goods or seized currency (Art. 2), with every input and the source
    and date of the exchange rate. Never changed: a correction is a new valuation that names the one
    it corrects (``corrects``); the case's value is the sum of the valuations no later one corrects."""

    case = models.ForeignKey(JudicialCase, on_delete=models.CASCADE, related_name="valuations", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=10, choices=ValuationKind.choices)
    # Import: the CIF value in its currency; currency seized: the amount seized.
    foreign_amount = models.DecimalField(
        _("amount in currency"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    exchange_rate = models.DecimalField(
        _("exchange rate (rial per unit)"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    rate_source = models.CharField(_("rate source"), max_length=200, blank=True)
    rate_date = models.DateField(_("rate date"), null=True, blank=True)
    duties = models.DecimalField(_("customs duties (rial)"), max_digits=20, decimal_places=0, default=0)
    commercial_profit = models.DecimalField(_("commercial profit (rial)"), max_digits=20, decimal_places=0, default=0)
    fees = models.DecimalField(_("fees (rial)"), max_digits=20, decimal_places=0, default=0)
    # Export: the wholesale price of the goods in the nearest domestic market, and which market.
    wholesale_price = models.DecimalField(
        _("wholesale price (rial)"), max_digits=24, decimal_places=0, null=True, blank=True
    )
    market = models.CharField(_("nearest domestic market"), max_length=200, blank=True)
    value = models.DecimalField(_("value (rial)"), max_digits=24, decimal_places=0)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
        verbose_name=_("corrects valuation"),
    )
    reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    valued_at = models.DateTimeField(_("valued at"), auto_now_add=True)
    valued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("valued by"),
    )

    class Meta:
        verbose_name = _("case valuation")
        verbose_name_plural = _("case valuations")
        ordering = ["case", "valued_at", "id"]
        constraints = [
            # A valuation is corrected once; the correction may be corrected in turn.
            models.UniqueConstraint(fields=["corrects"], name="valuation_corrected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.value}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord("a valuation is never changed: record a correction")
        super().save(*args, **kwargs)

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("case",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: its case's file number, isolated, and the
        kind of valuation's label."""
        return f"{case_number_text(self.case.file_number)} · {self.get_kind_display()}"

    @property
    def rate_source_text(self) -> str:
        """The rate's source as stored; the default one in the reader's language."""
        if self.rate_source == EXPORTERS_RATE_SOURCE:
            return str(_("Iran Center for Exchange of Currency and Gold (exporters' rate)"))
        return self.rate_source

    @property
    def is_current(self) -> bool:
        return not self.corrected_by.exists()

    @property
    def added_terms(self) -> list[tuple[str, Decimal]]:
        """The rial amounts an import valuation adds to CIF × rate, each with its name, those left at nought
        left out: a page writes «… × rate + 5,000,000 (customs duties)», not «+ 0 + 0» for what was never
        typed."""
        if self.kind != ValuationKind.IMPORT:
            return []
        terms = (
            (_("customs duties"), self.duties),
            (_("commercial profit"), self.commercial_profit),
            (_("fees"), self.fees),
        )
        return [(str(label), amount) for label, amount in terms if amount]


class MilestoneKind(models.TextChoices):
    CONFISCATION = "confiscation", _("confiscation only (value up to the threshold)")
    HANDOVER = "handover", _("goods and person handed to the competent authority")
    FILE_PROPERTY_ORG = "file_property_org", _("file sent to the confiscated-property organisation")
    FILE_COURT = "file_court", _("file sent to the court")
    CARRIER_FINE = "carrier_fine", _("carrier fine and vehicle seizure")
    PAYMENT = "payment", _("fine paid")


# The article of the smuggling regulation behind each milestone.
MILESTONE_ARTICLE: dict[str, str] = {
    MilestoneKind.CONFISCATION: "3",
    MilestoneKind.HANDOVER: "4",
    MilestoneKind.FILE_PROPERTY_ORG: "7",
    MilestoneKind.FILE_COURT: "7",
    MilestoneKind.CARRIER_FINE: "18",
    MilestoneKind.PAYMENT: "19",
}


class MilestoneQuerySet(ScopedQuerySet):
    scope_paths = ("case__declaration__origin", "case__declaration__destination")

    def live(self):
        """Not waived: the milestones the case still owes or has met."""
        return self.filter(waived_at__isnull=True)

    def pending(self):
        """Still owed: not met, not waived, and its case open (closing a case waives the steps it left
        undone; one closed before that rule owes nothing either)."""
        return self.live().filter(done_at__isnull=True, case__status=CaseStatus.OPEN)

    def overdue(self, now):
        """Pending with a due time that has passed (a milestone without a clock is never overdue; a
        closed case's are history, counted by the monthly return). The same rule as ``is_overdue``."""
        return self.pending().filter(due_at__lt=now)


class CaseMilestone(models.Model):
    """A statutory step of a smuggling case with its due time on the working-day calendar.

    Created and waived by the service when the case is opened or valued (``casework.smuggling``);
    met by a person with an evidence note (``done_*``), never changed after that."""

    case = models.ForeignKey(JudicialCase, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("case"))
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)
    article = models.CharField(_("article"), max_length=8)
    # None: a step the regulation sets no time for (confiscation, the carrier's fine).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    evidence_note = models.TextField(_("evidence"), blank=True)
    # The carrier's fine (at most twice the value, Art. 18) or the sum paid (Art. 19).
    amount = models.DecimalField(_("amount (rial)"), max_digits=24, decimal_places=0, null=True, blank=True)
    vehicle_seized = models.BooleanField(_("vehicle seized"), default=False)
    # No longer owed: a revaluation moved the case across the confiscation-only threshold.
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_note = models.CharField(_("why waived"), max_length=300, blank=True)
    # Why, when the system waived it: a message id and parameters, written in the reader's language
    # (``waived_note_html``); ``waived_note`` keeps it in the project's language. Empty on older rows.
    waived_note_msgid = models.TextField(_("why waived: message id"), blank=True)
    waived_note_params = models.JSONField(_("why waived: parameters"), default=dict, blank=True)
    # The overdue notice went out (claimed by the daily job, once per milestone).
    notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("statutory milestone")
        verbose_name_plural = _("statutory milestones")
        ordering = ["case", models.F("due_at").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"], condition=Q(waived_at__isnull=True), name="milestone_one_live_per_kind"
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="milestone_pending_due",
                condition=Q(done_at__isnull=True, waived_at__isnull=True),
            ),
            models.Index(fields=["done_at"], name="milestone_done_at"),
            # The month's milestones of a monthly return (due or met in it, or owed at its end), without the rest.
            models.Index(fields=["due_at"], name="milestone_due_at"),
        ]

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("case",)

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    def audit_name(self) -> str:
        """The milestone as the audit trail names it in the reader's language: its case's file number, isolated,
        and the step's label, never the case's row id and the step's code."""
        return f"{case_number_text(self.case.file_number)} · {self.get_kind_display()}"

    def waive(self, at, why: Message) -> list[str]:
        """Mark it no longer owed from ``at`` for the reason ``why``; returns the fields to save."""
        self.waived_at = at
        self.waived_note = stored_copy(why)[:300]
        self.waived_note_msgid, self.waived_note_params = why.msgid, params_to_json(why.params)
        return ["waived_at", "waived_note", "waived_note_msgid", "waived_note_params"]

    def waived_note_html(self) -> SafeString | str:
        """Why it was waived in the reader's language (a row from before the message ids: as stored)."""
        shown = written(self.waived_note_msgid, self.waived_note_params, html=True, what=f"milestone {self.pk}")
        return self.waived_note if shown is None else shown

    def is_overdue(self, now) -> bool:
        """As ``overdue()``: owed by an open case, its due time passed."""
        return (
            self.done_at is None
            and self.waived_at is None
            and self.due_at is not None
            and self.due_at < now
            and self.case.status == CaseStatus.OPEN
        )

    @property
    def state(self) -> str:
        if self.waived_at:
            return "waived"
        return "done" if self.done_at else "pending"
