"""API routes of casework (mounted at /api/casework/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("inbox/", api.InboxApi.as_view(), name="api-casework-inbox"),
    path("letters/<int:pk>/answer/", api.LetterAnswerApi.as_view(), name="api-letter-answer"),
]
