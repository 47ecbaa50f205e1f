"""Plate text: one place that normalises and parses every plate we store.

Iranian plates are written canonically as on the ANPR labels, e.g. ``59د16913``:
two digits, the series letter, three digits, then the two-digit region code,
ASCII digits, no spaces. الف is written ``ا``. Foreign plates are Latin
letters and digits, upper case, no separators, with their country kept apart
(ISO 3166-1 alpha-2).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from core.text import format_number, isolate

# Series letters in use on Iranian plates (الف as ا; D and S are diplomatic/service).
PLATE_LETTERS = "ابپتثجدزژسشصطعفقکگلمنوهی"
LATIN_PLATE_LETTERS = "DS"
ALL_PLATE_LETTERS = PLATE_LETTERS + LATIN_PLATE_LETTERS

# Digits of every script we meet (Persian, Arabic-Indic) mapped to ASCII.
_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
# Arabic letter variants and presentation forms typed or OCR'd for Persian letters.
_LETTER_VARIANTS = {
    "ي": "ی",
    "ى": "ی",
    "ئ": "ی",
    "ك": "ک",
    "ة": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ؤ": "و",
}
# Word forms that appear instead of a single letter on labels and in ICS exports.
_LETTER_WORDS = {"الف": "ا", "ALEF": "ا", "معلولین": "ژ", "ژ": "ژ"}
_SEPARATORS = re.compile(r"[\s\-_.|/\\,:ـ\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]+")

IRANIAN_RE = re.compile(rf"^(\d{{2}})([{ALL_PLATE_LETTERS}])(\d{{3}})(\d{{2}})$")
# A plate of the standard layout read in part ("59?169??", the reader's steady places): "?" for each other place.
PARTIAL_RE = re.compile(rf"^([\d?]{{2}})([{ALL_PLATE_LETTERS}?])([\d?]{{3}})([\d?]{{2}})$")
# Some exports put the region first ("13 59د169"), or write "ایران 13".
_REGION_FIRST_RE = re.compile(rf"^(\d{{2}})(\d{{2}})([{ALL_PLATE_LETTERS}])(\d{{3}})$")
FOREIGN_RE = re.compile(r"^[A-Z0-9]{2,12}$")
# The digit groups of a standard Iranian plate, as places of its canonical text: the two digits (10–99), the
# three digits (100–999) and the region code under «ایران» (10–99). None begins with 0 (no plate is issued
# so): the reader's grammar (``anpr.recognition.decode``) never reads a 0 there and a person's reading
# (``iranian_group_error``) is refused one. (name, first place, last place + 1).
IRANIAN_GROUPS = (("two", 0, 2), ("three", 3, 6), ("province", 6, 8))
NONZERO_PLACES = tuple(start for _, start, _ in IRANIAN_GROUPS)


class PlateError(ValueError):
    """Raised with a message that names what is wrong with a plate, in the active language."""


def typed(text) -> str:
    """What was typed for a plate, between isolates: right to left when it holds a Persian letter, left to
    right otherwise (Persian digits are no letter: «AB-۱۲-?» keeps its order)."""
    shown = str(text)[:60]
    rtl = any(unicodedata.bidirectional(ch) in ("AL", "R") for ch in shown)
    return isolate(shown, "rtl" if rtl else "ltr")


@lru_cache(maxsize=65_536)  # a camera batch normalises each plate several times; pure function
def normalise_text(text: str) -> str:
    """Digits to ASCII, letter variants to Persian, separators and marks removed."""
    if text is None:
        raise PlateError(_("the plate is empty"))
    s = unicodedata.normalize("NFKC", str(text)).translate(_DIGITS)
    for word, letter in _LETTER_WORDS.items():
        s = s.replace(word, letter)
    s = "".join(_LETTER_VARIANTS.get(ch, ch) for ch in s)
    s = s.replace("ایران", "").replace("IRAN", "").replace("I.R.", "")
    s = _SEPARATORS.sub("", s)
    return s.upper()


@dataclass(frozen=True)
class Plate:
    text: str  # canonical form
    country: str  # ISO alpha-2; "IR" for Iranian plates

    @property
    def is_iranian(self) -> bool:
        return self.country == "IR"

    def display(self) -> str:
        """Human form for Iranian plates: ``59 د 169 - ایران 13``."""
        if not self.is_iranian:
            return self.text
        m = IRANIAN_RE.match(self.text)
        assert m
        return f"{m[1]} {m[2]} {m[3]} - ایران {m[4]}"


def parse_iranian(text: str) -> Plate:
    s = normalise_text(text)
    m = IRANIAN_RE.match(s)
    if not m:
        r = _REGION_FIRST_RE.match(s)
        if r:
            return Plate(f"{r[2]}{r[3]}{r[4]}{r[1]}", "IR")
        raise PlateError(
            _("%(text)s is not an Iranian plate (expected 2 digits, a letter, 3 digits and a 2-digit region)")
            % {"text": typed(text)}
        )
    return Plate(s, "IR")


def iranian_group_error(name: str, digits: str) -> str:
    """Why ``digits`` (ASCII) cannot be the group ``name`` of ``IRANIAN_GROUPS`` of a real plate, naming the
    group and its range; '' when it can (or is not all digits: the shape is checked elsewhere)."""
    if not digits.isascii() or not digits.isdigit() or not digits.startswith("0"):
        return ""
    low, high = 10 ** (len(digits) - 1), 10 ** len(digits) - 1
    messages = {
        "two": _(
            "The two digits on the left of the plate run from %(low)s to %(high)s: they never begin with %(zero)s."
        ),
        "three": _("The three digits after the letter run from %(low)s to %(high)s: they never begin with %(zero)s."),
        "province": _("The province code under «ایران» runs from %(low)s to %(high)s: it never begins with %(zero)s."),
    }
    n = {"low": low, "high": high, "zero": 0}
    return messages[name] % {k: format_number(v, group=False) for k, v in n.items()}


def iranian_plate_error(text: str) -> tuple[str, str]:
    """(group name, message) of the first group of the canonical Iranian plate ``text`` no real plate has (one
    beginning with 0); ('', '') when every group can be."""
    if IRANIAN_RE.match(text):
        for name, start, end in IRANIAN_GROUPS:
            if message := iranian_group_error(name, text[start:end]):
                return name, message
    return "", ""


def parse_foreign(text: str, country: str) -> Plate:
    country = (country or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country) or country == "IR":
        raise PlateError(
            _("%(country)s is not a foreign country code (ISO 3166-1 alpha-2)") % {"country": typed(country)}
        )
    s = normalise_text(text)
    if not FOREIGN_RE.match(s):
        raise PlateError(_("%(text)s is not a foreign plate (2–12 Latin letters and digits)") % {"text": typed(text)})
    return Plate(s, country)


def parse_plate(text: str, country: str = "IR") -> Plate:
    """Parse a plate of the given nationality; raise PlateError naming the problem."""
    if not country or country.upper() == "IR":
        return parse_iranian(text)
    return parse_foreign(text, country)


def canonical_plate(text: str, country: str = "IR") -> str:
    return parse_plate(text, country).text


def guess_plate(text: str) -> Plate:
    """Parse text of unknown nationality (a search box, a camera read): Iranian if it fits."""
    s = normalise_text(text)
    if any(ch in PLATE_LETTERS for ch in s):
        return parse_iranian(s)
    try:
        return parse_iranian(s)
    except PlateError:
        if FOREIGN_RE.match(s):
            return Plate(s, "")
        raise PlateError(_("'%(plate)s' is not a plate") % {"plate": typed(text)}) from None
