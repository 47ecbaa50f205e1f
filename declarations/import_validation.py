"""Validating export rows into canonical declarations (``Parsed``); each row costs no query."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import CustomsOffice
from core.countries import is_country
from core.dates import CLOCK_SKEW, EARLIEST, ascii_digits, format_jalali, parse_datetime_any, persian_digits
from core.text import identifier, is_persian, too_long

from . import identifiers, idents, plates
from .identifiers import typed
from .models import (
    Driver,
    GoodsItem,
    GoodsSerial,
    RouteTimeLimit,
    Status,
    TransitDeclaration,
    TransportCompany,
    UnsettledReason,
)

LIST_SEPARATOR = re.compile(r"[|;،]")
SERIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-]{3,31}$")
# Column -> the model field it is stored in: a longer text or a number that does not fit is
# rejected naming the column and the limit, never cut or rounded.
STORED_IN = {
    "trailer_plate": (TransitDeclaration, "trailer_plate"),
    "driver_name": (Driver, "name"),
    "driver_passport": (Driver, "passport_no"),
    "company_name": (TransportCompany, "name"),
    "company_reg_no": (TransportCompany, "registration_no"),
    "waybill_no": (TransitDeclaration, "waybill_no"),
    "guarantee_ref": (TransitDeclaration, "guarantee_ref"),
    "guarantee_amount": (TransitDeclaration, "guarantee_amount"),
    "unsettled_note": (TransitDeclaration, "unsettled_note"),
    "description": (GoodsItem, "description"),
    "unit": (GoodsItem, "unit"),
    "quantity": (GoodsItem, "quantity"),
    "gross_weight_kg": (GoodsItem, "gross_weight_kg"),
    "value": (GoodsItem, "value"),
    "goods_serials": (GoodsSerial, "value"),
}
MAX_LINE_NO = 32767  # PositiveSmallIntegerField


class RowInvalid(Exception):
    """A refused row. ``errors`` holds each problem as (column, message), in the columns' order: a check of one
    column raises with its one; ``Validator.declaration`` with every bad column of the record, so that a row
    with seven wrong values is corrected once, not seven times. ``field`` and ``message`` are the first."""

    def __init__(
        self,
        field_name: str,
        message: str,
        *,
        errors: list[tuple[str, str]] | None = None,
        lines: dict[tuple[str, str], int] | None = None,
    ):
        super().__init__(message)
        self.field = field_name
        self.message = message
        self.errors = errors or [(field_name, message)]
        # The goods line (1-based, in the record) an error is about, when the record has several.
        self.lines = lines or {}

    @classmethod
    def of(cls, errors: list[tuple[str, str]], lines: dict[tuple[str, str], int] | None = None) -> RowInvalid:
        return cls(*errors[0], errors=errors, lines=lines)

    def by_field(self) -> dict[str, list[str]]:
        """Each bad column with its messages (a message given twice, by two goods lines, once)."""
        fields: dict[str, list[str]] = {}
        for name, message in self.errors:
            messages = fields.setdefault(name, [])
            if message not in messages:
                messages.append(message)
        return fields


@dataclass
class Parsed:
    """One declaration from the export, validated and canonical."""

    row: int
    serial: str
    declared_at: dt.datetime
    origin: CustomsOffice
    destination: CustomsOffice
    route: list[str]
    plate: str
    plate_country: str
    trailer_plate: str
    driver_name: str
    driver_national_id: str
    driver_passport: str
    company_name: str
    company_reg_no: str
    waybill_no: str
    seals: list[str]
    containers: list[str]
    mrn: str
    guarantee_ref: str
    guarantee_amount: Decimal
    deadline: dt.datetime | None
    status: str
    status_at: dt.datetime | None
    unsettled_reason: str
    unsettled_note: str
    goods: list[dict]
    # When it left, as ICS gives it: needed when the import records the departure and an arrival after it.
    departed_at: dt.datetime | None = None

    def fingerprint(self) -> dict:
        """The content that must agree with what we hold (everything but the status)."""
        return {
            "declared_at": self.declared_at.replace(microsecond=0),
            "origin": self.origin.code,
            "destination": self.destination.code,
            "plate": f"{self.plate_country}:{self.plate}",
            "waybill_no": self.waybill_no,
            "goods": sorted((g["hs_code"], str(g["quantity"].normalize())) for g in self.goods),
        }


def repeated(column: str, values: list[str], what: str) -> None:
    """``RowInvalid`` naming ``column`` when a value (as normalised) is given twice, with both positions
    (from 1): it was stored twice, or a route as a loop."""
    first: dict[str, int] = {}
    for position, value in enumerate(values, 1):
        if value in first:
            raise RowInvalid(
                column,
                _("%(what)s is given twice (items %(first)s and %(again)s)")
                % {"what": what % {"value": typed(value)}, "first": number(first[value]), "again": number(position)},
            )
        first[value] = position


def seal_numbers_problem(seals: list[str]) -> str | None:
    """Why seal numbers (as ``identifiers.seal_numbers`` reads them) are refused, naming the first bad one by
    its position (from 1): longer than ``SEAL_MAX_LENGTH`` (a 1000-character «seal number» was stored),
    holding a character no seal has (``identifiers.SEAL_CHARACTERS``: «<b>x</b>» was stored), or given
    twice; None when every one may be kept. Registration, the import and the arrival's seals found (the
    page and the service) check them so; the API's lists are checked element by element (``SealListField``)."""
    first: dict[str, int] = {}
    for position, seal in enumerate(seals, 1):
        if len(seal) > identifiers.SEAL_MAX_LENGTH:
            return _("seal number %(n)s (“%(value)s…”): %(error)s") % {
                "n": number(position),
                "value": typed(seal[:12]),
                "error": too_long(seal, identifiers.SEAL_MAX_LENGTH),
            }
        if identifiers.seal_character_problem(seal):
            return seal_character_message(seal, position)
        if seal in first:
            return _("%(what)s is given twice (items %(first)s and %(again)s)") % {
                "what": _("seal number %(value)s") % {"value": typed(seal)},
                "first": number(first[seal]),
                "again": number(position),
            }
        first[seal] = position
    return None


