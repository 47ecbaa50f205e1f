"""Project middleware: the page language, and the client's address behind a trusted proxy."""

import ipaddress

from django.conf import settings
from django.core.exceptions import BadRequest, ImproperlyConfigured
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header


class PersianFirstLocaleMiddleware(LocaleMiddleware):
    """Persian first: a page's language is the user's explicit choice (the language cookie set by the
    switch), otherwise Persian — never the browser's Accept-Language, which on customs workstations is
    often English by accident.

    The API (``/api/``) is called by programs: an integration client or a camera has a token, no cookie,
    and says what it reads with ``Accept-Language``, as the schema promises (messages "in the request's
    language"). There the header, when it names a language the site offers, wins over the cookie (Swagger
    UI or a script that kept the pages' cookie: what the request itself asks for); without one, the cookie,
    then Persian. A user's stored language (``User.language``) is for their e-mails, not for answers."""

    def process_request(self, request):
        language = None
        if request.path_info.startswith("/api/"):
            language = _offered_in_header(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        if language is None:
            language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _offered_in_header(header: str) -> str | None:
    """The first language of an ``Accept-Language`` header (in its own order of preference) that the site
    offers, ``en-US`` read as ``en``; None when it names none (``*``, ``de``, absent or malformed)."""
    for code, _quality in parse_accept_lang_header(header):  # Django cuts a long header to a bounded length
        if code == "*":
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def parse_networks(values, setting: str = "TRUSTED_PROXIES") -> tuple:
    """A setting's entries (addresses or CIDR networks) as networks; a bad entry fails at start."""
    try:
        return tuple(ipaddress.ip_network(str(v).strip(), strict=False) for v in values if str(v).strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{setting}: {exc}") from exc


# Set in request.META when an X-Forwarded-For came from a peer not in TRUSTED_PROXIES: the header is
# dropped, and the peer's address is then no client's address (core.health lets no such request in
# by its address).
UNTRUSTED_FORWARD = "transit_monitor.untrusted_forward"


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """The client's address in ``REMOTE_ADDR``, whoever stands in between.

    Behind the shipped nginx every request comes from nginx's address, so the login lock-out
    (django-axes) and the audit trail would see one client. ``X-Forwarded-For`` is believed only
    when the connecting peer is one of ``TRUSTED_PROXIES``; it is then read from the right (what
    our proxy appended) past any further trusted proxies, so addresses a client wrote into the
    header itself are never taken. From any other peer the header is dropped, so nothing
    downstream (auditlog reads it) can be fooled either.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = parse_networks(settings.TRUSTED_PROXIES)

    def _is_trusted(self, address) -> bool:
        return address is not None and any(address in net for net in self.trusted)

    def __call__(self, request):
        meta = request.META
        forwarded = meta.pop("HTTP_X_FORWARDED_FOR", "")
        peer = _address(meta.get("REMOTE_ADDR", ""))
        if forwarded and self._is_trusted(peer):
            for hop in reversed(forwarded.split(",")):
                address = _address(hop)
                if address is None:
                    break  # garbage beyond this point came from the client: keep the last trusted hop
                meta["REMOTE_ADDR"] = str(address)
                if not self._is_trusted(address):
                    break
        elif forwarded:
            meta[UNTRUSTED_FORWARD] = True
        return self.get_response(request)


class RejectNulMiddleware:
    """400 for a NUL character (``\\x00``) in the path, the query string or form fields.

    No field of this app may hold one, PostgreSQL refuses them in text (the query raises, a 500),
    and only fuzzers and attackers send them. Uploaded files' content is not looked at; JSON
    bodies are checked by their serializers (DRF's CharField refuses NUL).
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = self._nul_in(request)
        if name is not None:
            refused = BadRequest(
                _("“%(name)s” contains a NUL character (\\x00), which no field accepts.") % {"name": name}
            )
            refused.field = "" if name == _("the address") else name  # type: ignore[attr-defined]  # the API's error body names it
            raise refused
        return self.get_response(request)

    def _nul_in(self, request) -> str | None:
        if "\x00" in request.path:
            return _("the address")
        sources = [request.GET]
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    return key.replace("\x00", "") or "?"
        return None


class NoStoreForUsersMiddleware:
    """``Cache-Control: no-store`` on every answer to someone logged in (pages, API JSON, files).

    Customs workstations are shared: a declaration page or an export must not stay in the
    browser's cache for the next person. A session user or an API token (DRF sets
    ``request.user`` on the underlying request when it authenticates) both count; an answer to an
    anonymous request (the login page) keeps whatever it set, and static files never reach here
    (WhiteNoise answers them first, with their long cache).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or "HTTP_AUTHORIZATION" in request.META:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
            response.headers.pop("Expires", None)
        return response


class MethodNotAllowedPageMiddleware:
    """A 405 on a page in the app's layout, in the user's language, with a way back.

    ``require_POST`` answers an address opened the wrong way (a form's address from a bookmark, the
    browser's history or a pasted link) with an empty body: a blank white page. The page says that
    this address only takes its form, that nothing changed, and links back; the ``Allow`` header
    stays. The API keeps DRF's JSON answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith("/api/") or getattr(response, "streaming", False):
            return response
        if response.content:
            return response
        page = render(request, "405.html", {}, status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
