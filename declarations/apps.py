from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Transit declarations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.TransitDeclaration,
            models.GoodsItem,
            models.ArrivalConfirmation,
            models.Vehicle,
            models.Driver,
            models.TransportCompany,
            models.TrafficPermit,
            models.RouteTimeLimit,
        ):
            auditlog.register(model)
