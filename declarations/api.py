"""REST API of declarations, offices and vehicles. Same scoping, filters and keyset pages as the
dashboard; transitions are actions calling the lifecycle services (errors: core/api.py)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.models import Role
from accounts.scoping import get_scoped_or_404, get_scoped_or_invalid
from core import jobs
from core.api import ISO_DATE_EXAMPLE, JALALI_DATE_EXAMPLE, JALALI_DATETIME_EXAMPLE, one_of, reject_unknown_params
from core.api_schema import error_response
from core.parsers import StrictJSONParser
from core.text import digits, isolate

from . import arrival_reads, import_jobs, permits, plates, selectors, serials, services, tasks, transport_docs
from .api_paging import PAGE_PARAM_NAMES, PAGE_PARAMS, CursorPagination, PageBase, page_of, page_url
from .filters import DEFAULT_SORT, SERIAL_END_MIN, DeclarationFilter, short_serial_end
from .import_jobs import import_batch_body
from .models import ImportBatch, Source, TrafficPermit, TransitDeclaration, Vehicle
from .paging import BadCursor, keyset_page
from .serializers import (
    CancelIn,
    CloseIn,
    ConfirmArrivalIn,
    DeclarationDetailOut,
    DeclarationListOut,
    DepartIn,
    ExtendDeadlineIn,
    ImportIn,
    ImportRecordIn,
    ImportResultOut,
    OfficeOut,
    PermitExitIn,
    PermitIn,
    PermitOut,
    RecordReasonIn,
    RegisterIn,
    SettleIn,
    VehicleOut,
)
from .serializers_arrival_reads import ArrivalReadReviewIn, ArrivalReadReviewOut
from .serializers_serials import (
    ArrivalSerialsIn,
    ArrivalSerialsOut,
    ImeiCheckIn,
    ReasonIn,
    TransportDocumentIn,
    TransportDocumentOut,
)
from .views_actions import run_action

MAY_IMPORT = (Role.HQ, Role.OFFICE, Role.INTEGRATION)
# What each of the list page's filters means to a client; the parameters themselves (and the values of
# those with fixed ones) are the page's filter form's (DeclarationFilter), so the two cannot part.
FILTER_DESCRIPTIONS = {
    "q": "serial or its beginning (1405-SRJ), plate (any digit script), waybill or seal",
    "office": "office code, as origin or destination",
    "origin": "origin office code",
    "destination": "destination office code",
    "province": "province code (its offices, as origin or destination)",
    "status": "the declaration's status",
    "signal": "a monitoring signal of the dashboard",
    "age": "overdue (in transit past the deadline) by whole days past it, the dashboard's ageing buckets",
    "reason": "the reason recorded why it cannot be settled",
    "date_from": f"declared on or after: Jalali {JALALI_DATE_EXAMPLE} (any digit script) or ISO {ISO_DATE_EXAMPLE}, "
    "Tehran days",
    "date_to": f"declared on or before: Jalali {JALALI_DATE_EXAMPLE} (any digit script) or ISO {ISO_DATE_EXAMPLE}, "
    "Tehran days; on or after date_from (the same day: that one day; before it, a 400 naming date_to)",
    "compliance": "the declarations one scan compliance figure of the dashboard counts, in the window of "
    "window_from and window_to (either may be left open); for one office's figure add origin=<code> to the "
    "origin-side ones (departed, scanned_in_time, not_scanned_in_time) and destination=<code> to the others, "
    "as the dashboard's links do",
    "window_from": "only with compliance (without it, a 400 naming window_from, as on the page): departed "
    f"(origin side) or arrived (destination side) at or after: Jalali {JALALI_DATETIME_EXAMPLE} (Tehran time, any "
    "digit script) or ISO 8601 (without an offset: Tehran time)",
    "window_to": "only with compliance (without it, a 400 naming window_to, as on the page): departed or arrived "
    f"before (exclusive): Jalali {JALALI_DATETIME_EXAMPLE} (Tehran time) or ISO 8601; after window_from (at or "
    "before it, a 400 naming window_to)",
    "company": "company registration number or part of its name",
    "nationality": "IR, foreign, or an ISO country code of the truck",
    "sort": "the order of the rows; deadline lists the overdue ones only, the most overdue first",
}


def _filter_param(name: str, field) -> OpenApiParameter:
    """The page filter form's field ``name`` as a query parameter: with its values, when it has fixed ones."""
    description = FILTER_DESCRIPTIONS[name]  # a filter added to the page without one fails here, at import
    if not isinstance(field, forms.ChoiceField) or isinstance(field, forms.ModelChoiceField):
        return OpenApiParameter(name, OpenApiTypes.STR, description=description)  # text, or a row's code
    # A ChoiceField's choices, once set, are a list of (value, label) pairs (its "" is the empty option).
    choices = [(value, label) for value, label in cast("list[tuple[str, str]]", field.choices) if value != ""]
    with translation.override("en"):
        values = "; ".join(f"`{value}`: {label}" for value, label in choices)
    schema: dict = {"type": "string", "enum": [value for value, _label in choices]}
    if name == "sort":
        schema["default"] = DEFAULT_SORT
    return OpenApiParameter(name, schema, description=f"{description} ({values})")


