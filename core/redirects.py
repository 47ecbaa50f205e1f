"""Where a form sends its user back to (``next``): a path on this site only, never another host."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request, value: str | None) -> str:
    """``value`` when it is a path on this site ("/…", not "//host"), else ''."""
    value = (value or "").strip()
    if not value.startswith("/") or not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value
