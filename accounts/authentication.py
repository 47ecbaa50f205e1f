"""API tokens: ``Authorization: Token <key>``, looked up by the key's public prefix and compared
with the stored SHA-256 in constant time.

``request.user`` is the token's user, ``request.auth`` the ``ApiToken`` itself, so whatever the
request records can name the token (``token.via_ref``: "token ab12cd34ef… of ics"). An unknown,
revoked or expired key, or one of an inactive user, is refused with 401 and a body that says which.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.text import isolate

from .models import TOKEN_PREFIX_LEN, ApiToken, hash_api_key
from .services import api_token_note_use

# Compared against when the prefix finds no row, so an unknown key costs the same hash and compare.
_NO_HASH = hash_api_key("")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        # Read by the client's developer in the request's language; the header and the username isolated, so that
        # they keep their order in a Persian sentence.
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as %(header)s: one key, without spaces.")
                % {"header": isolate("Authorization: Token <key>")}
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token's key is not ASCII text.")) from None
        token = (
            ApiToken.objects.select_related("user").filter(prefix=key[:TOKEN_PREFIX_LEN]).first()
            if len(key) > TOKEN_PREFIX_LEN
            else None
        )
        if token is None:
            ApiToken(key_hash=_NO_HASH).matches(key)  # the same work as a known prefix
            raise exceptions.AuthenticationFailed(_("Unknown token."))
        if not token.matches(key):
            raise exceptions.AuthenticationFailed(_("Unknown token."))
        if reason := token.refusal():
            raise exceptions.AuthenticationFailed(_("%(reason)s: ask for a new token.") % {"reason": reason})
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("User %(username)s is not active.") % {"username": isolate(token.user.username)}
            )
        api_token_note_use(token, request.META.get("REMOTE_ADDR") or None)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the API token in the OpenAPI schema (registered by being defined)."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key from POST /api/token/ or `manage.py issue_token`; it expires",
        }


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session login, its CSRF refusal in the reader's language: DRF's own put Django's English reason
    after «CSRF Failed:» («CSRF token missing.») into a Persian answer. The words of the pages' refusal."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("The CSRF token is missing or wrong; log in again and retry.")
            ) from None


class CookieScheme(SessionScheme):
    """The session cookie in the OpenAPI schema, as drf-spectacular documents DRF's own class."""

    target_class = "accounts.authentication.SessionAuthentication"
