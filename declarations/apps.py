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
            models.DeclarationEvent,  # the timeline: an event deleted in the admin leaves an entry
            models.DeadlineExtension,
            models.GoodsSerial,
            models.RoadDistance,
            models.TirPark,
            models.PermitStop,
            models.PermitWaiver,
        ):
            auditlog.register(model)
        # The batch's report can be long (every rejected row); its counts and file hash are audited.
        auditlog.register(models.ImportBatch, exclude_fields=["report"])
