"""Inspections of offices, the system-problem register, and the monthly return snapshots."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomsOffice, Province, Role, ScopedQuerySet
from core.dates import format_jalali, jalali_month_bounds, page_month_label
from core.text import digits, is_persian, isolate
from declarations.creation import source_ref_display
from declarations.models import Source, Status, TransitDeclaration
from notifications.messages import written


class Check(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    NA = "na", _("not applicable")


# The checklist of a periodic inspection (directive points 1, 2, 3, 5): field name → label.
CHECKLIST = {
    "origin_scans_uploaded": _("origin scans uploaded"),
    "destination_checks_done": _("destination scan checks done"),
    "anpr_working": _("ANPR camera working"),
    "arrivals_timely": _("arrival confirmations timely"),
    "security_measures": _("security measures on servers and workstations"),
}
# Each item answered "no", as a failure: where failed items are listed (the inspections list), the
# item's own sentence would read as if the office had complied.
CHECK_FAILED = {
    "origin_scans_uploaded": _("origin scans not uploaded"),
    "destination_checks_done": _("destination scan checks not done"),
    "anpr_working": _("ANPR camera not working"),
    "arrivals_timely": _("arrival confirmations not timely"),
    "security_measures": _("security measures on servers and workstations lacking"),
}


class InspectionQuerySet(ScopedQuerySet):
    scope_paths = ("office",)


class Inspection(models.Model):
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("office")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    inspected_on = models.DateField(_("inspected on"))
    origin_scans_uploaded = models.CharField(CHECKLIST["origin_scans_uploaded"], max_length=3, choices=Check.choices)
    destination_checks_done = models.CharField(
        CHECKLIST["destination_checks_done"], max_length=3, choices=Check.choices
    )
    anpr_working = models.CharField(CHECKLIST["anpr_working"], max_length=3, choices=Check.choices)
    arrivals_timely = models.CharField(CHECKLIST["arrivals_timely"], max_length=3, choices=Check.choices)
    security_measures = models.CharField(CHECKLIST["security_measures"], max_length=3, choices=Check.choices)
    findings = models.TextField(_("findings"), blank=True)
    follow_up_actions = models.TextField(_("follow-up actions"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["office", "inspected_on"], name="inspection_office_on")]

    # What ``__str__`` follows: read with the rows when many are named (the audit trail names an action's
    # inspection, ``declarations.audit_text``).
    STR_RELATED = ("office",)

    def __str__(self) -> str:
        return f"{self.office} {format_jalali(self.inspected_on)}"  # the audit trail keeps this text

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("office",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: the office by its name, isolated, and the day
        inspected in Jalali with the reader's digits (the stored text kept the writer's language and Persian
        digits)."""
        return f"{isolate(self.office.name, 'auto')} · {format_jalali(self.inspected_on, persian=is_persian())}"

    @property
    def failed_checks(self) -> list[str]:
        """The items answered "no", each worded as the failure it is (``CHECK_FAILED``)."""
        return [str(CHECK_FAILED[name]) for name in CHECKLIST if getattr(self, name) == Check.NO]


def attachment_upload_to(instance: InspectionAttachment, filename: str) -> str:
    # The service passes a random name (``uploads.stored_name``); the client's is kept in ``name``.
    return f"inspections/{instance.inspection_id}/{filename}"


class InspectionAttachment(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("inspection")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to)
    name = models.CharField(_("name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection attachment")
        verbose_name_plural = _("inspection attachments")

    def __str__(self) -> str:
        return self.name


class InspectionActionQuerySet(ScopedQuerySet):
    # The office that must act sees it, and so does whoever sees the inspected office.
    scope_paths = ("responsible_office", "inspection__office")

    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today):
        return self.filter(done_at__isnull=True, due_on__lt=today)