def seal_character_message(seal: str, position: int) -> str:
    """A seal number holding a character no seal has, named by its position and quoted as typed."""
    return _(
        "seal number %(n)s ('%(value)s') holds “%(char)s”: a seal number has only Latin letters, digits and - / ."
    ) % {
        "n": number(position),
        "value": typed(seal),
        "char": typed(identifiers.seal_character_problem(seal)),
    }


def _hours_text(value: dt.timedelta) -> str:
    return _("%(n)s hours") % {"n": number(int(value.total_seconds() // 3600))}


def repeated_serial_message(value: str, first=None, again=None) -> str:
    """A serial or IMEI given twice in one declaration (``identifiers.repeated_serial``), quoted as typed:
    each item is declared once. ``first``/``again``: the goods lines' numbers, when on two lines."""
    if first is None or first == again:
        return _("serial/IMEI %(value)s is given twice in this goods line: each item is declared once") % {
            "value": typed(value)
        }
    return _("serial/IMEI %(value)s is on goods lines %(first)s and %(again)s: each item is declared once") % {
        "value": typed(value),
        "first": number(first),
        "again": number(again),
    }


def number(value: int) -> str:
    """A count inside a message, in the page's digits."""
    return persian_digits(value) if (get_language() or "").startswith("fa") else str(value)


# Thousands separators as typed or printed: Latin comma, Persian thousands separator (٬, as the app
# prints amounts), Arabic comma (،, where a Persian keyboard puts the comma); never a decimal point.
_GROUPING = str.maketrans("", "", ",\u066c\u060c")


def number_text(text: str) -> str:
    """A number as typed (``۱۲۳٬۰۰۰``, ``1,000``, ``۶۴٫۹``) in the form ``Decimal`` reads: ASCII digits,
    no grouping, the Persian decimal separator ٫ a point."""
    return ascii_digits(text).translate(_GROUPING).replace("\u066b", ".").strip()


def _field(column: str):
    model, name = STORED_IN[column]
    return model._meta.get_field(name)


# The statuses an import may set, in the lifecycle's order; the template's column guide lists these. ``closed``
# among them: it follows a judicial case held in ICS, and a new row is written closed as the export gives it
# (``importer.WRITTEN_AS_IS``); a declaration we hold open is never closed by an import (a reconciliation
# exception instead).
IMPORT_STATUSES: tuple[str, ...] = tuple(Status.values)


def not_one_of(value: str, allowed: Iterable[str]) -> str:
    return _("'%(value)s' is not one of: %(allowed)s") % {"value": typed(value), "allowed": ", ".join(allowed)}


def stored_fingerprint(d: TransitDeclaration) -> dict:
    return {
        "declared_at": d.declared_at.replace(microsecond=0),
        "origin": d.origin.code,
        "destination": d.destination.code,
        "plate": f"{d.vehicle.country}:{d.vehicle.plate}",
        "waybill_no": d.waybill_no,
        "goods": sorted((g.hs_code, str(g.quantity.normalize())) for g in d.goods.all()),
    }


class Validator:
    """Validates rows into ``Parsed`` declarations; holds the lookups so each row costs no query."""

    def __init__(self, *, by_hand: bool = False) -> None:
        self.offices = {o.code: o for o in CustomsOffice.objects.all()}
        self.now = timezone.now()
        self.earliest = EARLIEST  # 1390/01/01
        self.by_hand = by_hand  # hand registration: a tighter deadline (``deadline_limit``)
        self._route_hours: dict[tuple[int, int], int] = {}

    def route_hours(self, origin: CustomsOffice, destination: CustomsOffice) -> int:
        """``RouteTimeLimit.hours_for``, one query per pair of offices in a batch, not per row."""
        key = (origin.pk, destination.pk)
        if key not in self._route_hours:
            self._route_hours[key] = RouteTimeLimit.hours_for(*key)
        return self._route_hours[key]

    def deadline_limit(
        self, deadline: dt.datetime, declared_at: dt.datetime, origin: CustomsOffice, destination: CustomsOffice
    ) -> None:
        """``RowInvalid`` naming ``deadline`` when it is later than the latest a declaration may be given: by
        hand, the declared time plus the route's allowed time (what departing then gives; more is the
        extension's business, capped the same way); from ICS, the record of truth, the declared time plus
        twice that (the route's time and one extension). A deadline years out took the declaration off the
        overdue list and bypassed the extension cap."""
        allowed = dt.timedelta(hours=self.route_hours(origin, destination))
        latest = declared_at + allowed * (1 if self.by_hand else 2)
        if deadline <= latest:
            return
        persian = is_persian()
        values = {
            "at": format_jalali(deadline, persian=persian),
            "latest": format_jalali(latest, persian=persian),
            "allowed": _hours_text(allowed),
        }
        if self.by_hand:
            message = _(
                "The deadline (%(at)s) is too late: it must be no later than %(latest)s, the declared time plus "
                "the route's allowed time (%(allowed)s). Extend the deadline later when that is not enough."
            )
        else:
            message = _(
                "The deadline (%(at)s) is too late: it must be no later than %(latest)s, the declared time plus "
                "the route's allowed time (%(allowed)s) and one extension of as much."
            )
        raise RowInvalid("deadline", message % values)

    def office(self, code: str, name: str) -> CustomsOffice:
        if not code:
            raise RowInvalid(name, _("is required"))
        try:
            return self.offices[code.strip().upper()]
        except KeyError:
            raise RowInvalid(name, _("unknown office code '%(code)s'") % {"code": typed(code)}) from None

    def when(self, text: str, name: str, required: bool = True) -> dt.datetime | None:
        if not text:
            if required:
                raise RowInvalid(name, _("is required"))
            return None
        try:
            value = parse_datetime_any(text)
        except ValueError as exc:
            raise RowInvalid(name, str(exc)) from None
        if name == "deadline":
            return value
        if value > self.now + CLOCK_SKEW:  # as a move's time (``services.check_time``): hours ahead is a slip
            persian = is_persian()
            raise RowInvalid(
                name,
                _("%(at)s is in the future: it is now %(now)s")
                % {"at": format_jalali(value, persian=persian), "now": format_jalali(self.now, persian=persian)},
            )
        if value < self.earliest:
            raise RowInvalid(name, _("'%(value)s' is out of range (1390 to today)") % {"value": typed(text)})
        return value

    def text(self, r: dict, name: str) -> str:
        """The column's text, refused when longer than the field it is stored in."""
        value = r.get(name, "")
        limit = _field(name).max_length
        if error := too_long(value, limit):
            raise RowInvalid(name, error)
        return value

    def decimal(self, text: str, name: str, *, positive: bool = False, default: str | None = None) -> Decimal:
        if not text and default is not None:
            return Decimal(default)
        if not text:
            raise RowInvalid(name, _("is required"))
        try:
            value = Decimal(number_text(text))
        except (InvalidOperation, AttributeError):
            raise RowInvalid(name, _("'%(value)s' is not a number") % {"value": typed(text)}) from None
        if (
            not value.is_finite()
        ):  # «NaN», «Infinity»: Decimal reads them, no amount is one (and NaN cannot be compared)
            raise RowInvalid(name, _("'%(value)s' is not a number") % {"value": typed(text)})
        if value < 0 or (positive and value == 0):
            if positive:
                raise RowInvalid(name, _("'%(value)s' must be more than zero") % {"value": typed(text)})
            raise RowInvalid(name, _("'%(value)s' must be at least zero") % {"value": typed(text)})
        stored = _field(name)
        places, whole = stored.decimal_places, stored.max_digits - stored.decimal_places
        if value and value.adjusted() + 1 > whole:
            raise RowInvalid(
                name,
                _("'%(value)s' is too large: at most %(digits)s digits before the decimal point")
                % {"value": typed(text), "digits": number(whole)},
            )
        if value and -value.normalize().as_tuple().exponent > places:  # type: ignore[operator]
            if places == 0:
                raise RowInvalid(name, _("'%(value)s' must be a whole number") % {"value": typed(text)})
            raise RowInvalid(
                name,
                _("'%(value)s' has more than %(places)s decimal places")
                % {"value": typed(text), "places": number(places)},
            )
        return value

    # One method per column that needs more than a length check: the hand-entry form calls the same
    # ones for each of its fields, so a value refused at import is refused by the form, and the other
    # way round.

    def serial(self, text: str) -> str:
        serial = ascii_digits(text.strip())  # typed on a Persian keyboard: ۱۴۰۵-BZG-۰۰۰۰۹۹۹۹
        if not serial:  # named as missing, not quoted: «'' is not a declaration serial»
            raise RowInvalid("serial", _("is required"))
        if not SERIAL_RE.match(serial):
            raise RowInvalid(
                "serial",
                _("'%(value)s' is not a declaration serial (4–32 letters, digits, / or -)") % {"value": typed(serial)},
            )
        return serial

    def route(self, text: str, origin: CustomsOffice | None, destination: CustomsOffice | None) -> list[str]:
        """Office codes in order, origin first and destination last (added when missing). Without an origin or
        a destination (the row is refused for it) only the codes are checked."""
        route = [c.strip().upper() for c in LIST_SEPARATOR.split(text) if c.strip()]
        for code in route:
            self.office(code, "route")
        repeated("route", route, _("office %(value)s"))  # BZG, THR, BZG was stored as a loop
        if origin is None or destination is None or origin.pk == destination.pk:  # that is named already
            return route
        route = route or [origin.code, destination.code]
        if route[0] != origin.code:
            route.insert(0, origin.code)
        if route[-1] != destination.code:
            route.append(destination.code)
        if len(set(route)) != len(route):  # THR;BZG from BZG to THR: origin and destination added make a loop
            raise RowInvalid(
                "route",
                _("the route %(route)s passes an office twice: the origin comes first and the destination last")
                % {"route": typed(" → ".join(route))},
            )
        return route

    def plate(self, text: str, country: str) -> tuple[str, str]:
        """The canonical plate and its country (IR when none is given): an assigned ISO 3166-1 code, the list
        the plate reader's API checks a foreign plate's country against (``core.countries``); «ZZ» is none."""
        if not text.strip():  # named as missing, not quoted: ««» is not a foreign plate», « is not an Iranian plate»
            raise RowInvalid("plate", _("is required"))
        country = (country or "IR").strip().upper()
        if country != "IR" and not is_country(country):
            raise RowInvalid(
                "plate_country",
                _("'%(value)s' is not a country's two-letter code (ISO 3166-1), such as TR, AM or AF")
                % {"value": typed(country)},
            )
        try:
            return plates.canonical_plate(text, country), country
        except plates.PlateError as exc:
            raise RowInvalid("plate", str(exc)) from None

    @staticmethod
    def trailer_plate(text: str) -> None:
        """A trailer plate no layout can be is refused, as a camera's plate is (``anpr``): every plate has
        digits; «XXXX» was stored as nothing."""
        if text.strip() and not any(ch.isdigit() for ch in plates.normalise_text(text)):
            raise RowInvalid(
                "trailer_plate",
                _("%(value)s is no plate: every plate has digits, e.g. %(iranian)s or %(foreign)s")
                % {"value": typed(text.strip()[:32]), "iranian": typed("12ب34567"), "foreign": typed("34ABC123")},
            )

    def national_id(self, text: str) -> str:
        if not text:
            return ""
        try:
            return identifiers.validate_national_id(text)
        except ValueError as exc:
            raise RowInvalid("driver_national_id", str(exc)) from None

    def mrn(self, text: str) -> str:
        if not text:
            return ""
        try:
            return identifiers.validate_mrn(text)
        except ValueError as exc:
            raise RowInvalid("mrn", str(exc)) from None

    def containers(self, text: str) -> list[str]:
        containers = []
        for c in LIST_SEPARATOR.split(text):
            if c.strip():
                try:
                    containers.append(identifiers.validate_container_number(c))
                except ValueError as exc:
                    raise RowInvalid("containers", str(exc)) from None
        repeated("containers", containers, _("container %(value)s"))
        return containers

    @staticmethod
    def seals(text: str) -> list[str]:
        """The seal numbers (the one parser, any separator), checked by ``seal_numbers_problem``."""
        seals = identifiers.seal_numbers(text)
        if problem := seal_numbers_problem(seals):
            raise RowInvalid("seals", problem)
        return seals

    def repeated_value(self, line: dict, column: str) -> object:
        """A declaration column repeated on each goods line, as compared between the lines: as its own check
        reads it (the plate canonical, the date parsed, the office code upper-case), else its text with Latin
        digits. «۴۴د۵۵۵۶۶» on one line and «44د55566» on the next are one plate, not a refused declaration."""
        text = str(line.get(column, "") or "")
        try:
            if column == "plate":
                return self.plate(text, line.get("plate_country", ""))
            if column == "declared_at":
                return parse_datetime_any(text)
        except (RowInvalid, ValueError):
            pass  # not readable: its check names it (on the first line) or its text differs from the first's
        if column in ("origin", "destination"):
            return ascii_digits(text).strip().upper()
        if column == "waybill_no":
            return identifier(text)
        return ascii_digits(text).strip()

    def declaration(self, row: int, rows: list[dict]) -> Parsed:
        """The record (its goods lines ``rows``) validated; ``RowInvalid`` naming every bad column.

        Each column is checked whatever the others hold: a try block costs nothing while nothing is
        wrong, so a good row (the import's usual one) is read as fast as when the first error stopped it.
        A check that needs another column (the route its offices, a deadline the declaration's date) is
        skipped when that column is wrong, which is named already."""
        r = rows[0]
        # A problem the reader found (a formula cell, a record not an object): the row was not read whole.
        unread = [(line.get("__field__", "record"), line["__error__"]) for line in rows if "__error__" in line]
        if unread:
            raise RowInvalid.of(unread)
        # A formula cell (an XLSX reader's finding) is named under its column, read as empty: the row's other
        # cells are checked as usual, and the column's own check (empty: "is required") is not said as well.
        formulas = [pair for line in rows for pair in line.get("__formulas__", ())]
        errors: list[tuple[str, str]] = list(formulas)
        serial = r.get("serial", "")
        try:
            serial = self.serial(serial)
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if len(rows) > 1:
            for col in ("origin", "destination", "plate", "declared_at", "waybill_no"):
                first = self.repeated_value(r, col)
                if any(self.repeated_value(other, col) != first for other in rows[1:]):
                    differs = _("differs between the goods lines of serial %(serial)s")
                    errors.append((col, differs % {"serial": idents.serial_text(serial)}))
        declared_at = origin = destination = None
        route: list[str] = []
        plate = country = national_id = mrn = ""
        containers: list[str] = []
        try:
            declared_at = self.when(r.get("declared_at", ""), "declared_at")
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        try:
            origin = self.office(r.get("origin", ""), "origin")
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        try:
            destination = self.office(r.get("destination", ""), "destination")
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if origin is not None and destination is not None and origin.pk == destination.pk:
            errors.append(("destination", _("is the same office as the origin")))
        try:
            route = self.route(r.get("route", ""), origin, destination)
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        try:
            plate, country = self.plate(r.get("plate", ""), r.get("plate_country", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        texts = {}
        for name in ("trailer_plate", "driver_name", "driver_passport", "company_name", "company_reg_no"):
            try:
                texts[name] = self.text(r, name)
            except RowInvalid as exc:
                errors.append((exc.field, exc.message))
        try:
            self.trailer_plate(texts.get("trailer_plate", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if texts.get("company_name", "").strip() and not texts.get("company_reg_no", "").strip():
            # A transport company is stored by its registration number: a name alone was silently dropped.
            errors.append(("company_reg_no", _("is required when a company name is given")))
        try:
            national_id = self.national_id(r.get("driver_national_id", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        for name in ("waybill_no", "guarantee_ref", "unsettled_note"):
            try:
                texts[name] = self.text(r, name)
            except RowInvalid as exc:
                errors.append((exc.field, exc.message))
        # A waybill is an identifier, stored and compared as one: «WB-۷۷» typed on a Persian keyboard is «WB-77».
        texts["waybill_no"] = identifier(texts.get("waybill_no", ""))
        try:
            containers = self.containers(r.get("containers", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        seals: list[str] = []
        try:
            seals = self.seals(r.get("seals", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        try:
            mrn = self.mrn(r.get("mrn", ""))
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        guarantee_amount = Decimal(0)
        try:
            guarantee_amount = self.decimal(r.get("guarantee_amount", ""), "guarantee_amount", default="0")
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        deadline = status_at = None
        try:
            deadline = self.when(r.get("deadline", ""), "deadline", required=False)
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if deadline and declared_at and deadline < declared_at:
            errors.append(("deadline", _("is before the declaration date")))
        elif deadline and declared_at and origin is not None and destination is not None:
            try:
                self.deadline_limit(deadline, declared_at, origin, destination)
            except RowInvalid as exc:
                errors.append((exc.field, exc.message))
        status = (r.get("status") or Status.REGISTERED).strip().lower()
        if status not in IMPORT_STATUSES:
            errors.append(("status", not_one_of(status, IMPORT_STATUSES)))
        try:
            status_at = self.when(r.get("status_at", ""), "status_at", required=False)
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if status_at and declared_at and status_at < declared_at:
            errors.append(("status_at", _("is before the declaration date")))
        departed_at = None
        try:
            departed_at = self.when(r.get("departed_at", ""), "departed_at", required=False)
        except RowInvalid as exc:
            errors.append((exc.field, exc.message))
        if departed_at and declared_at and departed_at < declared_at:
            errors.append(("departed_at", _("is before the declaration date")))
        elif departed_at and status_at and departed_at > status_at:
            errors.append(("departed_at", _("is after the time of the status")))
        reason = (r.get("unsettled_reason") or "").strip().lower()
        if reason and reason not in UnsettledReason.values:
            errors.append(("unsettled_reason", not_one_of(reason, UnsettledReason.values)))
        elif not reason and status == Status.UNSETTLED:
            errors.append(("unsettled_reason", _("is required when the status is unsettled")))
        goods = []
        goods_refused = False
        bad_lines: dict[tuple[str, str], int] = {}  # a bad goods line's errors → its place in the record
        for n, g in enumerate(rows, start=1):
            if any(g.get(c) for c in ("hs_code", "description")):
                try:
                    goods.append(self.goods_line(g))
                except RowInvalid as exc:
                    goods_refused = True
                    if len(rows) == 1:
                        errors.extend(exc.errors)
                        continue
                    for name, message in exc.errors:  # named by its line: which of the record's lines is wrong
                        error = (name, _("goods line %(line)s: %(message)s") % {"line": number(n), "message": message})
                        bad_lines[error] = n
                        errors.append(error)
        if not goods and not goods_refused:
            # As registration refuses one (``services.declaration_register``): a record with ``"goods": []`` or
            # file rows with no HS code or description was stored as a declaration carrying nothing.
            errors.append(("goods", _("A declaration needs at least one goods line.")))
        lines = [g["line_no"] for g in goods]
        if len(set(lines)) != len(lines):
            repeat = _("line numbers repeat in serial %(serial)s") % {"serial": idents.serial_text(serial)}
            errors.append(("goods_line", repeat))
        repeated = identifiers.repeated_serial((g["line_no"], g["serials"]) for g in goods)
        if repeated is not None:
            errors.append(("goods_serials", repeated_serial_message(*repeated)))
        if formulas:
            named = {column for column, _message in formulas}
            errors = formulas + [e for e in errors[len(formulas) :] if e[0] not in named]
        if errors:
            raise RowInvalid.of(errors, bad_lines)
        assert declared_at is not None and origin is not None and destination is not None  # else in errors
        return Parsed(
            row=row,
            serial=serial,
            declared_at=declared_at,
            origin=origin,
            destination=destination,
            route=route,
            plate=plate,
            plate_country=country,
            trailer_plate=texts["trailer_plate"],
            driver_name=texts["driver_name"],
            driver_national_id=national_id,
            driver_passport=texts["driver_passport"],
            company_name=texts["company_name"],
            company_reg_no=texts["company_reg_no"],
            waybill_no=texts["waybill_no"],
            seals=seals,
            containers=containers,
            mrn=mrn,
            guarantee_ref=texts["guarantee_ref"],
            guarantee_amount=guarantee_amount,
            deadline=deadline,
            status=status,
            status_at=status_at,
            unsettled_reason=reason,
            unsettled_note=texts["unsettled_note"],
            goods=goods,
            departed_at=departed_at,
        )

    def goods_line(self, g: dict) -> dict:
        """One goods line validated; ``RowInvalid`` naming each of its bad columns."""
        errors: list[tuple[str, str]] = []
        hs = ascii_digits(re.sub(r"[\s.]", "", g.get("hs_code", "")))  # ۸۴۷۱ was stored so, shown so in English
        if not re.fullmatch(r"\d{4,12}", hs):
            if not hs:  # an empty value is named as missing, not quoted as "None"
                errors.append(("hs_code", _("the HS code is missing (4–12 digits)")))
            else:
                typed_hs = typed(g.get("hs_code"))
                errors.append(("hs_code", _("'%(value)s' is not an HS code (4–12 digits)") % {"value": typed_hs}))
        if not g.get("description"):
            errors.append(("description", _("is required for each goods line")))
        line_no = 0
        try:
            line_no = int(g.get("goods_line") or 1)
        except ValueError:
            pass
        if not 1 <= line_no <= MAX_LINE_NO:
            errors.append(("goods_line", _("'%(value)s' is not a line number") % {"value": typed(g.get("goods_line"))}))
        # Identifiers, stored and compared as such: an IMEI typed on a Persian keyboard is the one in Latin digits.
        serials = [identifier(s) for s in LIST_SEPARATOR.split(g.get("goods_serials", "")) if s.strip()]
        limit = _field("goods_serials").max_length
        repeated = identifiers.repeated_serial([(None, serials)])
        if repeated is not None:
            errors.append(("goods_serials", repeated_serial_message(repeated[0])))
        for value in serials:
            problem = identifiers.serial_problem(value)
            if problem:
                errors.append(("goods_serials", problem))
                break  # the first bad one: a list of a thousand IMEIs is not quoted whole
            if len(value) > limit:
                errors.append(
                    (
                        "goods_serials",
                        _("“%(value)s”: %(error)s") % {"value": typed(value), "error": too_long(value, limit)},
                    )
                )
                break
        values: dict = {}
        for name in ("description", "unit"):
            try:
                values[name] = self.text(g, name)
            except RowInvalid as exc:
                errors.append((exc.field, exc.message))
        for name, options in (
            ("quantity", {"positive": True}),
            ("gross_weight_kg", {"default": "0"}),
            ("value", {"default": "0"}),
        ):
            try:
                values[name] = self.decimal(g.get(name, ""), name, **options)
            except RowInvalid as exc:
                errors.append((exc.field, exc.message))
        if errors:
            raise RowInvalid.of(errors)
        return {
            "line_no": line_no,
            "hs_code": hs,
            "description": values["description"],
            "quantity": values["quantity"],
            "unit": values["unit"],
            "gross_weight_kg": values["gross_weight_kg"],
            "value": values["value"],
            "serials": serials,
        }


def _serial_key(data: dict) -> object:
    serial = data.get("serial")
    return ascii_digits(serial.strip()) if isinstance(serial, str) else serial


def group_rows(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[int, list[dict]]]:
    """Each declaration's first row number and its goods lines (``numbered_groups`` without each line's number)."""
    for numbers, group in numbered_groups(rows):
        yield numbers[0], group


def numbered_groups(rows: Iterable[tuple[int, dict]]) -> Iterator[tuple[list[int], list[dict]]]:
    """Consecutive rows of one serial form one declaration (exports list goods lines together): the serial
    as ``Validator.serial`` reads it, so one line in Persian digits and the next in Latin are one declaration.
    Rows of two JSON records (``__record__``, one declaration each) are never one: a record sent twice is two.
    Each declaration comes with the row number of each of its lines (a file's line of each goods line; an API
    record's index, the same for all its lines), so that an error of a goods line names where that line is."""
    current: list[dict] = []
    numbers: list[int] = []
    for row, data in rows:
        # A line the reader refused stays with its declaration, so the whole declaration is refused.
        if (
            current
            and data.get("serial")
            and _serial_key(data) == _serial_key(current[0])
            and data.get("__record__") == current[0].get("__record__")
        ):
            current.append(data)
            numbers.append(row)
            continue
        if current:
            yield numbers, current
        current, numbers = [data], [row]
    if current:
        yield numbers, current
