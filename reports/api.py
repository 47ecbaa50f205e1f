"""API of reports: one APIView per operation, input and output serializers, no logic."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import CustomsOffice, Province

from . import services, tasks
from .models import MonthlyReturn, Symptom, System, SystemProblem
from .views import trend_data, trend_province


class ReturnOut(serializers.ModelSerializer):
    province = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MonthlyReturn
        fields = [
            "id",
            "year",
            "month",
            "province",
            "version",
            "status",
            "built_at",
            "submitted_at",
            "unsettled_count",
            "sha256",
        ]


class ReturnDetailOut(ReturnOut):
    class Meta(ReturnOut.Meta):
        fields = [*ReturnOut.Meta.fields, "figures"]


class ReturnListApi(APIView):
    def get(self, request):
        qs = MonthlyReturn.objects.for_user(request.user).select_related("province")[:500]
        return Response(ReturnOut(qs, many=True).data)


class ReturnDetailApi(APIView):
    def get(self, request, pk: int):
        snap = get_object_or_404(MonthlyReturn.objects.for_user(request.user), pk=pk)
        return Response(ReturnDetailOut(snap).data)


class ReturnBuildApi(APIView):
    class In(serializers.Serializer):
        year = serializers.IntegerField(min_value=1300, max_value=1500)
        month = serializers.IntegerField(min_value=1, max_value=12)
        province = serializers.SlugRelatedField(
            slug_field="code", queryset=Province.objects.all(), required=False, allow_null=True
        )

    def post(self, request):
        data = self.In(data=request.data)
        data.is_valid(raise_exception=True)
        province = data.validated_data.get("province")
        if not services.may_build_return(request.user, province):
            raise PermissionDenied(str(services.WHO_BUILDS_RETURNS))
        result = tasks.build_monthly_return.delay(
            data.validated_data["year"],
            data.validated_data["month"],
            province.pk if province else None,
            request.user.pk,
        )
        return Response({"task_id": result.id}, status=status.HTTP_202_ACCEPTED)


class TrendApi(APIView):
    def get(self, request):
        code = request.query_params.get("province", "")
        if request.user.is_national:
            province = get_object_or_404(Province, code=code) if code else None
        else:
            province = trend_province(request.user, code)
        return Response(trend_data(request.user, province))


class ProblemOut(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
            "resolution",
            "resolved_at",
        ]


class ProblemApi(APIView):
    class In(serializers.Serializer):
        system = serializers.ChoiceField(choices=System.choices)
        symptom = serializers.ChoiceField(choices=Symptom.choices)
        office = serializers.SlugRelatedField(slug_field="code", queryset=CustomsOffice.objects.all())
        since = serializers.DateTimeField()
        description = serializers.CharField()

    def get(self, request):
        qs = SystemProblem.objects.for_user(request.user).select_related("office")[:500]
        return Response(ProblemOut(qs, many=True).data)

    def post(self, request):
        data = self.In(data=request.data)
        data.is_valid(raise_exception=True)
        problem = services.problem_report(by=request.user, **data.validated_data)
        return Response(ProblemOut(problem).data, status=status.HTTP_201_CREATED)