class InspectionAction(models.Model):
    """A follow-up action an inspection asks of an office, with its due date, tracked until done."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="actions", verbose_name=_("inspection")
    )
    description = models.TextField(_("action"))
    responsible_office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible office")
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_note = models.TextField(_("what was done"), blank=True)
    # When the responsible office was told the action is past its due date (the morning job tells it once).
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)

    objects = InspectionActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection follow-up action")
        verbose_name_plural = _("inspection follow-up actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["responsible_office", "due_on"], name="insp_action_open", condition=Q(done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.responsible_office_id} {format_jalali(self.due_on)}: {self.description[:40]}"

    def is_overdue(self, today) -> bool:
        return self.done_at is None and self.due_on < today

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("responsible_office",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: the responsible office by its name, the due
        date in Jalali, and the start of the action, each isolated (never the office's row id)."""
        due = format_jalali(self.due_on, persian=is_persian())
        what = isolate(Truncator(self.description).chars(40), "auto")
        return " · ".join(part for part in (isolate(self.responsible_office.name, "auto"), due, what) if part)


class System(models.TextChoices):
    ICS = "ics", _("ICS (customs system)")
    EPL = "epl", _("EPL")
    ANPR = "anpr", _("plate-reader cameras")
    SCANNER = "scanner", _("X-ray scanner")
    NETWORK = "network", _("network")
    TRANSIT_MONITOR = "monitor", _("Transit Monitor")
    OTHER = "other", _("other")


class Symptom(models.TextChoices):
    ARRIVALS_NOT_VISIBLE = "arrivals_not_visible", _("arrival confirmations not visible")
    DATA_MISSING = "data_missing", _("declaration data missing or wrong")
    UNAVAILABLE = "unavailable", _("system unavailable")
    SLOW = "slow", _("system slow")
    FILE_ALTERED = "file_altered", _("stored file altered or missing")
    JOB_FAILED = "job_failed", _("background job never finished")
    OTHER = "other", _("other")


class ProblemStatus(models.TextChoices):
    NEW = "new", _("new")
    ACKNOWLEDGED = "acknowledged", _("acknowledged by IT")
    RESOLVED = "resolved", _("resolved")


class ProblemQuerySet(ScopedQuerySet):
    scope_paths = ("office",)

    def open(self):
        return self.exclude(status=ProblemStatus.RESOLVED)


class SystemProblem(models.Model):
    """A problem with ICS or another system, routed to the IT office (directive points 7 and 9)."""

    system = models.CharField(_("system"), max_length=10, choices=System.choices)
    symptom = models.CharField(_("symptom"), max_length=24, choices=Symptom.choices)
    office = models.ForeignKey(
        CustomsOffice, on_delete=models.PROTECT, related_name="system_problems", verbose_name=_("office")
    )
    since = models.DateTimeField(_("since"))
    description = models.TextField(_("description"))
    # A problem the system opens itself says what it found as a message (``notifications.messages``),
    # written in the reader's language; ``description`` keeps it in the project's language (and is
    # what a person wrote, as written, for a problem a person reported).
    description_msgid = models.TextField(_("description's message id"), blank=True, editable=False)
    params = models.JSONField(_("message parameters"), default=dict, blank=True, editable=False)
    declarations = models.ManyToManyField(
        TransitDeclaration, blank=True, related_name="+", verbose_name=_("declarations affected")
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("reported by")
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # Routed to the IT office queue; assigned when an IT officer acknowledges it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.NEW)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Set on problems the system opens itself (e.g. "file:<name>" for a stored file found
    # altered): at most one open problem per key, however often the fault is met.
    alert_key = models.CharField(_("alert key"), max_length=255, blank=True, default="", editable=False)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("system problem")
        verbose_name_plural = _("system problems")
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["status", "reported_at"], name="problem_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["alert_key"],
                condition=~Q(alert_key="") & ~Q(status="resolved"),
                name="problem_one_open_alert",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()}: {self.get_symptom_display()}"

    def description_text(self) -> str:
        """The description in the active language, as plain text (an export, the API)."""
        shown = written(self.description_msgid, self.params, html=False, what=f"system problem {self.pk}")
        return self.description if shown is None else shown

    def description_html(self) -> SafeString | str:
        """The same for a page: escaped, identifiers isolated (a stored text is escaped by the template)."""
        shown = written(self.description_msgid, self.params, html=True, what=f"system problem {self.pk}")
        return self.description if shown is None else shown


