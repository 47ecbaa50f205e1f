"""Where a form sends its user back to (``next``): a path on this site only, never another host; and the
way to the login page (``to_login``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request, value: str | None) -> str:
    """``value`` when it is a path on this site ("/…", not "//host"), else ''."""
    value = (value or "").strip()
    if not value.startswith("/") or not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value


def to_login(request) -> HttpResponse:
    """To the login page, coming back to where the person was. A request htmx makes (a part of a page
    asking again, the bell's refresh) is answered with ``HX-Redirect``: the whole page goes to the login
    page, back to the page afterwards; a plain redirect would be followed by the browser's background
    request and the login page swapped into the part (and the message saying why shown there, unseen)."""
    if request.headers.get("HX-Request") != "true":
        return redirect_to_login(request.get_full_path())
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    back = current.path + (f"?{current.query}" if current.query else "")
    if current.netloc and current.netloc != request.get_host():  # a page of another site: the home page
        back = ""
    back = local_next(request, back) or "/"
    response = HttpResponse(status=204)
    response["HX-Redirect"] = redirect_to_login(back)["Location"]
    return response
