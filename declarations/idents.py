"""How identifiers are shown: serials, plates, waybills, MRNs and container numbers.

One helper per kind, so that every page, letter, PDF and spreadsheet shows an identifier the
same way, isolated from the right-to-left text around it:

- pages and PDFs: the template filters ``serial``, ``plate``, ``waybill``, ``mrn``,
  ``container``, ``letter_number``, ``case_number`` and ``camera`` (``declarations/templatetags/idents.py``, builtins) give
  ``<bdi dir="ltr" class="ident ident-serial">1404-BZG-00010056</bdi>``; WeasyPrint ignores
  a bare ``<bdi>`` but honours its ``dir``, so the PDF templates use the same filters;
- plain text (a letter's subject and body, which are stored and edited as text, and drawn in
  its PDF): ``serial_text`` … put the identifier between Unicode isolates (LRI … PDI);
- XLSX: cells stay plain text, as a machine reads them; ``XLSX_LTR`` is the cell alignment
  that lays them out left to right in a right-to-left sheet (``xlsx_ltr_cells``); a plate is written as
  the pages show it, an Iranian one read right to left (``xlsx_plate_cell``).

Digits: identifiers written in Latin letters (serials, waybills, MRNs, container numbers,
foreign plates) and HS codes keep Latin digits, as issued and as typed into a search. Iranian plates are
shown in their Persian form with Persian digits (``۳۶ ت ۵۶۳ - ایران ۵۸``), isolated as
right-to-left text, so that they read in the order they are spoken, in every language. A judicial
case's file number keeps the digits it was typed with (``1405-BZG-77``, ``ک/۱۴۰۵/۱۲``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from core.dates import ascii_digits, persian_digits
from core.text import ISOLATE_MARKS, LRI, PDI, RLI, digits, is_persian, isolate, unbreakable

from .plates import IRANIAN_RE, PARTIAL_RE, PLATE_LETTERS, normalise_text

KINDS = ("serial", "plate", "waybill", "mrn", "container", "goods", "hs", "letter", "case", "camera")
# Reading order of an XLSX cell (openpyxl ``Alignment`` keywords): 1 is left to right, 2 right to left.
XLSX_LTR = {"horizontal": "left", "readingOrder": 1}
XLSX_RTL = {"horizontal": "right", "readingOrder": 2}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


# --- plates -------------------------------------------------------------------------------------


def _plate_parts(plate) -> tuple[str, str]:
    """(text, country) of a Vehicle, a PlateRead, or a plate string."""
    if hasattr(plate, "plate") and not isinstance(plate, str):
        text = plate.plate or getattr(plate, "display_text", "")
        country = getattr(plate, "country", "") or ""
        return _text(text), country
    return _text(plate), ""


def is_partial_plate(text: str) -> bool:
    """A plate of the standard layout read in part (``PlateRead.ocr_partial``: "?" for each place not read)."""
    return "?" in text and bool(PARTIAL_RE.match(text))


def is_iranian_plate(text: str, country: str = "") -> bool:
    """Iranian if its nationality says so, or (nationality unknown) if it has a Persian letter or is a
    standard plate read in part."""
    if country:
        return country.upper() == "IR"
    if is_partial_plate(text):
        return True
    return any(ch in PLATE_LETTERS for ch in normalise_text(text)) if text else False


def plate_display(plate, country: str = "") -> str:
    """``۳۶ ت ۵۶۳ - ایران ۵۸`` for an Iranian plate (a canonical one in its Persian form, any other
    text with Persian digits); a foreign plate as written, in Latin letters and digits, with its country when
    known (``34ABC123 (TR)``: the same text is a different truck in another country)."""
    text, own_country = _plate_parts(plate)
    country = country or own_country
    if not text:
        return ""
    if not is_iranian_plate(text, country):
        return f"{text} ({country.upper()})" if country else text
    m = IRANIAN_RE.match(text) or (PARTIAL_RE.match(text) if is_partial_plate(text) else None)
    if m:
        text = f"{m[1]} {m[2]} {m[3]} - ایران {m[4]}"
    return persian_digits(text).replace("?", "؟")  # a place of a plate read in part that was not read


def plate_direction(plate, country: str = "") -> str:
    text, own_country = _plate_parts(plate)
    return "rtl" if is_iranian_plate(text, country or own_country) else "ltr"


# --- plain text (letters, PDFs drawn from text) ---------------------------------------------------


def serial_text(value) -> str:
    return isolate(_text(value))


def goods_serial_text(value) -> str:
    """A goods serial, IMEI or tracking ID as plain text between Unicode isolates (``goods_serial_html``'s)."""
    return isolate(_text(value))


def waybill_text(value) -> str:
    return isolate(_text(value))


def mrn_text(value) -> str:
    return isolate(_text(value))


def list_separator() -> str:
    """Between the items of a list in a sentence: the Persian comma on Persian pages, ", " on English ones."""
    return "، " if is_persian() else ", "


def container_text(value) -> str:
    if isinstance(value, list | tuple):
        return list_separator().join(isolate(_text(v)) for v in value if _text(v))
    return isolate(_text(value))


def plate_text(plate, country: str = "", *, nowrap: bool = False) -> str:
    """The plate between isolates; ``nowrap``: also held on one line (a message or an error, whose text
    no style reaches as ``.ident`` does on a page)."""
    shown = plate_display(plate, country)
    return isolate(unbreakable(shown) if nowrap else shown, plate_direction(plate, country))


def letter_number_shown(value) -> str:
    """A follow-up letter's number (``SRJN/1405/12``, ``ب/1405/12``, or another office's reply number as typed)
    as shown: one with Latin letters (an office code) is an identifier kept as issued, Latin digits and all,
    as a serial or a case number is («BZG/۱۴۰۵/۴» is a number no one issued and no search finds); one
    without (``ب/1405/12``, ``1405/12``) takes the digits of the language it is shown in, as the seed letters
    write ``۱۴۰۴/۱۲۳۴۵``."""
    text = _text(value)
    return text if any("a" <= ch.lower() <= "z" for ch in text) else digits(text)


def letter_number_direction(value) -> str:
    """A number whose letters are Persian (``ب/1405/12``) reads right to left, its letters first; else left to
    right, as issued."""
    return "rtl" if any("\u0600" <= ch <= "\u06ff" and not ch.isdigit() for ch in _text(value)) else "ltr"


def letter_number_text(value) -> str:
    """``letter_number_shown``, isolated."""
    return isolate(letter_number_shown(value), letter_number_direction(value))


def camera_code(value) -> str:
    """A plate-reader camera's code (``BZG-CAM-01``) of a ``Camera`` or as text."""
    return _text(getattr(value, "code", value))


def camera_text(value) -> str:
    """A camera's code, Latin as the camera sends it, isolated left to right in a sentence."""
    return isolate(camera_code(value))


def case_number_shown(value) -> str:
    """A judicial case's file number as shown, by the letter numbers' rule: one with Latin letters
    (``1405-BZG-77``) is kept as issued, Latin digits and all (turned Persian it read «۱۴۰۵-BZG-۷۷», a number no
    court wrote); one without (``9876/1405``, ``ک/1405/12``: stored in Latin digits whatever was typed) takes the
    digits of the language it is shown in, as the court writes it."""
    return letter_number_shown(value)


def case_number_text(value) -> str:
    """``case_number_shown`` isolated, so that its letters and separators keep their order."""
    return isolate(case_number_shown(value))


# --- HTML (pages and PDF templates) -------------------------------------------------------------


def ident_html(kind: str, text: str, direction: str = "ltr"):
    """``<bdi dir="ltr" class="ident ident-serial">…</bdi>``, escaped; "" for an empty value."""
    if not text:
        return ""
    return format_html('<bdi dir="{}" class="ident ident-{}">{}</bdi>', direction, kind, text)


# Right to left, only an Iranian plate («… - ایران ۵۵»): an office's name is isolated too but may wrap.
_HELD = re.compile(f"{LRI}[^{ISOLATE_MARKS}]*{PDI}|{RLI}[^{ISOLATE_MARKS}]* - ایران [^{ISOLATE_MARKS}]*{PDI}")


def held_html(text: str):
    """``text`` escaped, each identifier in it between isolates (``serial_text``, ``waybill_text``,
    ``camera_text`` … left to right, ``plate_text`` of an Iranian plate right to left) in a
    ``<span class="ident">``, which holds it on one line: a plate broken after its hyphen put «ایران ۵۵» at the
    start of the next line, read before the rest of the plate."""
    parts, at = [], 0
    for m in _HELD.finditer(text):
        parts.append(conditional_escape(text[at : m.start()]))
        parts.append(format_html('<span class="ident">{}</span>', m[0]))
        at = m.end()
    parts.append(conditional_escape(text[at:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


def serial_html(value):
    return ident_html("serial", _text(value))


def waybill_html(value):
    return ident_html("waybill", _text(value))


def mrn_html(value):
    return ident_html("mrn", _text(value))


def container_html(value):
    values: Iterable = value if isinstance(value, list | tuple) else [value]
    return format_html_join(list_separator(), "{}", ((ident_html("container", _text(v)),) for v in values if _text(v)))


def goods_serial_html(value):
    """A goods serial, IMEI or tracking ID (or a list of them), each isolated left to right."""
    values: Iterable = value if isinstance(value, list | tuple) else [value]
    return format_html_join(list_separator(), "{}", ((ident_html("goods", _text(v)),) for v in values if _text(v)))


def hs_code_shown(value) -> str:
    """An HS code (``847130``) in Latin digits, whatever digits it was typed with: a code, read and searched as
    the XLSX export gives it and as the serial, waybill and MRN beside it («۸۴۱۸۱۰۰۰» on a Persian page was a
    number no tariff book prints)."""
    return ascii_digits(_text(value))


def hs_code_text(value) -> str:
    """An HS code (``hs_code_shown``) isolated left to right in a sentence (a message naming a prefix)."""
    return isolate(hs_code_shown(value))


def hs_code_html(value):
    """An HS code isolated left to right in Latin digits (``hs_code_shown``), as every identifier on a page."""
    return ident_html("hs", hs_code_shown(value))


def plate_html(plate, country: str = ""):
    return ident_html("plate", plate_display(plate, country), plate_direction(plate, country))


def letter_number_html(value):
    return ident_html("letter", letter_number_shown(value), letter_number_direction(value))


def case_number_html(value):
    """A judicial case's file number (see ``case_number_shown``), isolated left to right."""
    return ident_html("case", case_number_shown(value))


def camera_html(value):
    """A plate-reader camera's code (a ``Camera`` or its code), left to right as the camera sends it."""
    return ident_html("camera", camera_code(value))


def token_start_html(value):
    """The first characters of a secret token (a camera's ``token_prefix``), then «…»: isolated left to right,
    or its neutral characters (``_``, ``-``) run to the other end on a Persian page («_7BpJxcd»)."""
    text = _text(value)
    return ident_html("token", f"{text}…") if text else ""


def person_id_html(value):
    """A person's identifier (national ID, legal-entity ID, foreign-national number, postal code):
    Latin digits as issued and typed into a search, left to right."""
    return ident_html("person", _text(value))


# --- XLSX -----------------------------------------------------------------------------------------


def xlsx_ltr_cells(sheet, row: list, columns: Iterable[int]) -> list:
    """``row`` for openpyxl's write-only ``sheet.append``, the identifiers at ``columns`` in cells
    that read left to right; their values stay plain text (no isolate marks for a machine to trip on)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    alignment = _xlsx_alignment(Alignment)
    out = list(row)
    for i in columns:
        if out[i] not in (None, ""):
            cell = WriteOnlyCell(sheet, value=out[i])
            cell.alignment = alignment
            out[i] = cell
    return out


def xlsx_plate_cell(sheet, plate, country: str = ""):
    """A plate for openpyxl's write-only ``sheet.append`` as the pages show it (``plate_display``): an
    Iranian plate in its Persian form in a text cell that reads right to left, in the order it is spoken
    (``۹۵ م ۴۸۱ - ایران ۵۹``), in either sheet direction; a foreign plate as written, left to right. No
    isolate marks: the cell's reading order isolates it. An empty plate stays an empty cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    shown = plate_display(plate, country)
    if not shown:
        return ""
    cell = WriteOnlyCell(sheet, value=shown)
    cell.data_type = "s"  # text, whatever it looks like
    rtl = plate_direction(plate, country) == "rtl"
    cell.alignment = _xlsx_alignment(Alignment, rtl=rtl)
    return cell


_ALIGNMENT: dict[bool, object] = {}


def _xlsx_alignment(alignment_class, *, rtl: bool = False):
    if rtl not in _ALIGNMENT:
        _ALIGNMENT[rtl] = alignment_class(**(XLSX_RTL if rtl else XLSX_LTR))
    return _ALIGNMENT[rtl]
