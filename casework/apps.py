from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Follow-up letters and judicial cases")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, panels

        for model in (
            models.FollowUpLetter,
            models.JudicialCase,
            models.JudicialAction,
            models.CaseValuation,
            models.CaseMilestone,
        ):
            auditlog.register(model)

        # Letters and cases add their timeline entries, dashboard panel and the declaration
        # page's actions through the declarations hooks, as anpr and scans do.
        panels.register_hooks()
