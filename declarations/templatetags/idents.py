"""Template filters for identifiers, isolated from the right-to-left text around them (a builtin).

``{{ d.serial|serial }}``, ``{{ d.vehicle|plate }}`` (or ``{{ text|plate:country }}``),
``{{ d.waybill_no|waybill }}``, ``{{ d.mrn|mrn }}``, ``{{ d.container_numbers|container }}``,
``{{ driver.national_id|person_id }}``, ``{{ values|goods_serial }}``, ``{{ read.camera|camera }}``:
see ``declarations/idents.py`` for the rules.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeData

from core import text
from core.api import field_label
from declarations import idents
from declarations.creation import source_ref_display, status_source_ref_display
from declarations.units import unit_shown

register = template.Library()


@register.filter
def serial(value):
    return idents.serial_html(value)


@register.filter
def plate(value, country=""):
    return idents.plate_html(value, country or "")


@register.filter
def waybill(value):
    return idents.waybill_html(value)


@register.filter
def mrn(value):
    return idents.mrn_html(value)


@register.filter
def container(value):
    return idents.container_html(value)


@register.filter
def letter_number(value):
    """A follow-up letter's number: Latin digits beside an office code, else the page's (``idents.letter_number_shown``)."""
    return idents.letter_number_html(value)


@register.filter
def case_number_text(value):
    """A judicial case's file number as plain text between isolates (a page's title)."""
    return idents.case_number_text(value)


@register.filter
def letter_number_text(value):
    """The same, as plain isolated text (a page's title)."""
    return idents.letter_number_text(value)


@register.filter
def case_number(value):
    """A judicial case's file number, its digits as typed (``1405-BZG-77``, ``ک/۱۴۰۵/۱۲``)."""
    return idents.case_number_html(value)


@register.filter
def camera(value):
    """A plate-reader camera (or its code): ``BZG-CAM-01`` left to right in a Persian line."""
    return idents.camera_html(value)


@register.filter
def person_id(value):
    return idents.person_id_html(value)


@register.filter
def goods_serial(value):
    """A goods serial / IMEI / tracking ID, or a list of them."""
    return idents.goods_serial_html(value)


@register.filter
def person(user):
    """A user's full name, else their username, isolated: a Latin username or a name in the other
    script must not reorder the dates and separators beside it."""
    if not user:
        return ""
    return format_html("<bdi>{}</bdi>", user.get_full_name() or user.username)


@register.filter
def person_text(user):
    """The same name as plain text between Unicode isolates (its own direction): for a title or other
    attribute, where a tag would be shown as typed."""
    if not user:
        return ""
    return text.isolate(user.get_full_name() or user.username, "auto")


@register.filter
def plate_text(value, country=""):
    """The plate as plain text between Unicode isolates: for a <title> or an attribute, where no tag goes."""
    return idents.plate_text(value, country or "")


@register.filter
def isolate(value):
    """Plain text between Unicode isolates, left to right (a serial in a <title>)."""
    return text.isolate("" if value is None else str(value))


@register.filter
def held(value):
    """Plain text whose identifiers are between isolates (``idents.serial_text`` …: an audit entry's subject,
    a change's line), escaped, each identifier in a ``.ident`` span, held on one line as the ``serial``
    filter's is (``1405-ANZ-00003891`` never broken at a hyphen). Markup already made safe (a timeline entry
    written with the identifier filters) is shown as it is."""
    if isinstance(value, SafeData):
        return value
    return idents.held_html("" if value is None else str(value))


@register.filter
def token_start(value):
    return idents.token_start_html(value)


@register.filter
def hs_code(value):
    return idents.hs_code_html(value)


@register.filter
def goods_unit(value):
    """A goods line's unit in the page's language («pairs» for «جفت»), isolated (``units.unit_shown``)."""
    return format_html("<bdi>{}</bdi>", unit_shown(value)) if value else ""


@register.filter
def column_label(name):
    """An import's column (``serial``, ``hs_code``) in the reader's words, as the API's errors name it
    (``core.api.field_label``): «شماره سریال», «کد تعرفه (HS)»."""
    return field_label(str(name))


@register.filter
def source_ref(value):
    """A status source's reference in the page's language (an import batch named in its words)."""
    return source_ref_display(value)


@register.filter
def status_source_ref(declaration):
    """The reference of the declaration's status source, unless it only repeats the source's name."""
    return status_source_ref_display(declaration.status_source, declaration.status_source_ref)


@register.simple_tag
def list_sep():
    """Between the items of a list on a page: «، » on Persian pages, ", " on English ones."""
    return idents.list_separator()


@register.filter
def join_list(values):
    """A list's items joined by the page language's separator (``list_sep``)."""
    return idents.list_separator().join(str(v) for v in values)
