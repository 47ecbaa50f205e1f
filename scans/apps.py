from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScansConfig(AppConfig):
    name = "scans"
    verbose_name = _("Scans")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core.signals import job_gave_up
        from declarations import hooks

        from . import models, panels, reuse_reviews, services

        auditlog.register(models.Scan, exclude_fields=["thumbnail", "web_image", "preview_error"])
        auditlog.register(models.ScanComparison, exclude_fields=["details", "timings"])
        auditlog.register(models.ScanReuseReview)
        hooks.timeline_providers.append(panels.timeline_items)
        hooks.dashboard_panels.append(panels.compliance_panel)
        hooks.comparison_links.append(panels.comparison_link)
        hooks.declaration_actions.append(panels.declaration_context)
        hooks.settlement_blocks.append(panels.escalation_blocks)
        hooks.settlement_blocks.append(reuse_reviews.settlement_blocks)
        job_gave_up.connect(services.on_job_gave_up, sender=models.ScanComparison, dispatch_uid="scans.job_gave_up")