LIST_PARAMS = [_filter_param(name, field) for name, field in DeclarationFilter().form.fields.items()] + PAGE_PARAMS


class DeclarationPageHintOut(PageBase):
    hint = serializers.CharField(
        required=False,
        help_text=f"only when nothing was found for a `q` of 1 to {SERIAL_END_MIN - 1} letters or digits, too short "
        f"for a serial's end (searched from {SERIAL_END_MIN}): says so in the request's language, as the list page "
        "does",
    )


PageOut = DeclarationPage = page_of("DeclarationPage", DeclarationListOut, base=DeclarationPageHintOut)


class BodyDescribedViewSet(viewsets.GenericViewSet):
    """OPTIONS (DRF's metadata) describes ``get_serializer()`` under POST: the viewset's ``serializer_class``,
    an output, unless the route says otherwise. So each action that takes a body names its input serializer
    (``@action(serializer_class=...)``) and the list's POST (``create``) takes ``create_serializer_class``:
    OPTIONS then tells a client the body it takes, as the schema's ``extend_schema(request=...)`` does."""

    create_serializer_class: type[serializers.BaseSerializer] | None = None

    def get_serializer_class(self):
        posting = self.request is not None and self.request.method == "POST"  # OPTIONS asks as a cloned POST
        if posting and self.create_serializer_class and getattr(self, "action_map", {}).get("post") == "create":
            return self.create_serializer_class
        return super().get_serializer_class()


