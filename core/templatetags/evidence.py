"""Template filters for evidence files: the SHA-256 shown beside a file (builtins)."""

from django import template
from django.utils.html import format_html

register = template.Library()

SHORT = 12


@register.filter
def sha256(value):
    """A stored file's SHA-256 in short form (first 12 hex digits), the full value in its title
    (hover, or select and copy from the page), isolated left to right like an identifier."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    return format_html(
        '<bdi dir="ltr" class="ident ident-sha256 font-monospace" title="SHA-256 {}" data-sha256="{}">{}…</bdi>',
        text,
        text,
        text[:SHORT],
    )


@register.filter
def sha256_full(value):
    """The whole SHA-256, isolated left to right (an error page, a detail where there is room)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    return format_html('<bdi dir="ltr" class="ident ident-sha256 font-monospace">{}</bdi>', text)
