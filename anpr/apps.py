from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnprConfig(AppConfig):
    name = "anpr"
    verbose_name = _("Plate-reader cameras")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import exports as export_jobs
        from core.metrics import register_scrape
        from declarations import hooks

        from . import match_review, metrics, models, panels, partitions, sightings

        auditlog.register(models.Camera, exclude_fields=["last_read_at", "health", "silent_since", "health_checked_at"])
        # Reads and matches are high-volume evidence written in bulk (raw SQL, bulk_create, update()),
        # which records no entry; what a person does to one (an admin edit, a delete) is recorded.
        auditlog.register(models.PlateRead)
        auditlog.register(models.PlateMatch)
        # Labels are append-only records of what a person read; model versions change only by promotion.
        auditlog.register(models.PlateLabel)
        auditlog.register(models.RecognitionModel, exclude_fields=["manifest", "metrics"])
        auditlog.register(models.TrainingRun, include_fields=["state", "started_by", "candidate", "promoted"])
        hooks.timeline_providers.append(panels.timeline_items)
        hooks.dashboard_panels.append(panels.camera_health_panel)
        hooks.vehicle_panels.append(panels.vehicle_reads_panel)
        hooks.gate_reads.append(match_review.gate_reads)
        hooks.trip_starts.append(sightings.matches_follow_departure)  # reads before a departure recorded late
        hooks.arrival_outages.append(panels.arrival_outages)
        hooks.outage_names.append(panels.outage_names)  # the audit trail names a review's camera
        register_scrape(metrics.cameras_silent)  # /metrics: silent cameras
        # A report's (or a plate's history's) XLSX and PDF are built by the worker (anpr.exports).
        export_jobs.register(
            "anpr-report",
            _build_report,
            label=_("Plate-reader report"),
            back=_report_page,
            title=_report_title,
            shown=_report_filters,
        )
        partitions.register()


def _build_report(job, out, progress) -> str:
    """``anpr.exports.build``, imported when a job runs (it reads the views' period helper)."""
    from .exports import build

    return build(job, out, progress)


def _report_page(job) -> str:
    from .exports import back

    return back(job)


def _report_title(job):
    """The report's own title ("Plate sighting history"…), lazily translated."""
    from . import reports

    code = job.params.get("report", "")
    cls = reports.PlateHistory if code == reports.PlateHistory.code else reports.REPORTS.get(code)
    return cls.title if cls is not None else _("Plate-reader report")


def _report_filters(job):
    from .exports import shown

    return shown(job)
