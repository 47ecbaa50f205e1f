"""Template filters for Jalali dates, Persian digits and numbers, countries by name, and text cut short without
cutting an isolated identifier (a builtin, no {% load %} needed)."""

from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join

from core import countries, dates, text

register = template.Library()


def _persian() -> bool:
    return (translation.get_language() or "fa").startswith("fa")


@register.filter
def jdate(value, with_time=True):
    """Jalali date (and time) in Tehran; Persian digits when the page is Persian."""
    return dates.format_jalali(value, with_time=bool(with_time), persian=_persian())


@register.filter
def jdate_isolated(value, with_time=True):
    """The same, isolated in the page's direction: after a name in the other script (a Persian source on an
    English page) the time no longer jumps before the date («09:35 1405/08/15»)."""
    shown = jdate(value, with_time)
    if not shown:
        return ""
    return format_html('<bdi dir="{}">{}</bdi>', "rtl" if _persian() else "ltr", shown)


@register.filter
def jday(value):
    return dates.format_jalali(value, with_time=False, persian=_persian())


@register.filter
def fa(value):
    """Digits in the page's script (Persian digits and decimal separator ٫ in Persian)."""
    return text.digits(value, persian=_persian())


@register.filter
def pct(value):
    """A percentage: ``۹۳٪`` on Persian pages, ``93%`` on English ones."""
    return text.percent(value, persian=_persian())


@register.filter
def num(value, decimals=None):
    """An amount with its thousands grouped: ``۱۱٬۲۴۰٬۰۰۰٬۰۰۰``; ``{{ v|num:2 }}`` for two decimals."""
    places = None if decimals in (None, "") else int(decimals)
    return text.format_number(value, places, persian=_persian())


@register.filter
def num_apart(value, other):
    """``value`` with the places it takes to tell it from ``other`` (``core.text.places_apart``): a scan's score
    and its threshold, each written ``{{ score|num_apart:threshold }}`` and ``{{ threshold|num_apart:score }}``,
    never the same number when they differ."""
    if value is None or value == "":
        return ""
    return text.format_number(value, text.places_apart(value, other), persian=_persian())


@register.filter
def country(code):
    """A nationality by name in the page's language («ترکیه» for ``TR``); a code with no name, isolated."""
    return countries.country_name(code)


@register.simple_tag
def date_hint():
    """The example date of a date box's placeholder (this Jalali year), in the page's digits."""
    return text.date_hint()


@register.simple_tag
def arrow():
    """→ in left-to-right text, ← in right-to-left: from one place to the next."""
    return text.arrow()


@register.filter
def route(places):
    """Office codes or names joined by the arrow of the page's direction, each isolated: Latin
    codes around a neutral arrow would otherwise be laid out left to right in a Persian line,
    the arrow pointing back to the origin."""
    return format_html_join(f" {text.arrow()} ", "<bdi>{}</bdi>", ((p,) for p in places or []))


@register.filter
def truncate_isolated(value, limit):
    """``truncatechars`` that never cuts inside an isolated identifier (``core.text.truncate_isolated``)."""
    return text.truncate_isolated("" if value is None else str(value), int(limit))
