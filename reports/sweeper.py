"""The sweeper (beat, ``tasks.sweep_stuck_jobs``): every job a dead worker or a lost message left
behind (comparisons, recognitions, imports, returns, export jobs) is queued again, and after ``JOB_MAX_ATTEMPTS`` marked failed with a reason a person reads and
a system problem for the IT office (core/taskruns.py has the rules; each app sweeps its own rows)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from accounts.models import CustomsOffice
from anpr import sweeper as anpr_sweeper
from core import exports, jobs, taskruns
from declarations import import_sweeper
from declarations.models import TransitDeclaration
from notifications.messages import Message, Number, Param, param_from_json, params_to_json, render
from notifications.services import Kind, it_office, notify
from scans import sweeper as scans_sweeper

from .models import BuildState, ReturnBuild, Symptom, System, SystemProblem

log = logging.getLogger(__name__)


def sweep_all(now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Each app's sweep, one failing not stopping the others; what each did, by outcome."""
    now = now or timezone.now()
    done: dict[str, dict[str, int]] = {}
    for name, sweep in (
        ("scans", scans_sweeper.jobs_sweep),
        ("anpr", anpr_sweeper.jobs_sweep),
        ("imports", import_sweeper.jobs_sweep),
        ("returns", returns_sweep),
        ("exports", exports.jobs_sweep),
    ):
        try:
            done[name] = sweep(now)
        except Exception:
            log.exception("sweeping %s failed", name)
            done[name] = {"error": 1}
    return done


def returns_sweep(now: dt.datetime | None = None) -> dict[str, int]:
    from . import tasks

    now = now or timezone.now()
    queued_before = taskruns.queued_stale_before(now)
    running_before = taskruns.stale_before("return", now)
    counts: dict[str, int] = {}
    stuck = ReturnBuild.objects.filter(
        Q(state=BuildState.QUEUED, created_at__lt=queued_before)
        | Q(state=BuildState.BUILDING, started_at__lt=running_before)
    )
    for build in stuck:
        as_found = ReturnBuild.objects.filter(pk=build.pk, state=build.state, started_at=build.started_at)

        def requeue(as_found=as_found, build=build) -> bool:
            if not as_found.update(state=BuildState.QUEUED, started_at=None):
                return False
            # The same task id: the request's row is found again (and the status page's task too).
            args = (build.year, build.month, build.province_id, build.requested_by_id, build.provisional)
            jobs.enqueue_again(build.key, tasks.build_monthly_return, *args)
            return True

        def fail(reason: str, as_found=as_found) -> bool:
            return bool(as_found.update(state=BuildState.FAILED, error=reason[:500], finished_at=now))

        outcome = taskruns.requeue_or_fail(
            build,
            kind="return",
            why=taskruns.stuck_since(BuildState(build.state).label, build.started_at or build.created_at),
            again_after=running_before if build.state == BuildState.BUILDING else queued_before,
            requeue=requeue,
            fail=fail,
        )
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def problem_job_failed(
    *,
    kind: str,
    record: str,
    reason: str,
    reason_message: dict | None = None,
    office_id: int | None = None,
    declaration_id: int | None = None,
) -> SystemProblem | None:
    """A system problem for the IT office: a job was given up by the sweeper (one per job)."""
    key = f"job:{record}"[:255]
    if SystemProblem.objects.open().filter(alert_key=key).exists():
        return None
    office_id = office_id or CustomsOffice.objects.order_by("code").values_list("pk", flat=True).first()
    if office_id is None:
        return None
    said = Message(
        gettext_noop(
            "A background job (%(kind)s, %(record)s) was started %(n)d times and never finished; it was "
            "marked failed. What its record says: %(reason)s Look at the workers' log and at the worker "
            "machines (memory, time limits) before starting it again."
        ),
        kind=kind,
        record=record,
        n=Number(settings.JOB_MAX_ATTEMPTS + 1),
        reason=_reason(reason, reason_message),
    )
    with translation.override(settings.LANGUAGE_CODE):
        description = render(said)
    problem = SystemProblem(
        system=System.TRANSIT_MONITOR,
        symptom=Symptom.JOB_FAILED,
        office_id=office_id,
        since=timezone.now(),
        description=description,
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
        return None
    notify(
        Kind.PROBLEM_REPORTED,
        it_office(),
        title=Message(
            "#%(problem)s %(system)s · %(symptom)s",
            problem=Number(problem.pk),
            system=Message(System(problem.system).label),
            symptom=Message(Symptom(problem.symptom).label),
        ),
        url=reverse("reports:problem", args=[problem.pk]),
        subject=f"problem:{problem.pk}",
        body=said,
    )
    return problem


def _reason(reason: str, message: dict | None) -> Param:
    """What the job's record says: the message it was sent with (written in the reader's language), else as written."""
    if message:
        try:
            return param_from_json(message)
        except (ValueError, TypeError, KeyError):
            pass
    return reason


def on_job_gave_up(
    sender, *, instance, kind, reason, reason_message=None, office_id=None, declaration_id=None, **kwargs
) -> None:
    """Receiver of ``core.signals.job_gave_up`` (connected in ``ReportsConfig.ready``)."""
    problem_job_failed(
        kind=kind,
        record=f"{type(instance)._meta.label} #{instance.pk}",
        reason=reason,
        reason_message=reason_message,
        office_id=office_id,
        declaration_id=declaration_id,
    )
