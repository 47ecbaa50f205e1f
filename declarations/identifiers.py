"""Check digits of the identifiers we accept: national ID, container number, MRN, IMEI; seal numbers read.

Each ``validate_*`` returns the canonical form or raises ``ValueError`` naming the problem.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from core.dates import ascii_digits
from core.text import isolate

# Seal numbers are read by one parser wherever they are typed or imported (registration, ICS import, the
# arrival form, the API): separated by commas or semicolons, Latin or Persian («،» «؛»), the import's «|»,
# spaces or new lines; digits of any script are read as ASCII digits.
SEAL_SEPARATOR = re.compile(r"[\s,;|\u060c\u061b]+")
# The longest seal number taken (the arrival API's ``seal_numbers_found`` had it first).
SEAL_MAX_LENGTH = 40
# What a seal number holds (read by ``seal_numbers``: digits already ASCII): Latin letters, digits and - / .,
# as the seals of the import files and the demo («S1234567», «S-1»); «<b>x</b>» is no seal.
SEAL_CHARACTERS = re.compile(r"[A-Za-z0-9./-]+")


def seal_character_problem(seal: str) -> str | None:
    """The first character a seal number may not hold (``SEAL_CHARACTERS``), or None."""
    return next((c for c in seal if not SEAL_CHARACTERS.fullmatch(c)), None)


def seal_numbers(values: str | Iterable[str]) -> list[str]:
    """The seal numbers in ``values`` (one text, or several, each possibly holding more than one)."""
    texts = [values] if isinstance(values, str) else list(values)
    return [s for text in texts for s in SEAL_SEPARATOR.split(ascii_digits(str(text))) if s]


_LATIN_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def permit_number(value: str) -> str:
    """A traffic permit number as stored and compared: ASCII digits (typed on a Persian keyboard,
    ``P-۱۴۰۵-77`` is ``P-1405-77``), upper-case Latin letters (``tp-6800`` is ``TP-6800``), no surrounding
    spaces, as declaration serials are."""
    return ascii_digits(str(value)).strip().translate(_LATIN_UPPER)


def typed(value) -> str:
    """The value as typed, between isolates, in a message."""
    return isolate(str(value)[:60])


def validate_national_id(value: str) -> str:
    """Iranian national ID (کد ملی): 10 digits, the last a mod-11 check digit."""
    s = re.sub(r"[\s\-]", "", ascii_digits(str(value)))
    if not re.fullmatch(r"\d{10}", s):
        raise ValueError(_("national ID %(value)s must be 10 digits.") % {"value": typed(value)})
    if len(set(s)) == 1:
        raise ValueError(_("national ID %(value)s is not valid") % {"value": typed(value)})
    total = sum(int(s[i]) * (10 - i) for i in range(9)) % 11
    check = total if total < 2 else 11 - total
    if check != int(s[9]):
        raise ValueError(_("national ID %(value)s fails its check digit") % {"value": typed(value)})
    return s


def national_id_check_digit(first9: str) -> str:
    total = sum(int(first9[i]) * (10 - i) for i in range(9)) % 11
    return str(total if total < 2 else 11 - total)


# ISO 6346 letter values skip multiples of 11.
_ISO6346 = {}
_v = 10
for _ch in string.ascii_uppercase:
    if _v % 11 == 0:
        _v += 1
    _ISO6346[_ch] = _v
    _v += 1


def iso6346_check_digit(first10: str) -> str:
    total = sum((_ISO6346[c] if c.isalpha() else int(c)) * (2**i) for i, c in enumerate(first10))
    return str(total % 11 % 10)


def validate_container_number(value: str) -> str:
    """ISO 6346: owner code (3 letters), category (U/J/Z), 6 digits, check digit."""
    s = re.sub(r"[\s\-/]", "", ascii_digits(str(value))).upper()
    if not re.fullmatch(r"[A-Z]{3}[UJZ]\d{7}", s):
        raise ValueError(_("container number %(value)s is not of the form ABCU1234560") % {"value": typed(value)})
    if iso6346_check_digit(s[:10]) != s[10]:
        raise ValueError(_("container number %(value)s fails its check digit") % {"value": typed(value)})
    return s


def _mrn_value(c: str) -> int:
    # Same letter values as ISO 6346 (ISO 6346 table, used by NCTS for the MRN check character).
    return _ISO6346[c] if c.isalpha() else int(c)


def mrn_check_character(first17: str) -> str:
    total = sum(_mrn_value(c) * (2**i) for i, c in enumerate(first17))
    return str(total % 11 % 10)


def validate_mrn(value: str) -> str:
    """NCTS/eTIR movement reference number: 18 characters, 2-digit year, country, check character."""
    s = re.sub(r"\s", "", ascii_digits(str(value))).upper()
    if not re.fullmatch(r"\d{2}[A-Z]{2}[A-Z0-9]{14}", s):
        raise ValueError(
            _("MRN %(value)s must be 18 characters: year, country code, 13 characters, check") % {"value": typed(value)}
        )
    if mrn_check_character(s[:17]) != s[17]:
        raise ValueError(_("MRN %(value)s fails its check character") % {"value": typed(value)})
    return s


def luhn_check_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


SERIAL_CHARS = re.compile(r"[A-Za-z0-9/._\- ]+")


def serial_problem(value: str) -> str | None:
    """Why a goods serial, IMEI or tracking ID cannot be one (a character no maker prints: a quote, a
    bracket, a Persian letter), or None. Spaces and dashes are allowed, as typed; they are not compared."""
    if SERIAL_CHARS.fullmatch(ascii_digits(str(value))):
        return None
    return _("%(value)s is not a serial: Latin letters, digits, / . _ - only.") % {"value": isolate(str(value)[:60])}


def serial_key(value: str) -> str:
    """A goods serial or IMEI as compared: ASCII digits, no spaces or dashes, upper case (``35-209900…`` and
    ``35209900…`` are one IMEI)."""
    return re.sub(r"[\s\-]", "", ascii_digits(str(value))).upper()


def repeated_serial(lines: Iterable[tuple[Any, list[str]]]) -> tuple[str, Any, Any] | None:
    """The first goods serial or IMEI given twice in one declaration, compared by ``serial_key``: ``(value as
    typed the second time, the line it was first on, the line it is on again)``, each line as the caller
    names it (its number, its form); None when each is given once. ``lines``: ``(line, its values)``."""
    first: dict[str, Any] = {}
    for line, values in lines:
        for value in values:
            key = serial_key(value)
            if key in first:
                return value, first[key], line
            first[key] = line
    return None


def is_imei_shaped(value: str) -> bool:
    """15 digits (in any script), whatever its check digit."""
    return bool(re.fullmatch(r"\d{15}", ascii_digits(str(value)).strip()))


def imei_problem(value: str) -> str | None:
    """Why a goods serial that claims to be an IMEI is not one, or None if it is valid."""
    s = ascii_digits(str(value)).strip()
    if not is_imei_shaped(s):
        return _("IMEI %(value)s is not 15 digits") % {"value": typed(value)}
    if luhn_check_digit(s[:14]) != s[14]:
        return _("IMEI %(value)s fails its check digit") % {"value": typed(value)}
    return None


def validate_imei(value: str) -> str:
    problem = imei_problem(value)
    if problem:
        raise ValueError(problem)
    return ascii_digits(str(value)).strip()
