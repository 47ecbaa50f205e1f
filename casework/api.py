"""API of casework: the destination's inbox of follow-up letters and recording a reply.

One APIView per operation, input and output serializers, no logic beyond the service.
"""

from __future__ import annotations

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import get_scoped_or_404
from core.api import (
    JALALI_DATETIME_HELP,
    JalaliDateTimeField,
    UploadField,
    bool_param,
    one_of,
    reject_unknown_params,
)
from core.api_schema import error_response
from declarations.api_paging import PAGE_PARAM_NAMES, PAGE_PARAMS, CursorPagination, page_of

from . import services
from .models import FollowUpLetter, LetterStatus
from .views import INBOX_STATUSES, inbox_filter


class LetterOut(serializers.ModelSerializer):
    declaration = serializers.CharField(source="declaration.serial")
    from_office = serializers.CharField(source="from_office.code")
    to_office = serializers.CharField(source="to_office.code")
    reply_overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpLetter
        fields = [
            "id",
            "number",
            "kind",
            "declaration",
            "from_office",
            "to_office",
            "status",
            "subject",
            "sent_at",
            "reply_due_at",
            "reply_overdue",
            "answered_at",
            "reply_number",
            "reply_text",
            "reply_document_name",
            "reply_document_sha256",
        ]
        extra_kwargs = {
            "reply_document_name": {"help_text": "the reply letter file's name as sent (empty: no file)"},
            "reply_document_sha256": {"help_text": "the SHA-256 of the reply letter file stored (empty: no file)"},
        }

    def get_reply_overdue(self, letter) -> bool:
        return bool(letter.status == LetterStatus.SENT and letter.reply_due_at and letter.reply_due_at < timezone.now())


class AnswerIn(serializers.Serializer):
    reply_text = serializers.CharField(
        allow_blank=True, max_length=services.REPLY_MAX_LENGTH, help_text="the text of the reply (required)"
    )
    reply_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    answered_at = JalaliDateTimeField(
        required=False, allow_null=True, default=None, help_text=f"{JALALI_DATETIME_HELP}; default now"
    )


class AnswerUploadIn(AnswerIn):
    """The answer with the reply letter's file: a multipart/form-data body (a JSON body cannot carry a file)."""

    reply_document = UploadField(
        required=False,
        allow_null=True,
        default=None,
        help_text="the reply letter's file, PDF, JPEG or PNG (optional), checked by content as arrival evidence is: "
        "a type refused is a 415, too large a 413, malware a 422, the malware scanner unavailable a 503",
        error_messages={
            "invalid": gettext_lazy(
                "Send the reply letter's file as a part of a multipart/form-data body, beside the other fields."
            )
        },
    )


LetterPage = page_of("LetterPage", LetterOut)


class InboxApi(APIView):
    """Letters addressed to the user's offices, the reply due soonest first, in pages."""

    @extend_schema(
        operation_id="casework_inbox",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(INBOX_STATUSES), description="default sent"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="only replies past their due date"),
            *PAGE_PARAMS,
        ],
        responses=LetterPage,
    )
    def get(self, request):
        reject_unknown_params(request, ("status", "overdue", *PAGE_PARAM_NAMES))
        status = request.query_params.get("status", "sent")
        if status not in INBOX_STATUSES:
            raise serializers.ValidationError({"status": [one_of(INBOX_STATUSES)]})
        overdue = bool_param(request, "overdue")
        letters = inbox_filter(request.user, status, overdue, timezone.now())
        # A sent letter always has its reply due (``letter_send``); the sent time stands in should one not, so
        # the page's key is never null and no letter falls out between two pages.
        letters = letters.annotate(_reply_due=Coalesce("reply_due_at", "sent_at", "drafted_at"))
        return CursorPagination("_reply_due").paginate(request, letters, LetterOut)


class LetterAnswerApi(APIView):
    """Record the reply to a sent letter (the destination office, the sending office, headquarters)."""

    @extend_schema(
        operation_id="casework_letter_answer",
        description="A JSON body records the reply's text, number and date; a multipart/form-data body takes the "
        "same fields and, beside them, the reply letter's file (`reply_document`), checked as the letter's page "
        "checks it.",
        request={
            "application/json": AnswerIn,
            "application/x-www-form-urlencoded": AnswerIn,
            "multipart/form-data": AnswerUploadIn,
        },
        responses={
            200: LetterOut,
            422: error_response(422, "the reply letter's file carries malware"),
            503: error_response(503, "the malware scanner did not answer: nothing was recorded"),
        },
    )
    def post(self, request, pk: int):
        letter = get_scoped_or_404(
            FollowUpLetter.objects.select_related("declaration", "from_office", "to_office"), request.user, pk=pk
        )
        services.require_may_record_answer(request.user, letter)  # a 403 before any field is asked for
        # One serializer whatever the body: a file named in a JSON body is refused beside its field, not dropped.
        data = AnswerUploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        letter = services.letter_record_answer(letter=letter, by=request.user, **data.validated_data)
        return Response(LetterOut(letter).data)
