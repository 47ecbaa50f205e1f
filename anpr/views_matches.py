"""A person confirms or rejects a similar-plate match (page form and API): scoped fetch, one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import ChoiceField
from core.errors import DomainError, NotAllowed

from .match_review import DECISIONS, match_review
from .models import PlateMatch


def _visible_match(user, pk: int) -> PlateMatch:
    """The match, if its declaration is one the user may see (404 otherwise, as for the declaration)."""
    match = PlateMatch.objects.for_user(user).select_related("read__office", "declaration__destination").filter(pk=pk)
    found = match.first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def review(request, pk: int):
    """From the declaration page or the arrival form: back to the declaration with the outcome."""
    match = _visible_match(request.user, pk)
    decision = request.POST.get("decision", "")
    try:
        match_review(match=match, by=request.user, decision=decision, note=request.POST.get("note", ""))
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("declarations:detail", pk=match.declaration_id)
    if decision == "rejected":
        messages.success(request, _("The plate match was rejected: it no longer counts as a sighting of this truck."))
    else:
        messages.success(request, _("The plate match was confirmed."))
    return redirect("declarations:detail", pk=match.declaration_id)


class MatchReviewIn(serializers.Serializer):
    decision = ChoiceField(choices=[(d.value, d.label) for d in DECISIONS])
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=300,
        help_text="Why; required to revise a decision a person made (confirmed to rejected or back).",
    )


class ReviewOut(serializers.Serializer):
    """Times in the API's one form (Tehran offset, as every other answer), not the UTC «…Z» of raw values."""

    id = serializers.IntegerField()
    declaration = serializers.IntegerField()
    score = serializers.FloatField()
    review = serializers.CharField()
    reviewed_at = serializers.DateTimeField()
    declaration_dest_first_read_at = serializers.DateTimeField(allow_null=True)


class MatchReviewApi(APIView):
    """POST /api/anpr/matches/<id>/review/ {"decision": "confirmed" | "rejected", "note"}."""

    @extend_schema(request=MatchReviewIn, responses=ReviewOut)
    def post(self, request, pk: int):
        match = _visible_match(request.user, pk)
        data = MatchReviewIn(data=request.data)
        data.is_valid(raise_exception=True)
        match = match_review(match=match, by=request.user, **data.validated_data)
        match.declaration.refresh_from_db(fields=["dest_first_read_at"])
        return Response(
            ReviewOut(
                {
                    "id": match.pk,
                    "declaration": match.declaration_id,
                    "score": match.score,
                    "review": match.review,
                    "reviewed_at": match.reviewed_at,
                    "declaration_dest_first_read_at": match.declaration.dest_first_read_at,
                }
            ).data
        )