class SnapshotImmutable(Exception):
    """A monthly return submitted to headquarters never changes."""


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted to headquarters")
    # A draft a newer build of the same month and scope took the place of: never submitted.
    REPLACED = "replaced", _("replaced")


def sees_whole_returns(user) -> bool:
    """HQ and IT see every return whole, an inspector (or a province's client) the province's;
    anyone else (office staff) only their own office's part: figures and serial list, on the
    page and in every export."""
    return user.is_national or user.role == Role.INSPECTOR or bool(user.role == Role.INTEGRATION and user.province_id)


class ReturnQuerySet(models.QuerySet):
    def for_user(self, user):
        """HQ/IT see all; an inspector the province's returns; office staff the province's returns
        that hold a part for their office (``MonthlyReturn.figures_for`` gives them only that part)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_national:
            return self
        if sees_whole_returns(user):
            return self.filter(province_id=user.province_id) if user.province_id else self.none()
        if not user.office_id:
            return self.none()
        office = user.office
        return self.filter(province_id=office.province_id, figures__offices__has_key=office.code)

    def with_late_changes(self, user):
        """Each return with ``late_changes_count``: the late changes ``user`` may see of it (one subquery)."""
        late = (
            LateChange.objects.for_user(user)
            .filter(monthly_return=OuterRef("pk"))
            .order_by()
            .values("monthly_return")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(late_changes_count=Coalesce(Subquery(late), 0))


def replaced_by(rows) -> dict[int, int]:
    """For each return of ``rows``, the version that took its place, by return id: for a replaced draft the
    build that replaced it (the next version); for a submitted one the next version submitted after it.
    A return nothing replaced is absent. One query over the months of ``rows``."""
    rows = list(rows)
    if not rows:
        return {}
    months = Q(pk__in=[])
    for year, month in {(r.year, r.month) for r in rows}:
        months |= Q(year=year, month=month)
    versions: dict[tuple[int, int, int | None], list[tuple[int, str]]] = {}
    for year, month, province_id, version, status in MonthlyReturn.objects.filter(months).values_list(
        "year", "month", "province_id", "version", "status"
    ):
        versions.setdefault((year, month, province_id), []).append((version, status))
    found = {}
    for row in rows:
        later = [(v, s) for v, s in versions.get((row.year, row.month, row.province_id), []) if v > row.version]
        if row.status == ReturnStatus.SUBMITTED:
            later = [(v, s) for v, s in later if s == ReturnStatus.SUBMITTED]
        elif row.status != ReturnStatus.REPLACED:
            continue
        if later:
            found[row.pk] = min(v for v, _s in later)
    return found


def submitted_in(months: list[tuple[int, int]]) -> dict[tuple[int, int, int], MonthlyReturn]:
    """The newest final version each province submitted for each of ``months``, by (year, month, province
    id); a province absent for a month has submitted none (a provisional one never counts). One query."""
    wanted = Q(pk__in=[])
    for year, month in months:
        wanted |= Q(year=year, month=month)
    rows = (
        MonthlyReturn.objects.filter(wanted, status=ReturnStatus.SUBMITTED, provisional=False, province__isnull=False)
        .only("year", "month", "province_id", "version", "submitted_at")
        .order_by("version")
    )
    return {(r.year, r.month, r.province_id): r for r in rows}  # the newest last: it stays


def submitted_before(snap: MonthlyReturn) -> MonthlyReturn | None:
    """The newest version of ``snap``'s month and scope submitted before it: the one submitting ``snap``
    takes the place of. None when none was."""
    return (
        MonthlyReturn.objects.filter(
            year=snap.year,
            month=snap.month,
            province=snap.province,
            status=ReturnStatus.SUBMITTED,
            version__lt=snap.version,
        )
        .select_related("submitted_by")
        .order_by("-version")
        .first()
    )


def newer_draft(snap: MonthlyReturn) -> MonthlyReturn | None:
    """The draft of ``snap``'s month and scope built after it (not submitted yet), if any."""
    return (
        MonthlyReturn.objects.filter(
            year=snap.year,
            month=snap.month,
            province=snap.province,
            status=ReturnStatus.DRAFT,
            version__gt=snap.version,
        )
        .order_by("-version")
        .first()
    )


