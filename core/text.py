"""Text in right-to-left documents: left-to-right pieces isolated, digits and numbers in Persian.

A piece such as ``1404-BZG-00010056`` inside Persian text is laid out by the Unicode
bidirectional algorithm together with its neighbours, and comes out as
``BZG-00010056-1404``. Isolated, it is laid out on its own and keeps its order: on a page
by ``<bdi dir="ltr">`` (WeasyPrint honours ``dir`` on it too), in plain text (a letter's
body, a message) by the Unicode isolates LRI/RLI … PDI.

Numbers in Persian text have Persian digits, the Persian decimal separator ٫ and, for amounts,
thousands grouped with ٬ (``digits``, ``format_number``; the ``fa`` and ``num`` filters).
Arrows between places follow the text's direction (``arrow``): ← in Persian, → in English.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from . import dates as _dates
from .dates import ascii_digits, persian_digits

LRI = "\u2066"  # left-to-right isolate
RLI = "\u2067"  # right-to-left isolate
FSI = "\u2068"  # first strong isolate: the direction of the text's first letter (a name in either script)
PDI = "\u2069"  # pop directional isolate
ISOLATE_MARKS = "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
ISOLATES = str.maketrans("", "", ISOLATE_MARKS)
ZWNJ = "\u200c"  # zero-width non-joiner, inside Persian words (می‌شود)


def isolate(text: str, direction: str = "ltr") -> str:
    """``text`` between isolate marks, so that it keeps its own order inside any paragraph; ``direction``
    ``ltr``, ``rtl`` or ``auto`` (its first letter's: a person's name, Persian or a Latin username)."""
    if not text:
        return ""
    return {"rtl": RLI, "auto": FSI}.get(direction, LRI) + text + PDI


NO_BREAK_SPACE = "\u00a0"
WORD_JOINER = "\u2060"  # no line break on either side, nothing drawn


def unbreakable(text: str) -> str:
    """``text`` held on one line wherever it falls in a paragraph (a plate in a message): its spaces made
    no-break spaces, and no break after a hyphen (``۵۶۳ - ایران``), which a no-break space alone allows."""
    return text.replace(" ", NO_BREAK_SPACE).replace("-", "-" + WORD_JOINER)


def hidden_characters(text: str) -> str:
    """The control and format characters in ``text``: direction overrides and isolates (U+202E shows what
    follows it reversed), zero-width marks. An identifier (a scanner's, a code) has none."""
    return "".join(ch for ch in text or "" if unicodedata.category(ch) in ("Cc", "Cf"))


def strip_isolates(text: str) -> str:
    """The text without isolate marks (for a search box, a comparison)."""
    return text.translate(ISOLATES)


_OPENERS = "\u2066\u2067\u2068"  # LRI, RLI, FSI: each closed by a PDI


def too_long(value: str, limit: int) -> str:
    """The one message for a text longer than ``limit`` (a form's field, a service's, an API's, an imported cell's):
    the limit, then how many characters were written, both in the page's digits; "" when it fits. It reads as
    Django's own max_length message does in Persian, limit first («حداکثر … نویسه»)."""
    if len(value) <= limit:
        return ""
    return _("At most %(limit)s characters; %(length)s were written.") % {
        "limit": format_number(limit),
        "length": format_number(len(value)),
    }


def truncate_isolated(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` in at most ``limit`` characters, an ellipsis included, as ``truncatechars`` cuts it, but never
    inside an isolated identifier (a serial, a waybill between LRI … PDI): the identifier the limit falls in is
    dropped whole, and an isolate still open around the cut (a quoted piece holding identifiers) is closed,
    so that what follows the cut text (the rest of a line it is shown in) is not laid out inside it."""
    if len(text) <= limit:
        return text
    budget = max(0, limit - len(ellipsis))
    end = budget
    while True:
        open_at: list[int] = []  # where each isolate still open at ``end`` begins, outermost first
        for i, ch in enumerate(text[:end]):
            if ch in _OPENERS:
                open_at.append(i)
            elif ch == PDI and open_at:
                open_at.pop()
        if open_at and not any(ch in _OPENERS for ch in text[open_at[-1] + 1 : end]):
            end = open_at.pop()  # the limit falls inside an identifier (no piece within it): drop it whole
        head = text[:end].rstrip()
        if len(head) + len(open_at) <= budget:
            return head + PDI * len(open_at) + ellipsis
        end = budget - len(open_at)  # room for the closing marks: cut earlier and look again


# --- digits and numbers ---------------------------------------------------------------------------

PERSIAN_DECIMAL = "\u066b"  # ٫ Arabic decimal separator, as Persian writes it
PERSIAN_THOUSANDS = "\u066c"  # ٬ Arabic thousands separator
_PERSIAN_SEPARATORS = str.maketrans({",": PERSIAN_THOUSANDS, ".": PERSIAN_DECIMAL})
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def identifier(value) -> str:
    """An identifier as stored and compared (a scanner ID, a reply letter's number, a judicial file number):
    its digits Latin whatever keyboard typed them («SC-۱» is «SC-1», «THR/1405/۷۷» «THR/1405/77»), its spaces
    single and none around it. Letters are kept as typed; a number's own comparison may ignore their case."""
    return " ".join(ascii_digits(str(value or "")).split())


def right_to_left_runs(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is a right-to-left word (Persian or Arabic letters,
    a zero-width non-joiner inside one): for a left-to-right name with such words in it (``file_name_text``)."""
    pieces: list[tuple[str, bool]] = []
    for ch in text:
        rtl = unicodedata.bidirectional(ch) in ("R", "AL") or (ch == ZWNJ and bool(pieces) and pieces[-1][1])
        if pieces and pieces[-1][1] == rtl:
            pieces[-1] = (pieces[-1][0] + ch, rtl)
        else:
            pieces.append((ch, rtl))
    return pieces


def file_name_text(name: str) -> str:
    """A file's name as plain text between isolates, left to right (an e-mail): each Persian word in it
    isolated on its own, else the digits after it count as Arabic numbers and run right to left with it
    (``…_68383ق_1405-08-16`` shown ``…_68383 16-08-1405_ق``). The page's form is the ``file_name`` filter."""
    return isolate("".join(isolate(piece, "rtl") if rtl else piece for piece, rtl in right_to_left_runs(name)))


def join_messages(messages) -> str:
    """Several errors in one line (an API's message, a file's line on the upload page): joined with the
    page's semicolon («؛ » on Persian pages, «; » on English ones), the full stop that ends one before the
    semicolon dropped, so that no «.؛» or «.;» reads between them; the last keeps its own."""
    said = [str(m).strip() for m in messages if str(m).strip()]
    if not said:
        return ""
    return ("؛ " if is_persian() else "; ").join([m.rstrip(".").rstrip() for m in said[:-1]] + said[-1:])


def is_persian() -> bool:
    """Is the active language Persian (the default outside a request, e.g. in a task)?"""
    return (translation.get_language() or settings.LANGUAGE_CODE or "fa").startswith("fa")


def headings(labels) -> list[str]:
    """A table's column headers as a file (CSV, XLSX, PDF) writes them: each label in the active language, its
    first letter a capital («serial» → «Serial»; Persian has no case), as the pages' headers show them
    (``app.css``): the msgids stay as they are, lower case where they are also words inside a sentence."""
    from django.utils.text import capfirst

    return [capfirst(str(label)) for label in labels]


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))  # str: 64.9, not the binary 64.900000000000005684…
    return None


def format_number(value, decimals: int | None = None, *, persian: bool | None = None, group: bool = True) -> str:
    """A number as Persian writes it: ``۱۱٬۲۴۰٬۰۰۰٬۰۰۰``, ``۶۴٫۹`` (thousands grouped with ٬, the
    decimal separator ٫, Persian digits); ``11,240,000,000`` and ``64.9`` in English.

    ``decimals``: that many places (rounded half up); None drops trailing zeros (820000.0000 is
    820٬000). Text that is no number is returned with its digits in the language's script."""
    persian = is_persian() if persian is None else persian
    if value is None or value == "":
        return ""
    number = _decimal(value)
    if number is None:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return digits(value, persian=persian)
    if not number.is_finite():
        return str(value)
    if decimals is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(number, ",f" if group else "f")
    if text.startswith("-") and not number:  # -0
        text = text[1:]
    return persian_digits(text.translate(_PERSIAN_SEPARATORS)) if persian else text


EMPTY = "—"  # what a page, a PDF or a cell of text writes for a value there is none of


def amount(
    value, decimals: int | None = None, *, persian: bool | None = None, group: bool = True, zero_is_none: bool = False
) -> str:
    """An amount (a weight, a value, a guarantee) as ``format_number`` writes it, «—» when there is none: None,
    empty text, and with ``zero_is_none`` 0 too (a field that stores 0 when no amount was given,
    ``stores_zero_for_none``)."""
    if value is None or value == "":
        return EMPTY
    if zero_is_none:
        try:
            number = _decimal(value) or Decimal(str(value).strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and not number:
            return EMPTY
    return format_number(value, decimals, persian=persian, group=group)


def places_apart(value, other, places: int = 4, most: int = 10) -> int:
    """How many decimal places tell ``value`` from ``other`` (a score from its threshold): at least two significant
    digits of the larger (``0.000664`` against ``0.0006``: 5, ``۰٫۰۰۰۶۶`` and ``۰٫۰۰۰۶۰``, not ``۰٫۰۰۰۷``, a
    rounding up that made one score read above what it is), at least ``places``, and more until the two, rounded
    alike, differ. Both rounded to the same places keep their order, so a score above its threshold is written
    above it."""
    try:
        a, b = Decimal(str(value)), Decimal(str(other))
    except (InvalidOperation, TypeError):
        return places
    if not (a.is_finite() and b.is_finite()):
        return places
    larger = max(abs(a), abs(b))
    start = places if not larger else max(places, min(most, 1 - larger.adjusted()))
    if a == b:
        return start
    for shown in range(start, most + 1):
        if round(a, shown) != round(b, shown):
            return shown
    return most


def stores_zero_for_none(model, name: str) -> bool:
    """Does ``model`` store 0 in its amount field ``name`` when no amount was given (its ``ZERO_IS_NONE``), so that
    0 there reads «—», as the declaration page writes it?"""
    return name in getattr(model, "ZERO_IS_NONE", ())


def digits(value, *, persian: bool | None = None) -> str:
    """The one helper for numbers inside text: in Persian, Persian digits and a decimal point
    between digits written ٫ (``۶۴٫۹``); a number (int, float, Decimal) as ``format_number``
    writes it, ungrouped (a count, a year). English text is left as it is."""
    if value is None:
        return ""
    persian = is_persian() if persian is None else persian
    if _decimal(value) is not None:
        return format_number(value, persian=persian, group=False)
    text = str(value)
    if not persian:
        return text
    if not any(ch in _OPENERS for ch in text):
        return persian_digits(_DECIMAL_POINT.sub(PERSIAN_DECIMAL, text))
    # An isolated identifier (a serial, a waybill, a value as typed) keeps its digits as issued: only the
    # text around it is the sentence's.
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            if depth == 0:
                parts.append(persian_digits(_DECIMAL_POINT.sub(PERSIAN_DECIMAL, text[start:i])))
                start = i
            depth += 1
        elif ch == PDI and depth:
            depth -= 1
            if depth == 0:
                parts.append(text[start : i + 1])
                start = i + 1
    tail = text[start:]
    parts.append(tail if depth else persian_digits(_DECIMAL_POINT.sub(PERSIAN_DECIMAL, tail)))
    return "".join(parts)


def percent(value, *, persian: bool | None = None) -> str:
    """A percentage as the text around it writes it: ``۹۳٪`` in Persian, ``93%`` in English; empty for none."""
    if value is None or value == "":
        return ""
    persian = is_persian() if persian is None else persian
    return digits(value, persian=persian) + ("٪" if persian else "%")


def arrow(*, rtl: bool | None = None) -> str:
    """The arrow from one place to the next in the reading direction: ← right to left, → left to right."""
    rtl = translation.get_language_bidi() if rtl is None else rtl
    return "←" if rtl else "→"


def _hint(example: str) -> str:
    return digits(example)


hint = lazy(_hint, str)
hint.__doc__ = """A placeholder such as ``1405/05/12 10:30``, in the digits of the page it is shown on."""


def _date_hint() -> str:
    return digits(_dates.date_example())


def _datetime_hint() -> str:
    return digits(_dates.datetime_example())


# The example date (``dates.date_example``: this Jalali year), in the page's digits, worked out when shown.
date_hint = lazy(_date_hint, str)
datetime_hint = lazy(_datetime_hint, str)


SHEET_NAME_MAX = 31  # Excel's limit on a sheet's name
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def sheet_title(text: str) -> str:
    """A spreadsheet tab's name: Excel's 31 characters, cut at a word rather than inside one (a cut word
    reads as another word in Persian), without the characters Excel refuses in a name."""
    name = " ".join(str(text).translate(_SHEET_FORBIDDEN).split())
    if len(name) <= SHEET_NAME_MAX:
        return name or "-"
    head = name[:SHEET_NAME_MAX]
    if name[SHEET_NAME_MAX] not in " ،,·-" and " " in head:  # the limit falls inside a word: drop that word
        head = head.rsplit(" ", 1)[0]
    words = head.rstrip(" ،,·-").split(" ")
    while len(words) > 1 and words[-1] in _DANGLING:  # «… دارند به» reads as a sentence cut short
        words.pop()
    return " ".join(words).rstrip(" ،,·-") or name[:SHEET_NAME_MAX]


_DANGLING = {"به", "و", "از", "در", "با", "برای", "per", "by", "of", "and", "with", "for", "to"}


# The Persian alphabet in its dictionary order (Unicode puts پ چ ژ ک گ ی after the Arabic letters), with the
# Arabic forms that name the same letter (ك ي ى ة أ إ ؤ ئ) read as their Persian one.
PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_PERSIAN_SAME = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "أ": "ا", "إ": "ا", "ؤ": "و", "ئ": "ی"})
_PERSIAN_RANK = {ch: i for i, ch in enumerate(PERSIAN_ALPHABET)}


def name_sort_key(name: str) -> tuple:
    """A key sorting names as a reader of the page expects: Persian names in the Persian alphabet's order
    (a space before any letter, a zero-width non-joiner ignored), other text after them by its case-folded
    letters (English names on an English page)."""
    key = []
    for ch in (name or "").translate(_PERSIAN_SAME).replace("\u200c", "").casefold():
        rank = _PERSIAN_RANK.get(ch)
        key.append((0, -1, "") if ch.isspace() else (1, rank, "") if rank is not None else (2, 0, ch))
    return tuple(key)


def folded(text: str) -> str:
    """``text`` as a search compares it: Arabic forms of a letter as the Persian one (ي ی, ك ک), digits of any
    script as Latin, no zero-width non-joiner, runs of spaces as one, case folded. Fold both sides."""
    return " ".join(ascii_digits((text or "").translate(_PERSIAN_SAME)).replace("\u200c", "").casefold().split())
