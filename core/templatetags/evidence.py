"""Template filters for evidence files: the SHA-256 shown beside a file, a file's name (builtins)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from core.text import right_to_left_runs

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


@register.filter
def file_name(value) -> SafeString | str:
    """A file's name (an export's), isolated left to right like an identifier, each Persian word in it
    isolated on its own (``core.text.file_name_text``: digits after a Persian letter would otherwise run
    right to left with it). Never ``<bdo>``: forced left to right, a Persian word's letters are reversed."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    inner = format_html_join(
        "",
        "{}",
        ((format_html('<bdi dir="rtl">{}</bdi>', piece) if rtl else piece,) for piece, rtl in right_to_left_runs(text)),
    )
    return format_html('<bdi dir="ltr" class="ident ident-file">{}</bdi>', inner)