def latest_submitted(province_id: int | None):
    """The submitted return, the province's or the nation's, that counted declarations the latest (a final
    return up to its month's end, a provisional one up to its build), as ``hooks.SubmittedReturn``; None
    when none was submitted. A declaration declared before its ``until`` is in figures already sent."""
    from declarations.hooks import SubmittedReturn

    rows = (
        MonthlyReturn.objects.filter(status=ReturnStatus.SUBMITTED)
        .filter(Q(province_id=province_id) | Q(province__isnull=True))
        .select_related("province")
        .order_by("-year", "-month")[:20]
    )
    latest: tuple[dt.datetime, MonthlyReturn] | None = None
    for row in rows:
        until = row.built_at if row.provisional else jalali_month_bounds(row.year, row.month)[1]
        if latest is None or until > latest[0]:
            latest = (until, row)
    if latest is None:
        return None
    until, row = latest
    return SubmittedReturn(
        until=until, label=("، " if is_persian() else ", ").join((row.period_label, row.scope_label))
    )


class MonthlyReturn(models.Model):
    """One built version of a month's return for a province (or the nation when province is null).

    ``figures`` holds every figure (see docs/monthly-return.md); the exports keep the full
    unsettled serial list as it was at build time. Once submitted, the row and its files
    never change: ``save()``/``delete()`` refuse, and a rebuild makes a new version.
    Only the newest version of a month and scope is submitted (``services.return_submit``); a build
    marks the scope's drafts replaced, and a newer submitted version takes an older one's place
    (``replaced_by``), which stays as it was sent.
    """

    year = models.PositiveSmallIntegerField(_("Jalali year"))
    month = models.PositiveSmallIntegerField(_("Jalali month"))
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT)
    # Built before the month ended (asked for explicitly): figures up to the build, not final.
    provisional = models.BooleanField(_("provisional"), default=False)
    figures = models.JSONField(_("figures"), default=dict)
    sha256 = models.CharField(_("figures SHA-256"), max_length=64)
    unsettled_count = models.PositiveIntegerField(_("unsettled serials"), default=0)
    xlsx = models.FileField(_("XLSX"), upload_to="returns/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="returns/", blank=True)
    csv = models.FileField(_("CSV"), upload_to="returns/", blank=True)
    # SHA-256 of each stored file (``sha256`` above is of the figures): re-checked when served.
    # Labelled in the return's own words (a letter's PDF has its «SHA-256 of the PDF»): «SHA-256 فایل XLSX».
    xlsx_sha256 = models.CharField(pgettext_lazy("return file", "SHA-256 of the XLSX"), max_length=64, blank=True)
    pdf_sha256 = models.CharField(pgettext_lazy("return file", "SHA-256 of the PDF"), max_length=64, blank=True)
    csv_sha256 = models.CharField(pgettext_lazy("return file", "SHA-256 of the CSV"), max_length=64, blank=True)
    # The PDF as submitted, its cover signed (``services.return_submit``): a record of its own beside the built
    # ``pdf``, which never changes after the build (evidence is never edited). Empty until submitted.
    signed_pdf = models.FileField(pgettext_lazy("return file", "signed PDF"), upload_to="returns/", blank=True)
    signed_pdf_sha256 = models.CharField(
        pgettext_lazy("return file", "SHA-256 of the signed PDF"), max_length=64, blank=True
    )
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("built by"),
    )
    build_seconds = models.FloatField(_("build time (s)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    objects = ReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly return")
        verbose_name_plural = _("monthly returns")
        ordering = ["-year", "-month", "province__code", "-version"]
        # A declaration's change looks up the submitted returns of its month (``late.record``).
        indexes = [
            models.Index(fields=["year", "month"], name="return_submitted_month", condition=Q(status="submitted"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month", "province", "version"],
                condition=Q(province__isnull=False),
                name="return_unique_version",
            ),
            models.UniqueConstraint(
                fields=["year", "month", "version"], condition=Q(province__isnull=True), name="return_unique_national"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.month:02d} {self.province.code if self.province else 'IR'} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and MonthlyReturn.objects.filter(pk=self.pk, status=ReturnStatus.SUBMITTED).exists():
            raise SnapshotImmutable(f"return {self} was submitted and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == ReturnStatus.SUBMITTED:
            raise SnapshotImmutable(f"return {self} was submitted and cannot be deleted")
        return super().delete(*args, **kwargs)

    def served_pdf(self) -> tuple[FieldFile, str]:
        """The return's PDF as it is handed out (its page, its download, its hash check), with its SHA-256: once
        submitted, the signed one; before, the built one."""
        if self.signed_pdf:
            return self.signed_pdf, self.signed_pdf_sha256
        return self.pdf, self.pdf_sha256

    # What ``audit_name`` follows: read with the rows when many are named (the audit trail).
    AUDIT_RELATED = ("province",)

    def audit_name(self) -> str:
        """As the audit trail names it in the reader's language: «گزارش ماهانه آبان ۱۴۰۵ کشوری، نسخهٔ ۲» (the
        month as the returns pages write it), the province's name isolated (never its code, nor «IR v2»)."""
        scope = isolate(self.province.name, "auto") if self.province else gettext("national")
        return gettext("Monthly return %(month)s %(scope)s, version %(version)s") % {
            "month": page_month_label(self.year, self.month),
            "scope": scope,
            "version": digits(self.version),
        }

    @staticmethod
    def status_label_of(status: str, *, national: bool) -> str:
        """A status as the pages show it: headquarters' own (national) return, once submitted, is finalised
        (it is not sent to headquarters, it is theirs); a province's is «submitted to headquarters»."""
        if status == ReturnStatus.SUBMITTED and national:
            return gettext("finalised")
        return str(dict(ReturnStatus.choices).get(status, status))

    @property
    def status_label(self) -> str:
        """This return's status as its page and the returns list show it (``status_label_of``)."""
        return self.status_label_of(self.status, national=self.province_id is None)

    def audit_value(self, name: str, value) -> str | None:
        """A value the audit trail's «what changed» writes for this return as its page does (the status: the
        national return's «finalised»); None for the others, written as any field's (``declarations.audit_text``)."""
        if name == "status" and isinstance(value, str):
            return self.status_label_of(value, national=self.province_id is None)
        return None

    @property
    def scope_label(self) -> str:
        """The province (or the whole country) in the page's language."""
        return self.province.name if self.province else gettext("Whole country")

    @property
    def period_label(self) -> str:
        """The month in the page's language (the figures keep the Persian label of the documents)."""
        return page_month_label(self.year, self.month)

    def figures_for(self, user) -> dict:
        """The figures ``user`` may see: the whole return, or their office's part of it."""
        if sees_whole_returns(user):
            return self.figures
        return self.figures["offices"][user.office.code]  # for_user() lists no return without it


class LateChangeQuerySet(models.QuerySet):
    def for_user(self, user):
        """The late changes ``user`` may see of the returns they see: all of a return's, or, for office
        staff, those of their office's part (declarations from their office, inspections of it), as its page
        lists them."""
        if sees_whole_returns(user):
            return self
        return self.filter(Q(declaration__origin_id=user.office_id) | Q(inspection__office_id=user.office_id))


# What a late change records that is not a declaration's move: an inspection recorded into the period.
INSPECTED = "inspected"


class LateChange(models.Model):
    """A declaration created or moved, or an inspection recorded, after a monthly return was submitted, at a
    time inside the period that return counted: its figures no longer match the data (and the next month's
    opening will not equal its closing). Exactly one of ``declaration`` and ``inspection`` names what changed.
    Evidence: written once, in the transaction of the change, never edited or deleted."""

    monthly_return = models.ForeignKey(
        MonthlyReturn, on_delete=models.PROTECT, related_name="late_changes", verbose_name=_("monthly return")
    )
    declaration = models.ForeignKey(
        TransitDeclaration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("declaration"),
    )
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("inspection")
    )
    serial = models.CharField(_("serial"), max_length=40)  # the declaration's ("" for an inspection)
    # "created", the transition's action, or ``INSPECTED``
    what = models.CharField(_("what happened"), max_length=20)
    # the declaration's status after the change ("" for an inspection)
    status = models.CharField(_("status"), max_length=20)
    at = models.DateTimeField(_("dated"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("by"),
    )
    source = models.CharField(_("source"), max_length=10)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = LateChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("late change")
        verbose_name_plural = _("late changes")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(declaration__isnull=False, inspection__isnull=True)
                | Q(declaration__isnull=True, inspection__isnull=False),
                name="late_change_one_subject",
            )
        ]

    def __str__(self) -> str:
        subject = self.serial if self.declaration_id else f"inspection {self.inspection_id}"
        return f"{self.monthly_return} {subject} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise SnapshotImmutable(f"late change {self.pk} is evidence and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SnapshotImmutable(f"late change {self.pk} is evidence and cannot be deleted")

    def what_text(self) -> str:
        """What happened, in the page's language."""
        if self.inspection_id:
            return gettext("inspection recorded")
        status = Status(self.status).label if self.status in Status.values else self.status
        if self.what == "created":
            return gettext("recorded (%(status)s)") % {"status": status}
        return gettext("status changed to %(status)s") % {"status": status}

    def source_text(self) -> str:
        """Where it came from, in the page's language, with the file or person recorded."""
        label = str(Source(self.source).label) if self.source in Source.values else self.source
        return f"{label} ({source_ref_display(self.source_ref)})" if self.source_ref else label


class BuildState(models.TextChoices):
    QUEUED = "queued", _("queued")
    BUILDING = "building", _("building")
    DONE = "done", _("built")
    FAILED = "failed", _("failed")


class ReturnBuild(models.Model):
    """One request to build a return (a task's message), so that the build is done once: a message
    delivered again after a worker died finds its request and either finishes it or, when it is
    built, does nothing; the sweeper queues again a build stuck past its time limit."""

    # The Celery task id of the request: a redelivered (or re-queued) message carries the same.
    key = models.CharField(_("task"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField(_("Jalali year"))
    month = models.PositiveSmallIntegerField(_("Jalali month"))
    province = models.ForeignKey(
        Province, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    provisional = models.BooleanField(_("provisional"), default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        verbose_name=_("requested by"),
    )
    state = models.CharField(_("state"), max_length=8, choices=BuildState.choices, default=BuildState.QUEUED)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.OneToOneField(
        MonthlyReturn,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="build",
        verbose_name=_("return built"),
    )
    error = models.CharField(_("why it failed"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("return build")
        verbose_name_plural = _("return builds")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"], name="returnbuild_state")]

    def __str__(self) -> str:
        return f"{self.year}/{self.month:02d} {self.province_id or 'IR'} ({self.state})"
