from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import exports as export_jobs
        from core.metrics import register_scrape
        from core.signals import file_integrity_failed, job_gave_up
        from declarations import hooks

        from . import late, metrics, models, panels, services, sweeper

        for model in (models.Inspection, models.InspectionAttachment, models.InspectionAction, models.SystemProblem):
            auditlog.register(model)
        # The figures are large and never change after submission; the status and files are what to audit.
        auditlog.register(models.MonthlyReturn, exclude_fields=["figures"])
        # A stored evidence file found altered when served: a problem for the IT office.
        file_integrity_failed.connect(services.on_file_integrity_failed, dispatch_uid="reports.file_integrity")
        # A job the sweeper gave up on: a problem for the IT office.
        job_gave_up.connect(sweeper.on_job_gave_up, dispatch_uid="reports.job_gave_up")
        for panel in (panels.inspections_panel, panels.inspection_actions_panel, panels.problems_panel):
            if panel not in hooks.dashboard_panels:
                hooks.dashboard_panels.append(panel)
        if panels.arrival_outages not in hooks.arrival_outages:
            hooks.arrival_outages.append(panels.arrival_outages)
        if panels.outage_names not in hooks.outage_names:  # the audit trail names a review's system problem
            hooks.outage_names.append(panels.outage_names)
        if models.latest_submitted not in hooks.submitted_returns:  # no hand registration into a sent month
            hooks.submitted_returns.append(models.latest_submitted)
        if late.record not in hooks.declaration_changes:  # a change under a return already submitted
            hooks.declaration_changes.append(late.record)
        register_scrape(metrics.monthly_return_lag)  # /metrics: is last month's return built
        # The audit trail's export (up to 100,000 entries with their seals) is built by the worker. It is
        # everyone's entries but its asker's (core.audit.visible_to), so it is its asker's only: another
        # reader would find their own entries in it.
        export_jobs.register(
            "audit",
            _build_audit_export,
            label=_("Audit trail"),
            back=_audit_page,
            shown=_audit_filters,
            asker_only=True,
        )
        # A tab of the system problems as XLSX (up to 20,000 problems) is built by the worker; its CSV streams.
        export_jobs.register(
            "problems",
            _build_problems_xlsx,
            label=_("System problems"),
            back=_problems_page,
            shown=_problems_tab,
        )
        # An office's part of a return as XLSX or PDF (made from the stored CSV) is built by the worker.
        export_jobs.register(
            "return-part",
            _build_return_part,
            label=_("Monthly return, an office's part"),
            back=_return_page,
            shown=_return_part_filters,
        )


def _build_audit_export(job, out, progress) -> str:
    """``reports.audit.build_export``, imported when a job runs."""
    from .audit import build_export

    return build_export(job, out, progress)


def _audit_page(job) -> str:
    from django.urls import reverse

    return reverse("reports:audit") + (f"?{job.query}" if job.query else "")


def _audit_filters(job):
    """``reports.audit.shown``, imported when a job's page is drawn (it reads the trail's filters)."""
    from .audit import shown

    return shown(job)


def _build_problems_xlsx(job, out, progress) -> str:
    """``reports.problems.build_xlsx``, imported when a job runs."""
    from .problems import build_xlsx

    return build_xlsx(job, out, progress)


def _problems_page(job) -> str:
    from django.urls import reverse

    return reverse("reports:problems") + (f"?{job.query}" if job.query else "")


def _problems_tab(job):
    """The tab asked for, by the name its link has ("status: open")."""
    from django.http import QueryDict
    from django.utils.html import format_html

    from .problems import OPEN, tab_label

    tab = QueryDict(job.query).get("status") or OPEN
    return [(_("status"), format_html("{}", tab_label(tab)))]


def _build_return_part(job, out, progress) -> str:
    """``reports.parts.build``, imported when a job runs."""
    from .parts import build

    return build(job, out, progress)


def _return_page(job) -> str:
    from .parts import back

    return back(job)


def _return_part_filters(job):
    from .parts import shown

    return shown(job)
