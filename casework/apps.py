from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Follow-up letters and judicial cases")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import exports as export_jobs

        from . import letters, models, panels

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

        # A draft's preview PDF is built by the worker (core.exports), not in the request that asks for it.
        export_jobs.register(
            letters.PREVIEW_KIND,
            letters.build_preview,
            label=_("Draft follow-up letter"),
            back=letters.preview_back,
            shown=letters.preview_shown,
        )
