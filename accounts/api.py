"""``POST /api/token/``: a new API token for a username and password (mounted by declarations/api_urls.py).

Throttled per client address, and covered by the login lock-out (django-axes sees the request,
so ten failures lock the username from that address here as on /login/: 429 with the API's
error body). Each call issues a new hashed token; the key is in this response only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from core.api import FORBIDDEN, error_body

from . import two_factor
from .lockout import LOCKED_OUT_MESSAGE
from .services import api_token_issue


class TokenObtainThrottle(AnonRateThrottle):
    """Per client address, at ``settings.API_TOKEN_THROTTLE`` (read per request, not at import)."""

    scope = "api_token"

    def get_rate(self):
        return settings.API_TOKEN_THROTTLE


class TokenIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="a label for the token")


class TokenOut(serializers.Serializer):
    token = serializers.CharField(help_text="the key: send it as `Authorization: Token <key>`; shown only now")
    prefix = serializers.CharField(help_text="the public start of the key, naming the token in lists and logs")
    user = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class TokenObtainApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]

    @extend_schema(request=TokenIn, responses={201: TokenOut}, auth=[])
    def post(self, request):
        data = TokenIn(data=request.data)
        data.is_valid(raise_exception=True)  # 400 naming the missing field
        django_request = request._request  # axes reads and marks the request Django's middleware saw
        user = authenticate(
            django_request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if getattr(django_request, "axes_locked_out", False):
            return Response(error_body("locked_out", str(LOCKED_OUT_MESSAGE)), status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            message = _("username and password do not match an active account")
            return Response(
                error_body("invalid", message, {"non_field_errors": [message]}), status=status.HTTP_400_BAD_REQUEST
            )
        if two_factor.required_for(user):
            # A password alone must not open what the web login guards with a second factor: such
            # accounts get tokens from IT (`manage.py issue_token`), not from this endpoint.
            message = _("this account signs in with two-factor authentication; ask the IT office for an API token")
            return Response(error_body(FORBIDDEN, message), status=status.HTTP_403_FORBIDDEN)
        token, key = api_token_issue(user=user, name=data.validated_data.get("name") or "POST /api/token/", by=user)
        out = TokenOut({"token": key, "prefix": token.prefix, "user": user.username, "expires_at": token.expires_at})
        return Response(out.data, status=status.HTTP_201_CREATED)
