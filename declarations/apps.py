from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Transit declarations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from core import exports as export_jobs
        from core.metrics import register_scrape

        from . import metrics, models

        # The list as CSV or XLSX is built by the worker (core.exports); the page it was asked from is the list,
        # whose filter form names the filters.
        export_jobs.register(
            "declarations",
            _build_declarations_file,
            label=_("Declarations"),
            back=_list_as_asked,
            shown=_filters_as_shown,
        )

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
            # The anti-smuggling rules (issue 15 §2): evidence and the decisions about it (serials found
            # on arrival are written thousands at a time: audited by their recording's timeline event).
            models.CoveredGroup,
            models.CoveredGoods,
            models.SerialDiscrepancy,
            models.DiscrepancyResolution,
            models.SettlementOverride,
            models.ImeiRegistryCheck,
            models.TransportDocument,
            models.RoadDistance,
            models.TirPark,
            models.PermitStop,
            models.PermitWaiver,
            models.ArrivalReadReview,  # an arrival without plate read explained or referred
        ):
            auditlog.register(model)
        register_scrape(metrics.signal_counts)  # /metrics: declarations per monitoring signal
        # The batch's report can be long (every rejected row), its waiting records longer; its counts,
        # state and file hash are audited.
        auditlog.register(models.ImportBatch, exclude_fields=["report", "payload"])

        # A notification naming an identifier shows it as the identifier filters do.
        from core.text import isolate
        from notifications.messages import register_identifier

        from . import idents

        register_identifier("serial", idents.serial_html, idents.serial_text)
        register_identifier("letter", idents.letter_number_html, idents.letter_number_text)
        register_identifier("case", idents.case_number_html, idents.case_number_text)
        register_identifier("plate", idents.plate_html, idents.plate_text)
        register_identifier("camera", idents.camera_html, idents.camera_text)  # a silent camera's notice
        register_identifier("waybill", idents.waybill_html, idents.waybill_text)  # a proposed reason's note
        register_identifier("goods_serial", idents.goods_serial_html, isolate)  # likewise

        # Records of an operation are kept RETENTION_YEARS after it ends (AML regulation, Art. 33).
        # Connected for every installed model that points at a declaration: the registry is full here.
        from . import retention

        retention.connect()


def _build_declarations_file(job, out, progress) -> str:
    """``declarations.exports.build``, imported when a job runs: the views it uses are not loaded
    while the apps are being set up."""
    from .exports import build

    return build(job, out, progress)


def _list_as_asked(job) -> str:
    from django.urls import reverse

    return reverse("declarations:list") + (f"?{job.query}" if job.query else "")


def _filters_as_shown(job):
    """``declarations.exports.shown``, imported when a job's page is drawn (it reads the list's filters)."""
    from .exports import shown

    return shown(job)
