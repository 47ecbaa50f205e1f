"""Scan API: upload, read, file download, comparison result and review, reviews of a reused scan. One APIView
per operation."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import get_scoped_or_404, get_scoped_or_invalid
from core.api import error_body, reject_unknown_params
from core.errors import NotAllowed
from core.files import serve_evidence
from declarations.api_paging import PAGE_PARAM_NAMES, PAGE_PARAMS, CursorPagination, page_of
from declarations.models import TransitDeclaration

from . import reuse_reviews, services
from .models import Scan, ScanComparison, ScanReuseReview
from .serializers import (
    ComparisonOut,
    ReuseReviewIn,
    ReuseReviewOut,
    ReviewIn,
    ScanListQuery,
    ScanOut,
    ScanUploadIn,
)
from .validation import ScanRejected, colour_refusal


def _rejected(exc: ScanRejected) -> Response:
    message = exc.message
    if exc.code == "colour":  # the page's words say to tick a box; the API has a field
        message = colour_refusal(exc.name, api=True)
    body = error_body(exc.code, message, {exc.field: [message]})
    if first := getattr(exc, "first", None):  # a duplicate: the scan already stored
        body["error"]["duplicate_of"] = {"id": first.pk, "url": reverse("scans-api-detail", args=[first.pk])}
    return Response(body, status=exc.status)


ScanPage = page_of("ScanPage", ScanOut)


class ScanListCreateApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="scans_list",
        parameters=[OpenApiParameter("declaration", OpenApiTypes.INT, description="a declaration's id"), *PAGE_PARAMS],
        responses=ScanPage,
    )
    def get(self, request):
        reject_unknown_params(request, ("declaration", *PAGE_PARAM_NAMES))
        query = ScanListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)  # an id too large for the column is a 400 naming it, not a 500
        qs = Scan.objects.for_user(request.user).select_related("office").with_reuse()
        if (declaration := query.validated_data.get("declaration")) is not None:
            qs = qs.filter(declaration_id=declaration)
        return CursorPagination("-id").paginate(request, qs, ScanOut)

    @extend_schema(request=ScanUploadIn, responses={201: ScanOut})
    def post(self, request):
        data = ScanUploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        declaration = get_scoped_or_invalid(
            TransitDeclaration.objects.select_related("origin", "destination"),
            request.user,
            "declaration",
            pk=v["declaration"],
        )
        try:
            (scan,) = services.scan_upload(
                declaration=declaration,
                stage=v["stage"],
                scanner_id=v["scanner_id"],
                captured_at=v["captured_at"],
                files=[v["file"]],
                by=request.user,
                view=v["view"],
                pseudo_colour=v["pseudo_colour"],
            )
        except ScanRejected as exc:
            return _rejected(exc)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ScanOut(scan).data, status=status.HTTP_201_CREATED)


class ScanDetailApi(APIView):
    @extend_schema(responses=ScanOut)
    def get(self, request, pk: int):
        return Response(ScanOut(get_scoped_or_404(Scan.objects.select_related("office"), request.user, pk=pk)).data)


class ScanOriginalApi(APIView):
    @extend_schema(responses={(200, "image/png"): bytes, (200, "image/jpeg"): bytes, (200, "image/tiff"): bytes})
    def get(self, request, pk: int):
        scan = get_scoped_or_404(Scan.objects.select_related("declaration"), request.user, pk=pk)
        return serve_evidence(
            request,
            scan.original,
            sha256=scan.sha256,
            filename=scan.download_name(),
            content_type=scan.content_type,
            as_attachment=True,
            office_id=scan.office_id,
            declaration_id=scan.declaration_id,
        )


class ComparisonDetailApi(APIView):
    @extend_schema(responses=ComparisonOut)
    def get(self, request, pk: int):
        return Response(ComparisonOut(get_scoped_or_404(ScanComparison.objects.all(), request.user, pk=pk)).data)


class ComparisonReviewApi(APIView):
    @extend_schema(request=ReviewIn, responses=ComparisonOut)
    def post(self, request, pk: int):
        comparison = get_scoped_or_404(ScanComparison.objects.select_related("declaration"), request.user, pk=pk)
        services.require_can_review(request.user, comparison)  # a 403 before the fields
        data = ReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.comparison_review(comparison=comparison, by=request.user, **data.validated_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ComparisonOut(result).data)


class DeclarationComparisonsApi(APIView):
    @extend_schema(responses=ComparisonOut(many=True))
    def get(self, request, pk: int):
        declaration = get_scoped_or_404(TransitDeclaration.objects.all(), request.user, pk=pk)
        qs = ScanComparison.objects.filter(declaration=declaration).order_by("-created_at", "-id")
        return Response(ComparisonOut(qs, many=True).data)


class ScanReuseReviewsApi(APIView):
    """The reviews of a reuse finding (a scan that is the same image as another truck's scan), oldest first:
    the last, ``current``, counts; and a new one, first or revising it (``supersedes``). Read as the scans
    page shows them (whoever sees the scan); recorded by headquarters or the province's inspector."""

    @extend_schema(responses=ReuseReviewOut(many=True))
    def get(self, request, pk: int):
        scan = get_scoped_or_404(Scan.objects.all(), request.user, pk=pk)
        reviews = list(ScanReuseReview.objects.filter(scan=scan).select_related("by").order_by("id"))
        superseded = {r.supersedes_id for r in reviews if r.supersedes_id}
        return Response(ReuseReviewOut(reviews, many=True, context={"superseded": superseded}).data)

    @extend_schema(request=ReuseReviewIn, responses={201: ReuseReviewOut})
    def post(self, request, pk: int):
        scan = get_scoped_or_404(
            Scan.objects.select_related("declaration__origin", "declaration__destination"), request.user, pk=pk
        )
        if not reuse_reviews.may_review(request.user, scan.declaration):
            raise PermissionDenied(_("Only headquarters or the province's inspector may review a reused scan."))
        data = ReuseReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            review = reuse_reviews.reuse_review(scan=scan, by=request.user, **data.validated_data)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ReuseReviewOut(review, context={"superseded": set()}).data, status=status.HTTP_201_CREATED)
