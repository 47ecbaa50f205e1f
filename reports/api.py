"""API of reports: one APIView per operation, input and output serializers, no logic."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import CustomsOffice, Province
from accounts.scoping import get_scoped_or_404
from core.api import ChoiceField, JalaliDateField, JalaliDateTimeField, bool_param, one_of, reject_unknown_params
from core.api_schema import error_response
from declarations.api_paging import PAGE_PARAM_NAMES, PAGE_PARAMS, CursorPagination, page_of
from declarations.creation import source_ref_display

from . import problems, services
from .models import (
    Inspection,
    InspectionAction,
    LateChange,
    MonthlyReturn,
    ProblemStatus,
    Symptom,
    System,
    SystemProblem,
    replaced_by,
)
from .views import TrendFilterForm, trend_data
from .views_actions import STATES, actions_filter


class ReturnOut(serializers.ModelSerializer):
    province: serializers.SlugRelatedField[Province] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="null: the national return"
    )
    late_changes_count = serializers.IntegerField(
        read_only=True,
        help_text="changes recorded in the return's period since it was submitted (its late-changes list); "
        "office staff: those of their office's part",
    )
    replaced_by = serializers.SerializerMethodField(
        help_text="the version that took this one's place: for a replaced draft the build that replaced it, "
        "for a submitted one the next version submitted; null when none did (only the newest version is submitted)"
    )

    class Meta:
        model = MonthlyReturn
        fields = [
            "id",
            "year",
            "month",
            "province",
            "version",
            "status",
            "provisional",
            "built_at",
            "submitted_at",
            "unsettled_count",
            "sha256",
            "late_changes_count",
            "replaced_by",
        ]

    def get_replaced_by(self, instance) -> int | None:
        replaced = self.context.get("replaced_by")
        if replaced is None:  # one return: its own query
            replaced = replaced_by([instance])
        return replaced.get(instance.pk)

    def to_representation(self, instance):
        """Office staff get their office's part (``MonthlyReturn.figures_for``), never the province's."""
        data = super().to_representation(instance)
        figures = instance.figures_for(self.context["request"].user)
        data["unsettled_count"] = figures["unsettled_count"]
        if "figures" in data:
            data["figures"] = figures
        return data


class ReturnDetailOut(ReturnOut):
    figures = serializers.JSONField(
        read_only=True,
        help_text="every figure of the return (docs/monthly-return.md); office staff get their office's part",
    )

    class Meta(ReturnOut.Meta):
        fields = [*ReturnOut.Meta.fields, "figures"]


class ReplacedDraftOut(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class TaskOut(serializers.Serializer):
    task_id = serializers.CharField(help_text="the Celery task building the return; it appears in the list when built")
    replaces = ReplacedDraftOut(
        allow_null=True,
        help_text="the draft of the same month and scope that the new build replaces (it can no longer be "
        "submitted); null when there is none",
    )
    detail = serializers.CharField(help_text="what the build replaces, in the request's language; empty when nothing")


class TrendSeriesOut(serializers.Serializer):
    opening = serializers.ListField(child=serializers.IntegerField())
    new = serializers.ListField(child=serializers.IntegerField())
    settled = serializers.ListField(child=serializers.IntegerField())
    cancelled = serializers.ListField(child=serializers.IntegerField())
    closing = serializers.ListField(child=serializers.IntegerField())


class TrendOut(serializers.Serializer):
    labels = serializers.ListField(
        child=serializers.CharField(),
        help_text="Jalali months, oldest first, in the request's language (آبان ۱۴۰۵ or 1405/08)",
    )
    series = TrendSeriesOut(help_text="one value per month of the latest version of its return")
    over_40 = serializers.ListField(
        child=serializers.IntegerField(), help_text="unsettled over 40 days past the deadline"
    )
    names = serializers.DictField(
        child=serializers.CharField(),
        help_text="each series' name (and over_40's) in the request's language, as the return names the figure",
    )


ReturnPage = page_of("ReturnPage", ReturnOut)


class ReturnListApi(APIView):
    @extend_schema(
        operation_id="reports_returns_list",
        description="Every return of your scope, the latest built first, in pages.",
        parameters=PAGE_PARAMS,
        responses={200: ReturnPage, 400: error_response(400, "a query parameter the list does not take")},
    )
    def get(self, request):
        # no filter: ?province= would answer every return, as if applied
        reject_unknown_params(request, PAGE_PARAM_NAMES)
        qs = MonthlyReturn.objects.for_user(request.user).with_late_changes(request.user).select_related("province")
        pages = CursorPagination("-id")
        page = pages.page(request, qs)
        context = {"request": request, "replaced_by": replaced_by(page.rows)}
        return pages.response(request, qs, page, ReturnOut(page.rows, many=True, context=context).data)


class ReturnDetailApi(APIView):
    @extend_schema(operation_id="reports_returns_retrieve", responses=ReturnDetailOut)
    def get(self, request, pk: int):
        snap = get_object_or_404(MonthlyReturn.objects.for_user(request.user).with_late_changes(request.user), pk=pk)
        return Response(ReturnDetailOut(snap, context={"request": request}).data)


class LateChangeOut(serializers.ModelSerializer):
    declaration = serializers.IntegerField(
        source="declaration_id", allow_null=True, help_text="the declaration created or moved; null for an inspection"
    )
    serial = serializers.CharField(help_text="the declaration's serial; empty for an inspection")
    inspection = serializers.IntegerField(
        source="inspection_id", allow_null=True, help_text="the inspection recorded; null for a declaration's change"
    )
    inspection_name = serializers.SerializerMethodField(
        help_text="the inspection's office and Jalali day, in the request's language; empty for a declaration's change"
    )
    what = serializers.CharField(
        help_text="`created`, the transition's action (`settle`, `confirm_arrival`, …), or `inspected`"
    )
    status = serializers.CharField(help_text="the declaration's status after the change; empty for an inspection")
    what_text = serializers.CharField(read_only=True, help_text="what happened, in the request's language")
    at = serializers.DateTimeField(help_text="when the change is dated (inside the return's period)")
    by = serializers.SerializerMethodField(help_text="by name; empty for a change from an import or the system")
    source_text = serializers.CharField(read_only=True, help_text="where it came from, in the request's language")
    source_ref = serializers.SerializerMethodField(
        help_text="the file, batch or person it came from, in the request's language (an import batch named in words)"
    )

    class Meta:
        model = LateChange
        fields = [
            "id",
            "declaration",
            "serial",
            "inspection",
            "inspection_name",
            "what",
            "status",
            "what_text",
            "at",
            "by",
            "source",
            "source_ref",
            "source_text",
            "recorded_at",
        ]

    def get_by(self, change) -> str:
        return problems.person(change.by)

    def get_inspection_name(self, change) -> str:
        return change.inspection.audit_name() if change.inspection_id else ""

    def get_source_ref(self, change) -> str:
        return source_ref_display(change.source_ref)


LateChangePage = page_of("LateChangePage", LateChangeOut)


class ReturnLateChangeListApi(APIView):
    @extend_schema(
        operation_id="reports_returns_late_changes",
        description="The changes recorded in a submitted return's period since it was submitted, in pages, the "
        "first recorded first (as its page lists them); office staff get those of their office's part.",
        parameters=PAGE_PARAMS,
        responses={200: LateChangePage, 400: error_response(400, "a query parameter the list does not take")},
    )
    def get(self, request, pk: int):
        reject_unknown_params(request, PAGE_PARAM_NAMES)
        snap = get_object_or_404(MonthlyReturn.objects.for_user(request.user), pk=pk)
        qs = snap.late_changes.for_user(request.user).select_related("by", "inspection__office")
        return CursorPagination("recorded_at").paginate(request, qs, LateChangeOut)


class ReturnBuildIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=1300, max_value=1500)
    month = serializers.IntegerField(min_value=1, max_value=12)
    province = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        required=False,
        allow_null=True,
        help_text="province code; omitted: the user's own scope (an inspector's province, national for headquarters)",
        error_messages={"does_not_exist": gettext_lazy("No province has the code «{value}».")},
    )
    provisional = serializers.BooleanField(
        default=False, help_text="build a month that has not ended (figures up to now, labelled provisional)"
    )


class ReturnBuildApi(APIView):
    In = ReturnBuildIn

    @extend_schema(operation_id="reports_returns_build", request=ReturnBuildIn, responses={202: TaskOut})
    def post(self, request):
        data = self.In(data=request.data)
        data.is_valid(raise_exception=True)
        # Not named: the user's own scope, as the page's form offers it (an inspector's province).
        province = data.validated_data.get("province", services.own_return_scope(request.user))
        if not services.may_build_return(request.user, province):
            raise PermissionDenied(str(services.WHO_BUILDS_RETURNS))
        year, month = data.validated_data["year"], data.validated_data["month"]
        draft = services.return_draft(year, month, province)
        job = services.return_build_request(  # the period is refused here, not in the task
            year=year, month=month, province=province, by=request.user, provisional=data.validated_data["provisional"]
        )
        body = {
            "task_id": job.task_id,
            "replaces": {"id": draft.pk, "version": draft.version} if draft is not None else None,
            "detail": services.draft_replaced_text(draft) if draft is not None else "",
        }
        return Response(TaskOut(body).data, status=status.HTTP_202_ACCEPTED)


class TrendApi(APIView):
    @extend_schema(
        operation_id="reports_trend",
        parameters=[
            OpenApiParameter(
                "province",
                OpenApiTypes.STR,
                description="province code; omit for national (headquarters) or your own province (anyone "
                "else); a code that is no province of your scope is a 400",
            )
        ],
        responses=TrendOut,
    )
    def get(self, request):
        reject_unknown_params(request, ("province",))
        form = TrendFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        return Response(trend_data(request.user, form.trend_province(request.user)))


class ProblemOut(serializers.ModelSerializer):
    office: serializers.SlugRelatedField[CustomsOffice] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    assigned_to = serializers.SerializerMethodField(help_text="the IT officer handling it, by name")
    description = serializers.CharField(
        source="description_text", read_only=True, help_text="a problem the system opened: in the request's language"
    )

    class Meta:
        model = SystemProblem
        fields = [
            "id",
            "system",
            "symptom",
            "office",
            "since",
            "description",
            "status",
            "reported_at",
            "assigned_to",
            "acknowledged_at",
            "resolution",
            "resolved_at",
        ]

    def get_assigned_to(self, problem) -> str:
        return problems.person(problem.assigned_to)


class ProblemIn(serializers.Serializer):
    system = ChoiceField(choices=System.choices)
    symptom = ChoiceField(choices=Symptom.choices)
    office = serializers.SlugRelatedField(slug_field="code", queryset=CustomsOffice.objects.all())
    since = JalaliDateTimeField()
    description = serializers.CharField()

    def validate_description(self, value: str) -> str:
        # Named with its field, as every field's error is (the service refuses it too, in its own words).
        if error := services.description_error(value):
            raise serializers.ValidationError(error)
        return value


class ProblemCountsOut(serializers.Serializer):
    open = serializers.IntegerField(help_text="new and acknowledged")
    new = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    resolved = serializers.IntegerField()
    all = serializers.IntegerField()


class ResolveIn(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, help_text="what was done (required)")


ProblemPage = page_of("ProblemPage", ProblemOut)
# The order a tab's pages are walked in (one column, then the id): work still to do oldest reported first
# (the longest waiting on top, as the queue page has it); resolved problems and all of them the latest first.
PROBLEM_SORT = {
    problems.OPEN: "reported_at",
    ProblemStatus.NEW: "reported_at",
    ProblemStatus.ACKNOWLEDGED: "reported_at",
}


class ProblemApi(APIView):
    In = ProblemIn

    @extend_schema(
        operation_id="reports_problems_list",
        description="The problems of a tab in pages: open, new and acknowledged ones the oldest reported first; "
        "resolved and all the latest reported first.",
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=list(problems.TABS), description="default open (new and acknowledged)"
            ),
            *PAGE_PARAMS,
        ],
        responses=ProblemPage,
    )
    def get(self, request):
        reject_unknown_params(request, ("status", *PAGE_PARAM_NAMES))
        tab = request.query_params.get("status", problems.OPEN)
        if tab not in problems.TABS:
            raise serializers.ValidationError({"status": [one_of(problems.TABS)]})
        qs = problems.queue(request.user, tab)
        return CursorPagination(PROBLEM_SORT.get(tab, "-reported_at")).paginate(request, qs, ProblemOut)

    @extend_schema(operation_id="reports_problems_create", request=ProblemIn, responses={201: ProblemOut})
    def post(self, request):
        data = self.In(data=request.data)
        data.is_valid(raise_exception=True)
        problem = services.problem_report(by=request.user, **data.validated_data)
        return Response(ProblemOut(problem).data, status=status.HTTP_201_CREATED)


class ProblemCountsApi(APIView):
    @extend_schema(
        operation_id="reports_problems_counts",
        responses={200: ProblemCountsOut, 400: error_response(400, "a query parameter the list does not take")},
    )
    def get(self, request):
        reject_unknown_params(request, ())
        return Response(ProblemCountsOut(problems.counts(request.user)).data)


class ProblemAcknowledgeApi(APIView):
    """The IT office takes the problem (it is assigned to the caller)."""

    @extend_schema(operation_id="reports_problems_acknowledge", request=None, responses=ProblemOut)
    def post(self, request, pk: int):
        problem = get_scoped_or_404(SystemProblem.objects.all(), request.user, pk=pk)
        return Response(ProblemOut(services.problem_acknowledge(problem=problem, by=request.user)).data)


class ProblemResolveApi(APIView):
    @extend_schema(operation_id="reports_problems_resolve", request=ResolveIn, responses=ProblemOut)
    def post(self, request, pk: int):
        problem = get_scoped_or_404(SystemProblem.objects.all(), request.user, pk=pk)
        data = ResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        problem = services.problem_resolve(problem=problem, by=request.user, **data.validated_data)
        return Response(ProblemOut(problem).data)


# --- inspection follow-up actions -------------------------------------------------------------


class InspectionActionOut(serializers.ModelSerializer):
    inspection = serializers.IntegerField(source="inspection_id")
    inspected_office = serializers.CharField(source="inspection.office.code")
    responsible_office = serializers.CharField(source="responsible_office.code")
    overdue = serializers.SerializerMethodField()
    done_by = serializers.SerializerMethodField(help_text="by name")

    class Meta:
        model = InspectionAction
        fields = [
            "id",
            "inspection",
            "inspected_office",
            "description",
            "responsible_office",
            "due_on",
            "overdue",
            "done_at",
            "done_by",
            "done_note",
        ]

    def get_overdue(self, action) -> bool:
        return action.is_overdue(timezone.localdate())

    def get_done_by(self, action) -> str:
        return problems.person(action.done_by)


class InspectionActionIn(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    responsible_office = serializers.SlugRelatedField(slug_field="code", queryset=CustomsOffice.objects.all())
    due_on = JalaliDateField()


class ActionDoneIn(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text="what was done (required)")


InspectionActionPage = page_of("InspectionActionPage", InspectionActionOut)


class InspectionActionListApi(APIView):
    @extend_schema(
        operation_id="reports_inspection_actions_list",
        description="The actions in pages, the one due soonest first.",
        parameters=[
            OpenApiParameter("state", OpenApiTypes.STR, enum=list(STATES), description="default open"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="only open actions past their due date"),
            *PAGE_PARAMS,
        ],
        responses=InspectionActionPage,
    )
    def get(self, request):
        reject_unknown_params(request, ("state", "overdue", *PAGE_PARAM_NAMES))
        state = request.query_params.get("state", "open")
        if state not in STATES:
            raise serializers.ValidationError({"state": [one_of(STATES)]})
        overdue = bool_param(request, "overdue")
        qs = actions_filter(request.user, state, overdue)
        return CursorPagination("due_on").paginate(request, qs, InspectionActionOut)


class InspectionActionCreateApi(APIView):
    """Add a follow-up action to an inspection (whoever may inspect its office)."""

    @extend_schema(
        operation_id="reports_inspection_actions_create",
        request=InspectionActionIn,
        responses={201: InspectionActionOut},
    )
    def post(self, request, pk: int):
        inspection = get_scoped_or_404(Inspection.objects.select_related("office"), request.user, pk=pk)
        data = InspectionActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.inspection_action_add(
            inspection=inspection, by=request.user, action=services.ActionInput(**data.validated_data)
        )
        return Response(InspectionActionOut(action).data, status=status.HTTP_201_CREATED)


class InspectionActionDoneApi(APIView):
    @extend_schema(operation_id="reports_inspection_actions_done", request=ActionDoneIn, responses=InspectionActionOut)
    def post(self, request, pk: int):
        action = get_scoped_or_404(InspectionAction.objects.select_related("inspection__office"), request.user, pk=pk)
        data = ActionDoneIn(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.inspection_action_done(action=action, by=request.user, note=data.validated_data["note"])
        return Response(InspectionActionOut(action).data)