class DeclarationViewSet(BodyDescribedViewSet):
    serializer_class = DeclarationListOut
    create_serializer_class = RegisterIn
    lookup_value_regex = r"[0-9]+"  # /api/declarations/abc/ is a 404, not a ValueError (500)
    filter_backends: list = []  # DeclarationFilter is applied by hand, as on the page
    queryset = TransitDeclaration.objects.none()

    def get_queryset(self):
        return selectors.scoped(self.request.user).select_related("origin", "destination", "vehicle", "company")

    def _get(self, pk):
        related = ("origin__province", "destination__province", "vehicle", "company", "driver")
        return get_scoped_or_404(TransitDeclaration.objects.select_related(*related), self.request.user, pk=pk)

    @extend_schema(parameters=LIST_PARAMS, responses=PageOut)
    def list(self, request):
        reject_unknown_params(request, (p.name for p in LIST_PARAMS))
        f = DeclarationFilter(
            request.query_params or None, queryset=self.get_queryset(), request=request, iso_dates=True, api=True
        )
        if f.is_bound and not f.is_valid():
            raise ValidationError(f.errors)
        sort = (f.form.cleaned_data.get("sort") if f.is_bound else None) or DEFAULT_SORT
        branches = selectors.scope_branches(request.user, f.branch_offices() if f.is_bound else None)
        pages = CursorPagination(sort)
        page = pages.page(request, f.qs, branches=branches)
        response = pages.response(request, f.qs, page, DeclarationListOut(page.rows, many=True).data)
        if not page.rows and short_serial_end(request.query_params.get("q", "")):
            # nothing found for a search too short to be a serial's end: said beside the count, as the page says it
            response.data["hint"] = _("Serial end: at least 4 characters.")
        return response

    @extend_schema(responses=DeclarationDetailOut)
    def retrieve(self, request, pk=None):
        declaration = self._get(pk)
        return Response(DeclarationDetailOut(declaration, context={"request": request}).data)

    @extend_schema(
        request=RegisterIn,
        responses={201: DeclarationDetailOut},
        description="Register one declaration by hand while ICS is down (directive point 7): headquarters, or "
        "an office for its own office as origin; or one sent by the ICS integration client. Checked by the "
        "import's validator; a bad value is a 400 naming its field; the declaration starts registered with "
        "source 'hand', or 'api' when the integration client sent it.",
    )
    def create(self, request):
        if not (request.user.is_superuser or request.user.role in MAY_IMPORT):
            raise PermissionDenied(_("Only headquarters and office staff register declarations by hand."))
        data = RegisterIn(data=request.data)
        data.is_valid(raise_exception=True)
        row, goods = data.row_and_goods()
        declaration = services.declaration_register(row=row, goods=goods, by=request.user)
        body = DeclarationDetailOut(self._get(declaration.pk), context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ImportRecordIn(many=True),
        responses={200: ImportResultOut, 202: ImportResultOut},
        description="A JSON list of declaration records (goods nested), as the ICS JSON export. "
        "Idempotent on serial; bad records are listed with row, field and message, each bad field of a record "
        "in its own entry. The records are "
        "queued and imported by the worker: the answer is 202 with `state` queued and `status_url` "
        "(also the Location header), to GET until `state` is done (the summary) or failed. Where no "
        "worker runs (tasks run in the caller) the import has ended when the answer goes: 200 with the "
        "summary, the same body.",
    )
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[StrictJSONParser], serializer_class=ImportIn
    )
    def import_(self, request):
        if request.user.role not in MAY_IMPORT and not request.user.is_superuser:
            raise PermissionDenied(_("Your role may not import declarations."))
        records = request.data
        if isinstance(records, dict):
            records = records.get("records")
        if not isinstance(records, list) or not records:
            raise ValidationError({"records": [_("send a non-empty JSON list of declaration records")]})
        if len(records) > 5000:
            raise ValidationError({"records": [_("at most %(n)s records per call") % {"n": digits(5000)}]})
        batch = import_jobs.import_queue_records(records=records, by=request.user)
        job = jobs.enqueue(tasks.run_import, batch.pk, language=translation.get_language() or "")
        if job.inline:  # no worker: imported in this request
            batch.refresh_from_db()
            return Response(import_batch_body(request, batch))
        body = import_batch_body(request, batch)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})

    def _transition(self, request, pk, name: str, serializer_class):
        declaration = self._get(pk)
        services.require_may(request.user, declaration, name)  # a 403 before the fields
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)  # a time out of order (the year 0120, say) is the service's 400
        if name == "confirm_arrival":
            values.setdefault("seal_numbers_found", [])
        run_action(name, declaration, request.user, values, source=Source.API)
        declaration = self._get(pk)
        return Response(DeclarationDetailOut(declaration, context={"request": request}).data)

    @extend_schema(request=DepartIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], serializer_class=DepartIn)
    def depart(self, request, pk=None):
        return self._transition(request, pk, "depart", DepartIn)

    @extend_schema(request=ConfirmArrivalIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], url_path="confirm-arrival", serializer_class=ConfirmArrivalIn)
    def confirm_arrival(self, request, pk=None):
        return self._transition(request, pk, "confirm_arrival", ConfirmArrivalIn)

    @extend_schema(request=SettleIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], serializer_class=SettleIn)
    def settle(self, request, pk=None):
        return self._transition(request, pk, "settle", SettleIn)

    @extend_schema(request=RecordReasonIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], url_path="record-reason", serializer_class=RecordReasonIn)
    def record_reason(self, request, pk=None):
        return self._transition(request, pk, "record_unsettled", RecordReasonIn)

    # --- the anti-smuggling rules (issue 15 §2) -------------------------------------------------

    @extend_schema(
        request=ArrivalSerialsIn,
        responses=ArrivalSerialsOut,
        description="Serials (or tracking IDs) found on arrival, compared with the declared ones; a difference "
        "opens a discrepancy that blocks the settlement until resolved or overridden (Art. 24).",
    )
    @action(detail=True, methods=["post"], url_path="arrival-serials", serializer_class=ArrivalSerialsIn)
    def arrival_serials(self, request, pk=None):
        declaration = self._get(pk)
        serials.require(serials.may_record, request.user, declaration)  # a 403 before the fields
        data = ArrivalSerialsIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        result = serials.arrival_serials_record(
            declaration=declaration, values=d["values"], kind=d["kind"], by=request.user, source=Source.API
        )
        body = {
            "declared": result.declared,
            "found": result.found,
            "missing": result.missing,
            "extra": result.extra,
            "discrepancy_open": serials.open_discrepancy(declaration) is not None,
        }
        return Response(ArrivalSerialsOut(body).data)

    @extend_schema(request=ReasonIn, responses=DeclarationDetailOut, description="Resolve the open serial discrepancy.")
    @action(detail=True, methods=["post"], url_path="resolve-discrepancy", serializer_class=ReasonIn)
    def resolve_discrepancy(self, request, pk=None):
        declaration = self._get(pk)
        serials.require(serials.may_resolve, request.user, declaration)
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        current = serials.open_discrepancy(declaration)
        if current is None:
            raise ValidationError({"discrepancy": [_("No serial discrepancy is open on this declaration.")]})
        serials.discrepancy_resolve(discrepancy=current, by=request.user, reason=data.validated_data["reason"])
        return Response(DeclarationDetailOut(self._get(pk), context={"request": request}).data)

    @extend_schema(
        request=ReasonIn,
        responses=DeclarationDetailOut,
        description="Release a blocked settlement (headquarters or the province's inspector), with a reason.",
    )
    @action(detail=True, methods=["post"], url_path="settlement-override", serializer_class=ReasonIn)
    def settlement_override(self, request, pk=None):
        declaration = self._get(pk)
        serials.require(serials.may_override, request.user, declaration)
        data = ReasonIn(data=request.data)
        data.is_valid(raise_exception=True)
        serials.settlement_override(declaration=declaration, by=request.user, reason=data.validated_data["reason"])
        return Response(DeclarationDetailOut(self._get(pk), context={"request": request}).data)

    @extend_schema(request=ImeiCheckIn, responses=DeclarationDetailOut, description="An IMEI registry check's result.")
    @action(detail=True, methods=["post"], url_path="imei-check", serializer_class=ImeiCheckIn)
    def imei_check(self, request, pk=None):
        declaration = self._get(pk)
        serials.require(serials.may_check_imei, request.user, declaration)
        data = ImeiCheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        serials.imei_check_record(declaration=declaration, by=request.user, **data.validated_data)
        return Response(DeclarationDetailOut(self._get(pk), context={"request": request}).data)

    @extend_schema(
        request=TransportDocumentIn,
        responses={201: TransportDocumentOut},
        description="Record the transport document; `differences` lists what differs from the declaration "
        "(a document discrepancy, proposed as the reason it cannot settle).",
    )
    @action(detail=True, methods=["post"], url_path="transport-document", serializer_class=TransportDocumentIn)
    def transport_document(self, request, pk=None):
        declaration = self._get(pk)
        transport_docs.require_may_record(request.user, declaration)  # a 403 before the fields
        data = TransportDocumentIn(data=request.data)
        data.is_valid(raise_exception=True)
        document = transport_docs.transport_document_record(
            declaration=declaration, by=request.user, source=Source.API, **data.validated_data
        )
        return Response(TransportDocumentOut(document).data, status=status.HTTP_201_CREATED)

    # --- an arrival without plate read explained (``arrival_reads``) --------------------------------

    @extend_schema(
        methods=["GET"],
        responses=ArrivalReadReviewOut(many=True),
        description="The reviews of the declaration's arrival without plate read, oldest first: the last, "
        "`current`, counts (read by whoever sees the declaration).",
    )
    @extend_schema(
        methods=["POST"],
        request=ArrivalReadReviewIn,
        responses={201: ArrivalReadReviewOut},
        description="Explain why a confirmed arrival has no plate read at the destination's camera, or refer it "
        "to the inspectors (`refer`): the destination office's staff; the province's inspector only refers an "
        "explanation he doubts, as a revision (others 403, before the body is checked). An explanation takes the declaration out of the `arrival_without_read` signal, `refer` keeps "
        "it there; a revision names the review it replaces (`supersedes`), the earlier ones kept. 409 when the "
        "arrival has a read, or was reviewed meanwhile.",
    )
    @action(detail=True, methods=["get", "post"], url_path="arrival-read-reviews", serializer_class=ArrivalReadReviewIn)
    def arrival_read_reviews(self, request, pk=None):
        declaration = self._get(pk)
        if request.method == "GET":
            return Response(ArrivalReadReviewOut(arrival_reads.history(declaration), many=True).data)
        # A 403 before the fields; the inspector passes only with a review to revise.
        supersedes = request.data.get("supersedes") if isinstance(request.data, dict) else None
        arrival_reads.require_review(request.user, declaration, supersedes=supersedes)
        data = ArrivalReadReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        review = arrival_reads.arrival_read_review(declaration=declaration, by=request.user, **data.validated_data)
        return Response(ArrivalReadReviewOut(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], serializer_class=CancelIn)
    def cancel(self, request, pk=None):
        return self._transition(request, pk, "cancel", CancelIn)

    @extend_schema(request=CloseIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], serializer_class=CloseIn)
    def close(self, request, pk=None):
        return self._transition(request, pk, "close", CloseIn)

    @extend_schema(request=ExtendDeadlineIn, responses=DeclarationDetailOut)
    @action(detail=True, methods=["post"], url_path="extend-deadline", serializer_class=ExtendDeadlineIn)
    def extend_deadline(self, request, pk=None):
        return self._transition(request, pk, "extend_deadline", ExtendDeadlineIn)


