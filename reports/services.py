"""State changes of reports: inspections, system problems, monthly return snapshots."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import CustomsOffice, Province, Role, User
from core import jobs, taskruns, uploads
from core.audit import actor
from core.dates import (
    EARLIEST,
    TEHRAN,
    format_jalali,
    jalali_month_bounds,
    jalali_month_of,
    page_month_label,
    previous_jalali_month,
    to_jalali,
)
from core.errors import FileRejected, IllegalTransition, InvalidInput, NotAllowed
from core.text import digits, is_persian, isolate, too_long
from declarations.models import TransitDeclaration, written_length
from declarations.services import check_evidence
from notifications.messages import Ident, Message, Month, Name, Number, Param, When, params_to_json, stored_copy
from notifications.services import Kind, headquarters, it_office, mark_done_for_everyone, notify, office_staff

from . import exports, late, returns
from .models import (
    CHECKLIST,
    BuildState,
    Check,
    Inspection,
    InspectionAction,
    InspectionAttachment,
    MonthlyReturn,
    ProblemStatus,
    ReturnBuild,
    ReturnStatus,
    Symptom,
    System,
    SystemProblem,
)


def inspection_interval_days() -> int:
    return settings.INSPECTION_INTERVAL_DAYS


# --- inspections ------------------------------------------------------------------------------


def may_record_inspections(user: User) -> bool:
    """Whether the user records inspections of any office (the form is offered): HQ, an inspector."""
    return user.is_active and (user.is_superuser or user.role in (Role.HQ, Role.INSPECTOR))


WHO_INSPECTS = gettext_lazy("Only a provincial inspector, or headquarters, records inspections of offices.")


def may_inspect(user: User, office: CustomsOffice) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    return user.role == Role.INSPECTOR and user.province_id == office.province_id


@transaction.atomic
def inspection_record(
    *,
    office: CustomsOffice,
    by: User,
    inspected_on: dt.date,
    checklist: dict[str, str],
    findings: str = "",
    follow_up_actions: str = "",
    follow_up_due: dt.date | None = None,
    attachments=(),
    actions: Sequence[ActionInput] = (),
    second_of_day: bool = False,
) -> Inspection:
    """Record a periodic physical inspection with its checklist, findings, attachments and the
    follow-up actions it asks of offices (each with its due date, tracked until done). A refused
    action (``fields`` names its ``actions`` index and field) writes nothing. An office the province
    already inspected on ``inspected_on`` is refused (``InspectionSameDay``) unless ``second_of_day``
    says this is a second visit that day; the exact repeat (``InspectionAlreadyRecorded``) always is."""
    if not may_inspect(by, office):
        raise NotAllowed(_("Only the province's inspector records inspections of %(o)s.") % {"o": office})
    if error := inspected_on_error(inspected_on):
        raise InvalidInput(error, fields={"inspected_on": str(inspected_on)})
    values = {}
    for name in CHECKLIST:
        value = checklist.get(name)
        if value not in Check.values:
            raise InvalidInput(
                _("Answer the checklist item '%(item)s' (yes, no or not applicable).") % {"item": CHECKLIST[name]},
                fields={name: str(value)},
            )
        values[name] = value
    if error := findings_error(values.values(), findings):
        raise InvalidInput(error, fields={"findings": "required"})
    if error := too_long(findings.strip(), INSPECTION_FINDINGS_MAX):
        raise InvalidInput(error, fields={"findings": "too long"})
    if follow_up_due and follow_up_due < inspected_on:
        raise InvalidInput(
            _("The follow-up is due before the inspection."), fields={"follow_up_due": str(follow_up_due)}
        )
    for index, action in enumerate(actions):
        _check_action(by, inspected_on, action, index=index)
    checked = [(f, check_attachment(f)) for f in attachments]
    inspection = Inspection(
        office=office,
        inspector=by,
        inspected_on=inspected_on,
        findings=findings.strip(),
        follow_up_actions=follow_up_actions.strip(),
        follow_up_due=follow_up_due,
        **values,
    )
    # Two sends at once for the same office (a double press, a retry) are taken one at a time.
    CustomsOffice.objects.select_for_update().filter(pk=office.pk).exists()
    if earlier := _same_inspection_recorded(inspection):
        raise InspectionAlreadyRecorded(earlier)
    if not second_of_day and (earlier := _office_inspected_that_day(inspection)):
        raise InspectionSameDay(earlier)
    with actor(by):
        inspection.save()
    for f, file in checked:
        _attach(inspection, f, file, by)
    for action in actions:
        _save_action(inspection, action, by)
    # Into a month whose return was already submitted: the return no longer matches the data.
    late.record_inspection(inspection)
    return inspection


# Findings written as a person types them: a few paragraphs, as a system problem's description.
INSPECTION_FINDINGS_MAX = 4000


class InspectionOnRecord(IllegalTransition):
    """An inspection refused for one already on record: a 409 naming it («inspection no. 7»); ``url`` its
    page, ``html()`` the words with the name a link (a page's form error), ``extra`` its id and page for an
    API's body."""

    WORDS = ""
    FIELD = ""

    def __init__(self, inspection: Inspection):
        self.inspection = inspection
        self.url = reverse("reports:inspection", args=[inspection.pk])
        super().__init__(self._words(self.name()), fields={"inspected_on": self.FIELD})
        self.extra = {"inspection": {"id": inspection.pk, "url": self.url}}

    def name(self) -> str:
        return _("inspection no. %(n)s") % {"n": digits(self.inspection.pk)}

    def _words(self, name) -> str:
        return _(self.WORDS) % {
            "at": format_jalali(self.inspection.created_at, persian=is_persian()),
            "inspection": name,
        }

    def html(self) -> SafeString:
        """The words with «inspection no. 7» a link to it; every other part escaped."""
        link = format_html('<a href="{}">{}</a>', self.url, self.name())
        return mark_safe(escape(self._words("\0")).replace("\0", link))  # noqa: S308 - escaped, link built safely


class InspectionAlreadyRecorded(InspectionOnRecord):
    """The same inspection recorded again (``_same_inspection_recorded``): refused always."""

    code = "duplicate"
    FIELD = "duplicate"
    WORDS = gettext_noop(
        "This inspection was recorded at %(at)s as %(inspection)s: it is not recorded twice. "
        "Add what is new to it there."
    )


class InspectionSameDay(InspectionOnRecord):
    """The office was already inspected on that date by the same province (``_office_inspected_that_day``),
    with other answers or findings: rare but possible (a second visit), so refused only until the recorder
    says it is one (``second_of_day``); the page's form says it beside the date."""

    code = "same_day"
    FIELD = "same day"
    WORDS = gettext_noop("This office was already inspected on this date: see %(inspection)s.")


def _recorded_by_same_side(recorder: User) -> Q:
    """Inspections recorded by ``recorder``'s side: any inspector of the province; headquarters by
    headquarters."""
    province = (
        Q(inspector__province_id=recorder.province_id)
        if recorder.province_id is not None
        else Q(inspector__province__isnull=True)
    )
    return province & Q(inspector__role=recorder.role)


def _same_inspection_recorded(inspection: Inspection) -> Inspection | None:
    """The inspection ``inspection`` repeats: the same office, date, checklist answers and findings, recorded
    by the same province (any of its inspectors; headquarters by headquarters), however long ago: a double
    press, a retry, or the same paper typed in twice. Another day's visit or other findings are another
    inspection."""
    return (
        _office_inspected_on(inspection)
        .filter(findings=inspection.findings, **{name: getattr(inspection, name) for name in CHECKLIST})
        .first()
    )


def _office_inspected_that_day(inspection: Inspection) -> Inspection | None:
    """An inspection of the same office on the same date by the same province, whatever its answers."""
    return _office_inspected_on(inspection).first()


def _office_inspected_on(inspection: Inspection):
    return Inspection.objects.filter(
        _recorded_by_same_side(inspection.inspector),
        office=inspection.office,
        inspected_on=inspection.inspected_on,
    ).order_by("-created_at")


# What is wrong with an inspection's inputs ("" when nothing): the form says each beside its field with
# the others, the service refuses the first (the API).


def inspected_on_error(inspected_on: dt.date) -> str:
    """In the future, or before the first month of the returns (``first_return_month``: no inspection is
    recorded for a time the app holds nothing of, 1300 typed for 1403, say). This runs a query."""
    if inspected_on > timezone.localdate():
        return _("The inspection date is in the future.")
    earliest = jalali_month_bounds(*first_return_month())[0].date()
    if inspected_on < earliest:
        return _("The inspection date is before %(earliest)s: inspections are recorded from then on.") % {
            "earliest": format_jalali(earliest, persian=is_persian())
        }
    return ""


def findings_error(answers: Iterable[str], findings: str) -> str:
    return _("A failed check needs its findings.") if Check.NO in answers and not findings.strip() else ""


# An action's due date at most this many days from today: a follow-up an inspection asks is weeks or months
# away; a date years ahead (1500/01/01, a mistyped year) would never show as overdue.
ACTION_DUE_MAX_DAYS = 366
# An action described as a person types it: a paragraph or two, not a pasted document.
ACTION_DESCRIPTION_MAX = 2000


def due_on_error(due_on: dt.date, inspected_on: dt.date) -> str:
    """A due date before the inspection, or more than a year from today ("" when fine). A date already past
    but after the inspection stays allowed: an inspection recorded late may carry an action already due."""
    if due_on < inspected_on:
        return _("The action is due before the inspection.")
    if due_on > timezone.localdate() + dt.timedelta(days=ACTION_DUE_MAX_DAYS):
        return _("The action is due more than a year from today (%(d)s): give a date within a year.") % {
            "d": isolate(format_jalali(due_on, with_time=False, persian=is_persian()))
        }
    return ""


# The same open action added again to the same inspection within this many minutes is the same action sent
# twice (a double press, a client's retry, parallel posts), not a new one.
ACTION_REPEAT_MINUTES = 10


class ActionAlreadyAdded(IllegalTransition):
    """The same open action (words and responsible office) added to the inspection within
    ``ACTION_REPEAT_MINUTES``: a 409 naming it."""

    code = "duplicate"

    def __init__(self, action: InspectionAction):
        self.action = action
        super().__init__(
            _("This action was added at %(at)s and is still open (action %(n)s, due %(due)s): it is not added twice.")
            % {
                "at": format_jalali(action.created_at, persian=is_persian()),
                "n": digits(action.pk),
                "due": format_jalali(action.due_on, with_time=False, persian=is_persian()),
            },
            fields={"description": "duplicate"},
        )
        self.extra = {"action": action.pk}


@dataclass(frozen=True)
class ActionInput:
    description: str
    responsible_office: CustomsOffice
    due_on: dt.date


def _check_action(by: User, inspected_on: dt.date, action: ActionInput, *, index: int | None = None) -> None:
    where = {} if index is None else {"actions": index}
    if not action.description.strip():
        raise InvalidInput(_("Describe the action."), fields={**where, "description": "required"})
    if error := too_long(action.description.strip(), ACTION_DESCRIPTION_MAX):
        raise InvalidInput(error, fields={**where, "description": "too long"})
    if not by.can_see_office(action.responsible_office):
        raise InvalidInput(
            _("%(o)s is not one of your offices.") % {"o": action.responsible_office},
            fields={**where, "responsible_office": action.responsible_office.code},
        )
    if error := due_on_error(action.due_on, inspected_on):
        raise InvalidInput(error, fields={**where, "due_on": str(action.due_on)})


def _save_action(inspection: Inspection, action: ActionInput, by: User) -> InspectionAction:
    row = InspectionAction(
        inspection=inspection,
        description=action.description.strip(),
        responsible_office=action.responsible_office,
        due_on=action.due_on,
        created_by=by,
    )
    with actor(by):
        row.save()
    # The responsible office's staff are told on their bell (the form says the office follows it up), with a
    # link to the action's page, where they mark it done.
    notify(
        Kind.INSPECTION_ACTION,
        office_staff(row.responsible_office_id),
        title=Message(
            gettext_noop("Follow-up action of the inspection of %(office)s, due %(due)s"),
            office=Name.of(inspection.office),
            due=When(row.due_on),
        ),
        body=row.description[:500],
        url=reverse("reports:action_done", args=[row.pk]),
        subject=action_subject(row.pk),
    )
    return row


def action_subject(action_id: int) -> str:
    """What an action's notifications are about (``Notification.subject``)."""
    return f"inspection-action:{action_id}"


@transaction.atomic
def inspection_action_add(*, inspection: Inspection, by: User, action: ActionInput) -> InspectionAction:
    """A follow-up action added to a recorded inspection (by whoever may inspect its office)."""
    if not may_inspect(by, inspection.office):
        raise NotAllowed(str(WHO_INSPECTS))
    _check_action(by, inspection.inspected_on, action)
    # Parallel sends of the same action are taken one at a time: the second finds the first.
    Inspection.objects.select_for_update().filter(pk=inspection.pk).exists()
    earlier = (
        InspectionAction.objects.open()
        .filter(
            inspection=inspection,
            responsible_office=action.responsible_office,
            description=action.description.strip(),
            created_at__gte=timezone.now() - dt.timedelta(minutes=ACTION_REPEAT_MINUTES),
        )
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        raise ActionAlreadyAdded(earlier)
    return _save_action(inspection, action, by)


WHO_COMPLETES_ACTIONS = gettext_lazy("Only the responsible office marks the action done.")


def may_complete_action(user: User, action: InspectionAction) -> bool:
    """The responsible office's staff, who do it: the inspector who asked for it (or headquarters) follows it
    on the list, and would otherwise tick off his own request."""
    return user.is_active and user.role == Role.OFFICE and user.office_id == action.responsible_office_id


@transaction.atomic
def inspection_action_done(*, action: InspectionAction, by: User, note: str) -> InspectionAction:
    """Mark a follow-up action done, saying what was done; once."""
    locked = InspectionAction.objects.select_for_update().select_related("inspection__office").get(pk=action.pk)
    if not may_complete_action(by, locked):
        raise NotAllowed(str(WHO_COMPLETES_ACTIONS))
    if locked.done_at is not None:
        raise IllegalTransition(_("The action was already marked done."))
    if not note.strip():
        raise InvalidInput(_("Say what was done."), fields={"note": "required"})
    locked.done_at = timezone.now()
    locked.done_by = by
    locked.done_note = note.strip()
    with actor(by):
        locked.save(update_fields=["done_at", "done_by", "done_note"])
    # Done: what asked the office for it (set, then past its due date) asks nothing more, on anyone's bell.
    mark_done_for_everyone(action_subject(locked.pk), Kind.INSPECTION_ACTION, Kind.INSPECTION_ACTION_OVERDUE)
    return locked


def inspection_actions_overdue_run(*, today: dt.date | None = None, limit: int = 2000) -> int:
    """The morning job: tell the responsible office's staff (those the «action set» notice reached) of each
    open follow-up action whose due date has passed (the day after it, Tehran time), once: claimed by a
    conditional UPDATE of ``overdue_notified_at``, safe to run twice at once; a clerk who joins the office
    later is not told again. Returns how many actions were told."""
    today = today or timezone.localdate()
    now = timezone.now()
    told = 0
    due = (
        InspectionAction.objects.overdue(today)
        .filter(overdue_notified_at__isnull=True)
        .select_related("inspection__office")
        .order_by("due_on", "pk")[:limit]
    )
    for action in due:
        with transaction.atomic():
            claimed = InspectionAction.objects.filter(
                pk=action.pk, done_at__isnull=True, overdue_notified_at__isnull=True
            ).update(overdue_notified_at=now)
            if claimed != 1:
                continue  # another run told it, or it was done meanwhile
            notify(
                Kind.INSPECTION_ACTION_OVERDUE,
                office_staff(action.responsible_office_id),
                title=Message(
                    gettext_noop(
                        "Follow-up action of the inspection of %(office)s was due %(due)s and is not done yet"
                    ),
                    office=Name.of(action.inspection.office),
                    due=When(action.due_on),
                ),
                body=action.description[:500],
                url=reverse("reports:action_done", args=[action.pk]),
                subject=action_subject(action.pk),
            )
            told += 1
    return told


def check_attachment(f):
    """By content, the same check as arrival evidence (PDF, JPEG, PNG); the error names the file."""
    try:
        return check_evidence(f, field="attachments")
    except FileRejected as exc:
        raise FileRejected(f"{f.name}: {exc}", field="attachments", code=exc.code, status=exc.status) from exc


def _attach(inspection: Inspection, f, checked, by: User) -> InspectionAttachment:
    att = InspectionAttachment(inspection=inspection, name=f.name[-200:], sha256=checked.sha256, uploaded_by=by)
    att.file.save(uploads.stored_name(checked.kind), ContentFile(checked.data), save=False)
    try:
        att.save()
    except BaseException:
        att.file.delete(save=False)
        raise
    return att


@transaction.atomic
def inspection_add_attachment(*, inspection: Inspection, by: User, file) -> InspectionAttachment:
    if not may_inspect(by, inspection.office):
        raise NotAllowed(_("Only the province's inspector adds attachments."))
    return _attach(inspection, file, check_attachment(file), by)


def inspection_schedule(user: User, today: dt.date | None = None) -> list[dict]:
    """Offices in the user's scope with their last inspection and when the next is due.

    State: ``never`` (no inspection yet), ``overdue`` (due date passed), ``due_soon``
    (within 14 days), ``ok``. Most urgent first. One grouped query.
    """
    today = today or timezone.localdate()
    interval = dt.timedelta(days=inspection_interval_days())
    offices = offices_for(user)
    last = dict(
        Inspection.objects.filter(office__in=offices)
        .values_list("office_id")
        .annotate(last=Max("inspected_on"))
        .order_by()
    )
    rows = []
    for office in offices.select_related("province"):
        last_on = last.get(office.pk)
        due_on = last_on + interval if last_on is not None else None
        if due_on is None:
            state = "never"
        elif due_on < today:
            state = "overdue"
        elif due_on <= today + dt.timedelta(days=14):
            state = "due_soon"
        else:
            state = "ok"
        rows.append({"office": office, "last": last_on, "due": due_on, "state": state})
    order = {"never": 0, "overdue": 1, "due_soon": 2, "ok": 3}
    rows.sort(key=lambda r: (order[r["state"]], r["due"] or dt.date.min, r["office"].code))
    return rows


# The schedule's filters (``?due=``): «due» is what the dashboard's panel counts, «soon» what it names beside it.
SCHEDULE_FILTERS = {"due": ("never", "overdue"), "soon": ("due_soon",)}


def offices_for(user: User):
    qs = CustomsOffice.objects.all()
    if not user.is_active:
        return qs.none()
    if user.is_national:
        return qs
    if user.role == Role.INSPECTOR:
        return qs.filter(province_id=user.province_id) if user.province_id else qs.none()
    return qs.filter(pk=user.office_id) if user.office_id else qs.none()


# --- system problems --------------------------------------------------------------------------


# A problem described as a person types it (a page shows it whole): a few paragraphs, not a pasted log.
PROBLEM_DESCRIPTION_MAX = 4000
# A resolution says what was done (or why nothing needed doing): «x» or «ok» tells the reporter nothing.
PROBLEM_RESOLUTION_MIN = 10
# ... and, as a description, a few paragraphs: it is copied whole into the reporter's notification, the audit
# trail and the queue's CSV (200,000 characters were taken once).
PROBLEM_RESOLUTION_MAX = 4000
PROBLEM_SERIALS_MAX = 4000  # the serials typed, one a line: some two hundred declarations
# A problem says what fails: «x» reached the IT office's queue with nothing to act on.
PROBLEM_DESCRIPTION_MIN = 10


def description_error(description: str) -> str:
    """Why a problem's description is refused (empty, under ``PROBLEM_DESCRIPTION_MIN`` characters, over
    ``PROBLEM_DESCRIPTION_MAX``), "" when it is taken: the form and the API say it beside the field, the
    service refuses it."""
    text = description.strip()
    if not text:
        return _("Describe what fails.")
    if written_length(" ".join(text.split())) < PROBLEM_DESCRIPTION_MIN:
        return _(
            "Describe what fails in at least %(n)s letters or digits: what you did and what the system answered"
            " (punctuation marks are not counted)."
        ) % {"n": digits(PROBLEM_DESCRIPTION_MIN)}
    return too_long(text, PROBLEM_DESCRIPTION_MAX)


@transaction.atomic
def since_error(since: dt.datetime) -> str:
    """What is wrong with a problem's «since» (in the future, before 1390), "" when nothing: the form says it
    beside the field with the others, the service refuses it (the API)."""
    if since > timezone.now() + dt.timedelta(minutes=5):
        return _("'Since' is in the future.")
    if since < EARLIEST:
        return _("'%(value)s' is out of range (1390 to today)") % {
            "value": isolate(format_jalali(since, persian=is_persian()))
        }
    return ""


# The same problem (office, system, symptom and words) sent again within this many minutes while still open
# is the same report sent twice (a double press, a client's retry, colleagues at the same office reporting
# the same outage at once), not a new one.
PROBLEM_REPEAT_MINUTES = 10


class ProblemAlreadyReported(IllegalTransition):
    """The same open problem reported again within ``PROBLEM_REPEAT_MINUTES`` (by anyone): a 409 naming it
    («problem no. 7», no path in the words); ``url`` its page, ``html()`` the words with the name a link
    (a page's form error), ``extra`` its id and page for the API's body."""

    code = "duplicate"
    WORDS = gettext_noop(
        "This problem was reported at %(at)s by %(who)s as %(problem)s, still open. "
        "Add what is new to it there rather than reporting it again."
    )

    def __init__(self, problem: SystemProblem):
        self.problem = problem
        self.url = reverse("reports:problem", args=[problem.pk])
        super().__init__(self._words(self.name()), fields={"description": "duplicate"})
        self.extra = {"problem": {"id": problem.pk, "url": self.url}}

    def name(self) -> str:
        return _("problem no. %(n)s") % {"n": digits(self.problem.pk)}

    def _words(self, name) -> str:
        return _(self.WORDS) % {
            "at": format_jalali(self.problem.reported_at, persian=is_persian()),
            "who": problems_person(self.problem.reported_by) or "—",
            "problem": name,
        }

    def html(self) -> SafeString:
        """The words with «problem no. 7» a link to it; every other part escaped."""
        link = format_html('<a href="{}">{}</a>', self.url, self.name())
        return mark_safe(escape(self._words("\0")).replace("\0", link))  # noqa: S308 - escaped, link built safely


def problems_person(user) -> str:
    """A person by name (the username only when the account has no name)."""
    return (user.get_full_name() or user.username) if user is not None else ""


def _same_problem_reported(problem: SystemProblem) -> SystemProblem | None:
    """The open problem ``problem`` repeats: same office, system, symptom and words, reported by anyone
    within ``PROBLEM_REPEAT_MINUTES``."""
    return (
        SystemProblem.objects.open()
        .filter(
            system=problem.system,
            symptom=problem.symptom,
            office=problem.office,
            description=problem.description,
            reported_at__gte=timezone.now() - dt.timedelta(minutes=PROBLEM_REPEAT_MINUTES),
        )
        .order_by("-reported_at")
        .first()
    )


def problem_report(
    *,
    by: User,
    system: str,
    symptom: str,
    office: CustomsOffice,
    since: dt.datetime,
    description: str,
    declarations=(),
) -> SystemProblem:
    """Register a problem; it lands in the IT office's queue (status new, unassigned)."""
    if not by.is_active or not by.can_see_office(office):
        raise NotAllowed(_("You may not report problems for %(o)s.") % {"o": office})
    if system not in System.values:
        raise InvalidInput(_("Unknown system '%(s)s'.") % {"s": system}, fields={"system": system})
    if symptom not in Symptom.values:
        raise InvalidInput(_("Unknown symptom '%(s)s'.") % {"s": symptom}, fields={"symptom": symptom})
    if error := description_error(description):
        text = description.strip()
        code = "required" if not text else "too long" if len(text) > PROBLEM_DESCRIPTION_MAX else "too short"
        raise InvalidInput(error, fields={"description": code})
    if error := since_error(since):
        raise InvalidInput(error, fields={"since": str(since)})
    decls = list(declarations)
    visible = TransitDeclaration.objects.for_user(by).filter(pk__in=[d.pk for d in decls])
    if visible.count() != len({d.pk for d in decls}):
        raise InvalidInput(_("Some declarations are not in your scope."), fields={"declarations": "out of scope"})
    problem = SystemProblem(
        system=system, symptom=symptom, office=office, since=since, description=description.strip(), reported_by=by
    )
    with transaction.atomic():
        # Two sends at once for the same office (a double press, two colleagues) are taken one at a time.
        CustomsOffice.objects.select_for_update().filter(pk=office.pk).exists()
        if earlier := _same_problem_reported(problem):
            raise ProblemAlreadyReported(earlier)
        with actor(by):
            problem.save()
    if decls:
        problem.declarations.set(decls)
    notify(
        Kind.PROBLEM_REPORTED,
        it_office().exclude(pk=by.pk),  # an IT officer reporting one knows of it
        title=Message(
            "#%(problem)s %(system)s · %(office)s",
            problem=Number(problem.pk),  # in the reader's digits, as the problem's page numbers it
            system=Message(System(problem.system).label),
            office=Name.of(office),
        ),
        url=reverse("reports:problem", args=[problem.pk]),
        subject=f"problem:{problem.pk}",
        body=problem.description[:500],
    )
    return problem


def problem_alert_altered_file(
    *,
    name: str,
    record: str,
    expected: str,
    actual: str,
    office_id: int | None = None,
    declaration_id: int | None = None,
    user: User | None = None,
) -> SystemProblem | None:
    """Open a problem for the IT office: a stored file no longer has the SHA-256 recorded when it
    was stored (``core.signals.file_integrity_failed``). One open problem per file, however many
    times it is asked for (a partial unique constraint, so two requests at once open one);
    returns the new problem, or None when one is already open.

    The office: the file's, else the user's who met it, else (a national return) the first
    office of the list, since every problem belongs to one."""
    key = f"file:{name}"[:255]
    if SystemProblem.objects.open().filter(alert_key=key).exists():
        return None
    office_id = office_id or (user.office_id if user is not None else None)
    if office_id is None:
        office_id = CustomsOffice.objects.order_by("code").values_list("pk", flat=True).first()
    if office_id is None:
        return None
    said = Message(
        gettext_noop(
            "The stored file %(name)s (%(record)s) no longer has the SHA-256 recorded when it was stored, "
            "and is refused to everyone who asks for it. Recorded: %(expected)s. Now: %(actual)s. "
            "Compare it with the backup, find out who could write to the storage, and restore the file."
        ),
        name=Ident("file", name),
        record=record,
        expected=Ident("sha256", expected) if expected else Message(gettext_noop("none")),
        actual=Ident("sha256", actual) if actual else Message(gettext_noop("the file is missing")),
    )
    problem = SystemProblem(
        system=System.TRANSIT_MONITOR,
        symptom=Symptom.FILE_ALTERED,
        office_id=office_id,
        since=timezone.now(),
        description=stored_copy(said),
        description_msgid=said.msgid,
        params=params_to_json(said.params),
        alert_key=key,
    )
    try:
        with transaction.atomic():
            problem.save()
            if declaration_id and TransitDeclaration.objects.filter(pk=declaration_id).exists():
                problem.declarations.add(declaration_id)
    except IntegrityError:
        return None  # another request opened it first
    return problem


def on_file_integrity_failed(
    sender, *, instance, name, expected, actual, office_id=None, declaration_id=None, request=None, **kwargs
) -> None:
    """Receiver of ``core.signals.file_integrity_failed`` (connected in ``ReportsConfig.ready``)."""
    user = getattr(request, "user", None)
    problem_alert_altered_file(
        name=name,
        record=f"{type(instance)._meta.label} #{instance.pk} {kwargs.get('field', '')}".strip(),
        expected=expected,
        actual=actual,
        office_id=office_id,
        declaration_id=declaration_id,
        user=user if isinstance(user, User) and user.is_authenticated else None,
    )


def may_handle_problems(user: User) -> bool:
    """The IT office's own work: acknowledging and resolving system problems. By role, not by the
    superuser flag: the system administrator (HQ, the demo's ``hq``) keeps users, not the queue."""
    return user.is_active and user.role == Role.IT


def _it_only(user: User) -> None:
    if not may_handle_problems(user):
        raise NotAllowed(_("Only the IT office handles system problems."))


@transaction.atomic
def problem_acknowledge(*, problem: SystemProblem, by: User) -> SystemProblem:
    _it_only(by)
    locked = SystemProblem.objects.select_for_update().get(pk=problem.pk)
    if locked.status != ProblemStatus.NEW:
        raise IllegalTransition(_("The problem was already acknowledged."))
    locked.status = ProblemStatus.ACKNOWLEDGED
    locked.assigned_to = by
    locked.acknowledged_at = timezone.now()
    with actor(by):
        locked.save(update_fields=["status", "assigned_to", "acknowledged_at"])
    return locked


@transaction.atomic
def problem_resolve(*, problem: SystemProblem, by: User, resolution: str) -> SystemProblem:
    _it_only(by)
    locked = SystemProblem.objects.select_for_update().get(pk=problem.pk)
    if locked.status == ProblemStatus.RESOLVED:
        raise IllegalTransition(_("The problem is already resolved."))
    if not resolution.strip():
        raise InvalidInput(_("Describe the resolution."), fields={"resolution": "required"})
    if written_length(" ".join(resolution.split())) < PROBLEM_RESOLUTION_MIN:
        raise InvalidInput(
            _(
                "Describe the resolution in at least %(n)s letters or digits: what was done, or why nothing needed"
                " doing (punctuation marks are not counted)."
            )
            % {"n": digits(PROBLEM_RESOLUTION_MIN)},
            fields={"resolution": "too short"},
        )
    if error := too_long(resolution.strip(), PROBLEM_RESOLUTION_MAX):
        raise InvalidInput(error, fields={"resolution": "too long"})
    locked.status = ProblemStatus.RESOLVED
    locked.resolution = resolution.strip()
    locked.resolved_at = timezone.now()
    locked.assigned_to = locked.assigned_to or by
    locked.acknowledged_at = locked.acknowledged_at or locked.resolved_at
    with actor(by):
        locked.save(update_fields=["status", "resolution", "resolved_at", "assigned_to", "acknowledged_at"])
    if locked.reported_by_id and locked.reported_by_id != by.pk:
        notify(
            Kind.PROBLEM_RESOLVED,
            User.objects.filter(pk=locked.reported_by_id, is_active=True),
            title=Message(
                "#%(problem)s %(system)s", problem=Number(locked.pk), system=Message(System(locked.system).label)
            ),
            url=reverse("reports:problem", args=[locked.pk]),
            subject=f"problem:{locked.pk}",
            body=locked.resolution[:500],
        )
    return locked


# --- monthly returns --------------------------------------------------------------------------


WHO_BUILDS_RETURNS = gettext_lazy(
    "Only headquarters, or a provincial inspector for their own province, builds a monthly return."
)


def may_build_return(user: User | None, province: Province | None) -> bool:
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    return province is not None and user.role == Role.INSPECTOR and user.province_id == province.pk


def own_return_scope(user: User) -> Province | None:
    """The return a user builds when none is named: an inspector's province, the nation for the rest."""
    return None if user.is_national or not user.province_id else user.province


def may_build_some_return(user: User) -> bool:
    """Whether any return is the user's to build (the build form is offered): HQ, an inspector."""
    return user.is_active and (
        user.is_superuser or user.role == Role.HQ or (user.role == Role.INSPECTOR and bool(user.province_id))
    )


def check_period(year: int, month: int, provisional: bool = False) -> None:
    """A month that has ended; one still running only when a provisional return is asked for."""
    if not 1 <= month <= 12:
        raise InvalidInput(_("Month must be 1 to 12."), fields={"month": str(month)})
    if not 1300 <= year <= 1500:
        raise InvalidInput(_("Year must be a Jalali year."), fields={"year": str(year)})
    start, end = jalali_month_bounds(year, month)
    now = timezone.now()
    if start > now:
        raise InvalidInput(_("The month has not started yet."), fields={"month": str(month)})
    first = first_return_month(now)
    if (year, month) < first:
        raise InvalidInput(
            _(
                "%(m)s is before the data starts: returns are built from %(first)s on "
                "(the month of the first declaration on record, or two years back)."
            )
            % {"m": page_month_label(year, month), "first": page_month_label(*first)},
            fields={"year" if year < first[0] else "month": str(year if year < first[0] else month)},
        )
    if end > now and not provisional:
        raise InvalidInput(
            _(
                "The month %(m)s has not ended yet: its return would not be final. "
                "Choose an ended month, or ask for a provisional return."
            )
            % {"m": page_month_label(year, month)},
            fields={"month": str(month)},
        )


# Months back a return is built even before the data starts: a month the system ran through with
# nothing declared still owes its return (of nothing), and corrections reach back that far.
RETURN_MONTHS_BACK = 24


def first_return_month(now: dt.datetime | None = None) -> tuple[int, int]:
    """The earliest month a return is built for: the month of the first declaration on record, or the
    month ``RETURN_MONTHS_BACK`` months ago if that is earlier (a return of a month before both would
    be an empty form, not a report: 1390). This runs a query (MIN over an indexed column)."""
    year, month = jalali_month_of(now or timezone.now())
    back = year * 12 + month - 1 - RETURN_MONTHS_BACK
    floor = (back // 12, back % 12 + 1)
    first = TransitDeclaration.objects.aggregate(first=Min("declared_at"))["first"]
    return min(jalali_month_of(first), floor) if first is not None else floor


def return_being_built(year: int, month: int, province: Province | None) -> ReturnBuild | None:
    """The build of the same return (month and scope) asked for and not finished yet, if any."""
    return (
        ReturnBuild.objects.filter(
            year=year, month=month, province=province, state__in=(BuildState.QUEUED, BuildState.BUILDING)
        )
        .order_by("created_at")
        .first()
    )


class BuildInProgress(IllegalTransition):
    """A build asked for while the same return is being built: a 409 naming it; ``url`` the returns
    list, where it appears when built: a page links the words to it, an API's body gives it beside them
    (``extra``), never a raw path inside the sentence."""

    code = "in_progress"

    def __init__(self, build: ReturnBuild):
        scope = build.province.name if build.province is not None else _("Whole country")
        self.build = build
        self.url = reverse("reports:returns")
        super().__init__(
            _(
                "The return of %(month)s (%(scope)s) is already being built, asked at %(at)s: it appears "
                "in the returns list when built. A new version is built after it, if still needed."
            )
            % {
                "month": page_month_label(build.year, build.month),
                "scope": scope,
                "at": format_jalali(build.created_at),
            },
            fields={"month": "in_progress"},
        )
        self.extra = {"returns_list": self.url}


def return_build_request(*, year: int, month: int, province: Province | None, by: User, provisional: bool = False):
    """Ask the worker for a new version of a return (a rebuild is a correction: versions are kept); the
    job (``core.jobs.Job``). Refused while the same return is being built (``BuildInProgress``): two
    presses of the button would make two versions of the same figures. The request's row is written
    here, with the job, when a worker builds it (in-process, the build itself writes it)."""
    from . import tasks  # tasks call this module

    if not may_build_return(by, province):
        raise NotAllowed(str(WHO_BUILDS_RETURNS), fields={"province": "forbidden"})
    check_period(year, month, provisional)
    args = (year, month, province.pk if province else None, by.pk)
    with transaction.atomic():
        # A double press (two requests of one person at once) is taken one at a time.
        User.objects.select_for_update().filter(pk=by.pk).exists()
        running = return_being_built(year, month, province)
        if running is not None:
            raise BuildInProgress(running)
        if not jobs.runs_inline():
            job = jobs.enqueue(tasks.build_monthly_return, *args, provisional=provisional)
            ReturnBuild.objects.get_or_create(
                key=job.task_id,
                defaults={
                    "year": year,
                    "month": month,
                    "province": province,
                    "requested_by": by,
                    "provisional": provisional,
                },
            )
            return job
    # In-process (no broker): built at once, after this transaction (the build writes its own row).
    return jobs.enqueue(tasks.build_monthly_return, *args, provisional=provisional)


def return_build_requested(
    *, key: str, year: int, month: int, province_id: int | None, user_id: int | None, provisional: bool = False
) -> int | None:
    """The worker's side of a requested build (``tasks.build_monthly_return``; ``key`` its task id):
    the return is built once per request. A second delivery of the message finds the request and
    answers the return built, or does nothing while another run holds it, or takes over a run whose
    worker died (claimed before the hard time limit); the sweeper queues a stuck one again."""
    build, _created = ReturnBuild.objects.get_or_create(
        key=key,
        defaults={
            "year": year,
            "month": month,
            "province_id": province_id,
            "requested_by_id": user_id,
            "provisional": provisional,
        },
    )
    now = timezone.now()
    claimable = Q(state=BuildState.QUEUED) | Q(
        state=BuildState.BUILDING, started_at__lt=taskruns.stale_before("return", now)
    )
    if not ReturnBuild.objects.filter(claimable, pk=build.pk).update(state=BuildState.BUILDING, started_at=now):
        build.refresh_from_db()
        return build.result_id
    mine = ReturnBuild.objects.filter(pk=build.pk, state=BuildState.BUILDING, started_at=now)
    taskruns.pause_for_tests("return")
    try:
        province = Province.objects.get(pk=province_id) if province_id else None
        by = User.objects.get(pk=user_id) if user_id else None
        snap = return_build(year=year, month=month, province=province, by=by, provisional=provisional, claim=mine)
    except Exception as exc:
        if taskruns.is_transient(exc):
            taskruns.release(mine, state=BuildState.QUEUED)  # the task is retried
        else:
            mine.update(state=BuildState.FAILED, error=str(exc)[:500], finished_at=timezone.now())
            _tell_the_requester(build, None, str(exc))
        raise
    if snap is not None:
        _tell_the_requester(build, snap)
    return snap.pk if snap is not None else None


def _tell_the_requester(build: ReturnBuild, snap: MonthlyReturn | None, error: str = "") -> None:
    """The person who asked for a return is told on their bell when it is ready (or failed), linking to it
    (or to the returns list), so that nobody waits on the page for a build that takes seconds to minutes."""
    by = build.requested_by
    if by is None or not by.is_active:
        return  # the monthly schedule's builds: nobody asked
    scope: Param = Name.of(build.province) if build.province is not None else Message(gettext_noop("Whole country"))
    month = Month(build.year, build.month)
    if snap is not None:
        title = Message(
            "%(month)s · %(scope)s · %(version)s",
            month=month,
            scope=scope,
            version=Message(gettext_noop("version %(v)d"), v=Number(snap.version)),
        )
    else:
        title = Message("%(month)s · %(scope)s", month=month, scope=scope)
    notify(
        Kind.RETURN_BUILT,
        [by],
        title=title,
        url=reverse("reports:return", args=[snap.pk]) if snap is not None else reverse("reports:returns"),
        subject=f"return-build:{build.pk}",
        body=Message(gettext_noop("The build failed: %(why)s"), why=error) if snap is None else "",
    )


def return_build(
    *,
    year: int,
    month: int,
    province: Province | None,
    by: User | None,
    provisional: bool = False,
    claim=None,
) -> MonthlyReturn | None:
    """Build a new version of the month's return: figures, then XLSX, CSV, PDF; heavy, a task calls it.

    A month that has not ended is refused unless ``provisional``: such a return counts up to
    the moment it is built and is labelled provisional on its page and in every file.

    Steps: 1 the serial list streamed into the XLSX and CSV (temporary files, memory flat)
    while the figures (grouped COUNTs) are counted beside it; 2 one transaction takes the next
    version number, renders the PDF, saves row and files and marks the scope's drafts replaced (only the
    newest version is submitted: ``return_submit``).

    ``claim``: the request's row as claimed (``return_build_requested``); the return is saved, and
    the request marked built, in one transaction only while it holds (else None: another run has it).
    """
    if not may_build_return(by, province):
        raise NotAllowed(_("You may not build this return."))
    check_period(year, month, provisional)
    t0 = time.monotonic()
    scope = province.code if province else "IR"
    stem = f"return-{year}-{month:02d}-{scope}"
    with tempfile.TemporaryFile() as xf, tempfile.TemporaryFile() as cf:
        text = io.TextIOWrapper(cf, encoding="utf-8-sig", newline="")
        most_overdue = exports.MostOverdue()
        # One pass over the serial list for both files and the PDF's most overdue serials.
        figures = _figures_and_files(year, month, province, xf, text, most_overdue)
        text.flush()
        text.detach()
        canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False).encode()
        for attempt in range(5):
            try:
                with transaction.atomic():
                    if claim is not None and not claim.select_for_update().exists():
                        return None
                    # Lock the scope's versions (FOR UPDATE takes no aggregate); a first version
                    # racing another is caught by the unique constraint and retried.
                    versions = list(
                        MonthlyReturn.objects.select_for_update()
                        .filter(year=year, month=month, province=province)
                        .only("pk", "version", "status", "submitted_at")
                        .order_by()  # the default ordering joins the province: FOR UPDATE refuses that
                    )
                    version = max((v.version for v in versions), default=0) + 1
                    sent = max(
                        (v for v in versions if v.status == ReturnStatus.SUBMITTED),
                        key=lambda v: v.version,
                        default=None,
                    )
                    pdf = exports.render_pdf(
                        figures,
                        version=version,
                        serials=most_overdue.cells(),
                        # Read on paper too: this version takes the place of the one headquarters has.
                        replaces=(sent.version, sent.submitted_at) if sent is not None else None,
                    )
                    snap = MonthlyReturn(
                        year=year,
                        month=month,
                        province=province,
                        version=version,
                        figures=figures,
                        sha256=hashlib.sha256(canonical).hexdigest(),
                        provisional=figures["provisional"],
                        unsettled_count=figures["unsettled_count"],
                        built_by=by,
                    )
                    for spool, field in ((xf, "xlsx_sha256"), (cf, "csv_sha256")):
                        spool.seek(0)
                        setattr(snap, field, hashlib.file_digest(spool, "sha256").hexdigest())
                        spool.seek(0)
                    snap.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
                    snap.xlsx.save(f"{stem}-v{version}.xlsx", File(xf), save=False)
                    snap.csv.save(f"{stem}-v{version}.csv", File(cf), save=False)
                    snap.pdf.save(f"{stem}-v{version}.pdf", ContentFile(pdf), save=False)
                    snap.build_seconds = round(time.monotonic() - t0, 3)
                    with actor(by):
                        snap.save()
                        # The drafts of the month and scope: this build takes their place (never submitted).
                        for old in versions:
                            if old.status == ReturnStatus.DRAFT:
                                old.status = ReturnStatus.REPLACED
                                old.save(update_fields=["status"])
                    if claim is not None:
                        claim.update(state=BuildState.DONE, result=snap, finished_at=timezone.now())
                    return snap
            except IntegrityError:
                if attempt == 4:
                    raise
    raise RuntimeError("unreachable")


def _figures_and_files(year: int, month: int, province: Province | None, xf, text, most_overdue) -> dict:
    """The figures, and the XLSX and CSV written into ``xf`` and ``text``.

    On PostgreSQL (outside a transaction) the figures are counted on a second connection while
    this one streams the serial list, the two phases of a return that take seconds each; both
    read one exported snapshot (REPEATABLE READ), so the counts and the list describe the same
    instant, as they would in one transaction. Elsewhere, or inside a transaction (whose
    uncommitted rows another connection cannot see), one after the other."""
    now = timezone.now()  # one cut-off for the counts and the list (a provisional return's end)
    start, end, _provisional = returns.period(year, month, now)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        figures = returns.build_figures(year, month, province, now)
        exports.write_files(lambda: figures, start, end, province, xf, csv_out=text, most_overdue=most_overdue)
        return figures
    with transaction.atomic(), ThreadPoolExecutor(max_workers=1) as pool:
        with connection.cursor() as cursor:
            _report_transaction(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        counted = pool.submit(_figures_in_snapshot, snapshot, year, month, province, now)
        exports.write_files(counted.result, start, end, province, xf, csv_out=text, most_overdue=most_overdue)
        return counted.result()


def _report_transaction(cursor, snapshot: str | None = None) -> None:
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    if snapshot:
        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
    # A province's rows come from bitmaps over several indexes: with the default 4 MB they go
    # lossy and PostgreSQL re-checks most of the heap pages' rows.
    cursor.execute("SET LOCAL work_mem = '64MB'")


def _figures_in_snapshot(snapshot: str, year: int, month: int, province: Province | None, now: dt.datetime) -> dict:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _report_transaction(cursor, snapshot)
            return returns.build_figures(year, month, province, now)
    finally:
        connection.close()  # this thread's own connection


def return_draft(year: int, month: int, province: Province | None) -> MonthlyReturn | None:
    """The newest draft of the month's return for the scope, which a new build would replace, if any."""
    drafts = MonthlyReturn.objects.filter(year=year, month=month, province=province, status=ReturnStatus.DRAFT)
    return drafts.order_by("-version").first()


def draft_replaced_text(draft: MonthlyReturn) -> str:
    """What the person asking for a build is told when it replaces a draft."""
    return _(
        "A draft of this return existed (version %(v)s): the new build replaces it, "
        "and that draft can no longer be submitted."
    ) % {"v": digits(draft.version)}


# Why a provisional return is never submitted: its figures stop at its build, so sent to headquarters it would
# stand for a month not ended (the trend would plot it, the national return would count it).
PROVISIONAL_NOT_SUBMITTED = gettext_lazy(
    "A provisional return cannot be submitted: the month had not ended when it was built, so its figures are "
    "not final. Build the return again after the month ends and submit that version."
)


@transaction.atomic
def return_submit(*, monthly_return: MonthlyReturn, by: User) -> MonthlyReturn:
    """Submit to headquarters: from now on the snapshot never changes (a rebuild is a new version). Never a
    provisional return (``PROVISIONAL_NOT_SUBMITTED``). Only the newest version of the month and scope: two submitted versions built side by side would leave nobody
    knowing which counts (a newer build waits on this lock, ``return_build``)."""
    locked = MonthlyReturn.objects.select_for_update().get(pk=monthly_return.pk)
    if locked.status == ReturnStatus.SUBMITTED:
        raise IllegalTransition(_("Version %(v)s was already submitted.") % {"v": digits(locked.version)})
    if not may_build_return(by, locked.province):
        raise NotAllowed(_("You may not submit this return."))
    if locked.provisional:
        raise IllegalTransition(str(PROVISIONAL_NOT_SUBMITTED))
    newest = MonthlyReturn.objects.filter(
        year=locked.year, month=locked.month, province_id=locked.province_id, version__gt=locked.version
    ).aggregate(newest=Max("version"))["newest"]
    if newest is not None:
        raise IllegalTransition(
            _(
                "Version %(v)s is not the newest version of this return: version %(newer)s was built after it. "
                "Only the newest version can be submitted."
            )
            % {"v": digits(locked.version), "newer": digits(newest)}
        )
    locked.status = ReturnStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    _sign_return_pdf(locked, by)
    with actor(by):
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "signed_pdf", "signed_pdf_sha256"])
    if locked.province_id is not None:  # the national return is headquarters' own: finalised, nobody to tell
        _tell_headquarters_submitted(locked, by)
    return locked


def _sign_return_pdf(snap: MonthlyReturn, by: User) -> None:
    """The return's PDF as submitted: its cover signed by ``by`` on the day (``exports.sign_pdf``), a record of
    its own (``signed_pdf`` and its SHA-256) beside the built one, whose ``pdf`` and ``pdf_sha256`` never change
    after the build (evidence is never edited). A built PDF altered since it was sealed is not signed: the
    submission is refused."""
    if not snap.pdf:
        return
    with snap.pdf.open("rb") as f:
        stored = f.read()
    if hashlib.sha256(stored).hexdigest() != snap.pdf_sha256:
        raise IllegalTransition(
            _(
                "The return's stored PDF was changed after it was built (its SHA-256 no longer matches the one "
                "recorded): it is not signed or sent. Build the return again."
            )
        )
    sent = (
        MonthlyReturn.objects.filter(
            year=snap.year,
            month=snap.month,
            province=snap.province,
            status=ReturnStatus.SUBMITTED,
            version__lt=snap.version,
        )
        .order_by("-version")
        .only("version", "submitted_at")
        .first()
    )
    assert snap.submitted_at is not None
    signed = exports.sign_pdf(
        stored,
        snap.figures,
        version=snap.version,
        replaces=(sent.version, sent.submitted_at) if sent is not None else None,
        signer=exports.return_signer(by, snap.figures),
        signed_at=snap.submitted_at,
    )
    scope = snap.province.code if snap.province else "IR"
    snap.signed_pdf_sha256 = hashlib.sha256(signed).hexdigest()
    snap.signed_pdf.save(
        f"return-{snap.year}-{snap.month:02d}-{scope}-v{snap.version}-signed.pdf", ContentFile(signed), save=False
    )


def _tell_headquarters_submitted(snap: MonthlyReturn, by: User) -> None:
    """Headquarters' transit office is told on its bell that a province's return arrived (with a link to it),
    not left to find it in the list; whoever submitted it is not told of their own act."""
    assert snap.province is not None and snap.submitted_at is not None
    notify(
        Kind.RETURN_SUBMITTED,
        headquarters().exclude(pk=by.pk),
        title=Message(
            "%(month)s · %(scope)s · %(version)s",
            month=Month(snap.year, snap.month),
            scope=Name.of(snap.province),
            version=Message(gettext_noop("version %(v)d"), v=Number(snap.version)),
        ),
        body=Message(
            gettext_noop("Submitted to headquarters on %(at)s by %(who)s."),
            at=When(snap.submitted_at),
            who=by.get_full_name() or by.username,
        ),
        url=reverse("reports:return", args=[snap.pk]),
        subject=f"return-submitted:{snap.pk}",
    )


def returns_due_at(now: dt.datetime | None = None) -> tuple[int, int] | None:
    """The month to build when ``now`` is the first day of a Jalali month in Tehran, else None."""
    now = now or timezone.now()
    j = to_jalali(now.astimezone(TEHRAN))
    if j.day != 1:
        return None
    return previous_jalali_month(j.year, j.month)


def returns_to_build(year: int, month: int) -> list[int | None]:
    """Province ids (None = national) without a version built after the month ended (safe to repeat)."""
    _start, end = jalali_month_bounds(year, month)
    done = set(
        MonthlyReturn.objects.filter(year=year, month=month, built_at__gte=end).values_list("province_id", flat=True)
    )
    wanted: list[int | None] = [*Province.objects.order_by("code").values_list("pk", flat=True), None]
    return [p for p in wanted if p not in done]
