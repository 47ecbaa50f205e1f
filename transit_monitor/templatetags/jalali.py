"""Template filters for Jalali dates and Persian digits (a builtin, no {% load %} needed)."""

from django import template
from django.utils import translation

from transit_monitor import dates

register = template.Library()


def _persian() -> bool:
    return (translation.get_language() or "fa").startswith("fa")


@register.filter
def jdate(value, with_time=True):
    """Jalali date (and time) in Tehran; Persian digits when the page is Persian."""
    return dates.format_jalali(value, with_time=bool(with_time), persian=_persian())


@register.filter
def jday(value):
    return dates.format_jalali(value, with_time=False, persian=_persian())


@register.filter
def fa(value):
    """Digits in the page's script."""
    if value is None:
        return ""
    return dates.persian_digits(value) if _persian() else str(value)