PermitPage = page_of("PermitPage", PermitOut)


class PermitViewSet(BodyDescribedViewSet):
    """Traffic permits of foreign trucks on the declarations the user may see; record one, record its exit."""

    serializer_class = PermitOut
    create_serializer_class = PermitIn
    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    queryset = TrafficPermit.objects.none()

    def get_queryset(self):
        return permits.permits_for(self.request.user)

    def _get(self, pk) -> TrafficPermit:
        permit = self.get_queryset().filter(pk=pk).first()
        if permit is None:
            raise Http404
        return permit

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "validity", OpenApiTypes.STR, enum=list(permits.VALIDITY_CHOICES), description="all when not given"
            ),
            *PAGE_PARAMS,
        ],
        responses=PermitPage,
    )
    def list(self, request):
        qs = self.get_queryset()
        reject_unknown_params(request, ("validity", *PAGE_PARAM_NAMES))
        state = request.query_params.get("validity", "")
        if state:
            if state not in permits.VALIDITY_CHOICES:
                raise ValidationError({"validity": [one_of(permits.VALIDITY_CHOICES)]})
            qs = permits.with_validity(qs, state)
        return CursorPagination("-issued_at").paginate(request, qs, PermitOut)

    @extend_schema(responses=PermitOut)
    def retrieve(self, request, pk=None):
        return Response(PermitOut(self._get(pk)).data)

    @extend_schema(request=PermitIn, responses={201: PermitOut})
    def create(self, request):
        data = PermitIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        declaration = get_scoped_or_invalid(
            TransitDeclaration.objects.select_related("origin", "destination"),
            request.user,
            "declaration",
            pk=d["declaration"],
        )
        fields = {k: v for k, v in d.items() if k not in ("declaration", "route")}
        permit = permits.traffic_permit_record(
            declaration=declaration,
            route=[c.strip().upper() for c in d["route"]] or declaration.route,
            by=request.user,
            **fields,
        )
        return Response(PermitOut(self._get(permit.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PermitExitIn, responses=PermitOut)
    @action(detail=True, methods=["post"], serializer_class=PermitExitIn)
    def exit(self, request, pk=None):
        permit = self._get(pk)
        permits.require_may_record_exit(request.user, permit)  # a 403 before the fields
        data = PermitExitIn(data=request.data)
        data.is_valid(raise_exception=True)
        permits.traffic_permit_exit(permit=permit, at=data.validated_data.get("at") or timezone.now(), by=request.user)
        return Response(PermitOut(self._get(pk)).data)


class OfficeViewSet(viewsets.ReadOnlyModelViewSet):
    """The offices of the user's scope (all of them for national users)."""

    serializer_class = OfficeOut
    lookup_field = "code"
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.scope_offices(self.request.user)

    @extend_schema(
        responses={200: OfficeOut(many=True), 400: error_response(400, "a query parameter the list does not take")}
    )
    def list(self, request, *args, **kwargs):
        reject_unknown_params(request, ())  # no filter: ?province= would answer every office, as if applied
        return super().list(request, *args, **kwargs)


class VehicleViewSet(viewsets.GenericViewSet):
    """Trucks seen through the user's declarations; find one by plate written any way."""

    serializer_class = VehicleOut
    lookup_value_regex = r"[0-9]+"
    filter_backends: list = []
    queryset = Vehicle.objects.none()

    def _visible(self):
        user = self.request.user
        vehicles = Vehicle.objects.all()
        if user.is_national:
            return vehicles
        return vehicles.filter(pk__in=selectors.scoped(user).values("vehicle_id"))

    @extend_schema(
        parameters=[OpenApiParameter("plate", OpenApiTypes.STR, required=True, description="plate, any script")],
        responses=VehicleOut(many=True),
    )
    def list(self, request):
        reject_unknown_params(request, ("plate",))
        text = request.query_params.get("plate", "").strip()
        if not text:
            raise ValidationError({"plate": [_("This field is required.")]})
        try:
            plate = plates.guess_plate(text)
        except plates.PlateError:
            raise ValidationError({"plate": [_("'%(plate)s' is not a plate") % {"plate": isolate(text)}]}) from None
        vehicles = self._visible().filter(plate=plate.text)
        if plate.country:
            vehicles = vehicles.filter(country=plate.country)
        return Response(VehicleOut(vehicles[:20], many=True).data)

    @extend_schema(responses=VehicleOut)
    def retrieve(self, request, pk=None):
        vehicle = self._visible().filter(pk=pk).first()
        if vehicle is None:
            raise Http404
        return Response(VehicleOut(vehicle).data)

    @extend_schema(parameters=[OpenApiParameter("after", OpenApiTypes.STR)], responses=PageOut)
    @action(detail=True, methods=["get"])
    def declarations(self, request, pk=None):
        reject_unknown_params(request, ("after",))
        self.retrieve(request, pk)
        qs = selectors.scoped(request.user).filter(vehicle_id=pk).select_related("origin", "destination", "vehicle")
        try:
            page = keyset_page(qs, DEFAULT_SORT, after=request.query_params.get("after"), size=100)
        except BadCursor:
            raise ValidationError({"after": [_("invalid cursor")]}) from None
        count = selectors.capped_count(qs)
        return Response(
            {
                "count": count.value,
                "count_capped": count.capped,
                "count_estimated": count.estimated,
                "next": page_url(request, after=page.next_cursor) if page.next_cursor else None,
                "previous": None,
                "results": DeclarationListOut(page.rows, many=True).data,
            },
            status=status.HTTP_200_OK,
        )


class ImportBatchViewSet(viewsets.GenericViewSet):
    """An import's state, for the one who sent it (anyone else: 404)."""

    serializer_class = ImportResultOut
    lookup_value_regex = r"[0-9]+"
    queryset = ImportBatch.objects.none()

    @extend_schema(responses=ImportResultOut)
    def retrieve(self, request, pk=None):
        if request.user.role not in MAY_IMPORT and not request.user.is_superuser:
            raise PermissionDenied(_("Your role may not import declarations."))
        try:
            batch = ImportBatch.objects.get(pk=pk, by=request.user)
        except ImportBatch.DoesNotExist:
            raise Http404 from None
        return Response(import_batch_body(request, batch))
