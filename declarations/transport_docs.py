"""Transport documents (سند حمل; Art. 12 and note 1 of the anti-smuggling rules): recorded by hand, by the
API or from a CSV file, and compared with the declaration when recorded.

A document whose origin, destination, route, goods description, quantity or gross weight differs from
the declaration is a *document discrepancy*: the differences are stored with the document (what was seen
then), shown on the declaration's page, and ``detection`` proposes ``document_discrepancy`` as the reason
it cannot settle, with them as evidence; a person accepts the proposal (the reason form).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.models import Role, User
from core.audit import actor
from core.dates import ascii_digits, parse_jalali_date, persian_digits
from core.errors import DomainError, IllegalTransition, InvalidInput, NotAllowed, field_messages
from core.forms import with_example
from core.text import date_hint
from notifications.messages import ROUTE, SENTENCES, Arrow, Ident, Message, Number, Param, When, joined, render

from .evidence import note_event
from .models import Source, Status, TransitDeclaration, TransportDocument

# Weighbridges differ: as on arrival (``arrival_findings.WEIGHT_TOLERANCE``), 2 % of the declared weight.
WEIGHT_TOLERANCE = Decimal("0.02")
RECORDING_STATUSES = (Status.REGISTERED, Status.IN_TRANSIT, Status.ARRIVED, Status.UNSETTLED)
FIELD_LABELS = {
    "origin": lambda: _("origin"),
    "destination": lambda: _("destination"),
    "route": lambda: _("route"),
    "goods_description": lambda: _("goods description"),
    "quantity": lambda: _("quantity"),
    "gross_weight_kg": lambda: _("gross weight (kg)"),
}
# The CSV's columns in their order → (required, what it holds), shown as the import page's column guide.
CSV_HELP = {
    "serial": (True, gettext_lazy("Serial of the declaration the document belongs to.")),
    "number": (True, gettext_lazy("Number of the transport document (up to 40 characters).")),
    "issued_on": (
        True,
        with_example(gettext_noop("Date the document was issued, Jalali (%(example)s) or ISO."), False),
    ),
    "origin": (True, gettext_lazy("Origin as the document writes it: an office's code or name.")),
    "destination": (True, gettext_lazy("Destination as the document writes it: an office's code or name.")),
    "route": (False, gettext_lazy("Office codes along the route on the document, separated by ;.")),
    "goods_description": (True, gettext_lazy("Description of the goods as the document writes it.")),
    "quantity": (False, gettext_lazy("Quantity.")),
    "gross_weight_kg": (False, gettext_lazy("Gross weight in kilograms.")),
}
CSV_COLUMNS = list(CSV_HELP)
REQUIRED_COLUMNS = [name for name, (required, _text) in CSV_HELP.items() if required]
MAX_CSV_ROWS = 5000


def guide() -> list[tuple[str, bool, str]]:
    """The column guide of the import page: (column, required, what it holds in the reader's words)."""
    return [(name, required, str(text)) for name, (required, text) in CSV_HELP.items()]


def may_record(user: User | None, declaration: TransitDeclaration) -> bool:
    """Staff (or the integration client) of the origin or destination office, or headquarters."""
    if user is None:
        return True
    if not user.is_active:
        return False
    if user.is_superuser or user.role == Role.HQ:
        return True
    if user.role in (Role.OFFICE, Role.INTEGRATION) and user.office_id:
        return user.office_id in (declaration.origin_id, declaration.destination_id)
    return user.role == Role.INTEGRATION and user.is_national


def require_may_record(user: User | None, declaration: TransitDeclaration) -> None:
    """``NotAllowed`` (403) unless ``may_record``: the API checks it before the request's fields."""
    if not may_record(user, declaration):
        raise NotAllowed(_("Only the origin or destination office, or headquarters, record the transport document."))


def _text(value: str) -> str:
    """Compared as words: Arabic letters as Persian, half-spaces as spaces, case and spacing ignored."""
    value = str(value).replace("ي", "ی").replace("ك", "ک").replace("\u200c", " ")
    return re.sub(r"\s+", " ", value).strip().lower()


def _place(value: str, office) -> bool:
    """A place on the document names the office: its code or its name."""
    text = _text(value)
    return text in {_text(office.code), _text(office.name_fa), _text(getattr(office, "name_en", "") or "")}


def _codes(route) -> list[str]:
    return [str(c).strip().upper() for c in route or [] if str(c).strip()]


def _num(value: Decimal) -> str:
    return persian_digits(f"{value.normalize():f}")


def differences(
    declaration: TransitDeclaration,
    *,
    origin: str,
    destination: str,
    route: list[str],
    goods_description: str,
    quantity: Decimal | None,
    gross_weight_kg: Decimal | None,
) -> list[dict]:
    """Each field of the document that differs from the declaration: ``{field, document, declaration}``."""
    out: list[dict] = []
    if not _place(origin, declaration.origin):
        out.append({"field": "origin", "document": origin, "declaration": declaration.origin.code})
    if not _place(destination, declaration.destination):
        out.append({"field": "destination", "document": destination, "declaration": declaration.destination.code})
    declared_route = _codes(declaration.route) or [declaration.origin.code, declaration.destination.code]
    if route and _codes(route) != declared_route:
        out.append({"field": "route", "document": _codes(route), "declaration": declared_route})
    lines = list(declaration.goods.values_list("description", "quantity", "gross_weight_kg"))
    described = [d for d in (_text(d) for d, _q, _w in lines) if d]
    doc = _text(goods_description)
    # The document carries the declaration's goods (its quantity is compared with their sum): one line is
    # matched by a shorter or longer wording of it («کفش» for «کفش چرمی»); several, each named in it. «کفش»
    # for shoes, phones and cement names one line of three.
    if len(described) > 1:
        same_goods = bool(doc) and all(d in doc for d in described)
    else:
        same_goods = bool(doc) and any(doc in d or d in doc for d in described)
    if not same_goods:
        out.append(
            {
                "field": "goods_description",
                "document": goods_description,
                "declaration": "، ".join(d for d, _q, _w in lines),
            }
        )
    if quantity is not None:
        declared_qty = sum((q for _d, q, _w in lines), Decimal(0))
        if Decimal(quantity) != declared_qty:
            out.append({"field": "quantity", "document": str(quantity), "declaration": str(declared_qty)})
    # No weight declared (the page shows «—»): unknown, not 0 kg, so the document's weight differs from nothing.
    if gross_weight_kg is not None and (declared_kg := declaration.declared_gross_weight_kg()) is not None:
        if abs(Decimal(gross_weight_kg) - declared_kg) > declared_kg * WEIGHT_TOLERANCE:
            out.append({"field": "gross_weight_kg", "document": str(gross_weight_kg), "declaration": str(declared_kg)})
    return out


def describe(document: TransportDocument) -> str:
    """The differences in words, for the page and the proposed reason's evidence."""
    return render(Message("%(d)s", d=differences_message(document)))


def differences_message(document: TransportDocument) -> Param:
    """The differences as a message, written in the reader's language when read (the timeline)."""
    parts: list[Param] = []
    for diff in document.differences:
        with translation.override(None):  # the label's message id
            label = FIELD_LABELS[diff["field"]]() if diff["field"] in FIELD_LABELS else ""
        document_value, declared = diff["document"], diff["declaration"]
        if diff["field"] in ("quantity", "gross_weight_kg"):
            # as the goods table writes them, thousands grouped
            document_value, declared = (Number(Decimal(v), grouped=True) for v in (document_value, declared))
        elif diff["field"] == "route":  # codes in order, each isolated, the arrow of the language
            document_value, declared = (
                joined([Ident("office", c) for c in codes], ROUTE, arrow=Arrow())
                for codes in (document_value, declared)
            )
        parts.append(
            Message(
                gettext_noop("%(label)s: document %(document)s, declaration %(declared)s"),
                label=Message(label) if label else diff["field"],
                document=document_value,
                declared=declared,
            )
        )
    return joined(parts, SENTENCES)


def input_errors(
    *,
    number: str,
    issued_on: dt.date | None,
    origin: str,
    destination: str,
    goods_description: str,
    quantity: Decimal | None,
    gross_weight_kg: Decimal | None,
) -> list[tuple[str, str]]:
    """Each bad field of a document with its message, in the CSV's column order: a document with no number
    and a negative weight is told both at once. ``issued_on`` None: not read (its own message is given)."""
    errors = []
    if not number.strip() or len(number.strip()) > 40:
        errors.append(("number", _("Enter the document number (up to 40 characters).")))
    if issued_on is not None and issued_on > timezone.localdate():
        errors.append(("issued_on", _("The issue date is in the future.")))
    for name, value in (("origin", origin), ("destination", destination)):
        if not value.strip() or len(value.strip()) > 40:
            errors.append((name, _("Enter the %(f)s (up to 40 characters).") % {"f": FIELD_LABELS[name]()}))
    if not goods_description.strip():
        errors.append(("goods_description", _("Describe the goods as the document does.")))
    for name, amount in (("quantity", quantity), ("gross_weight_kg", gross_weight_kg)):
        if amount is not None and amount < 0:
            errors.append((name, _("A quantity or weight cannot be negative.")))
    return errors


@transaction.atomic
def transport_document_record(
    *,
    declaration: TransitDeclaration,
    number: str,
    issued_on: dt.date,
    origin: str,
    destination: str,
    goods_description: str,
    by: User | None,
    route: list[str] | None = None,
    quantity: Decimal | None = None,
    gross_weight_kg: Decimal | None = None,
    source: str = Source.USER,
) -> TransportDocument:
    """Record a transport document and what differs from the declaration (a correction is a newer one)."""
    locked = (
        TransitDeclaration.objects.select_for_update().select_related("origin", "destination").get(pk=declaration.pk)
    )
    require_may_record(by, locked)
    if locked.status not in RECORDING_STATUSES:
        raise IllegalTransition(
            _("A transport document is recorded while the declaration is open; it is %(status)s.")
            % {"status": locked.get_status_display()},
            fields={"status": locked.status},
        )
    errors = input_errors(
        number=number,
        issued_on=issued_on,
        origin=origin,
        destination=destination,
        goods_description=goods_description,
        quantity=quantity,
        gross_weight_kg=gross_weight_kg,
    )
    if errors:
        messages: dict[str, list[str]] = {}
        for name, message in errors:
            messages.setdefault(name, []).append(message)
        raise InvalidInput(errors[0][1], fields=dict.fromkeys(messages, "invalid"), messages=messages)
    number = number.strip()
    route = _codes(route)
    found = differences(
        locked,
        origin=origin.strip(),
        destination=destination.strip(),
        route=route,
        goods_description=goods_description.strip(),
        quantity=quantity,
        gross_weight_kg=gross_weight_kg,
    )
    with actor(by):
        document = TransportDocument.objects.create(
            declaration=locked,
            number=number,
            issued_on=issued_on,
            origin=origin.strip(),
            destination=destination.strip(),
            route=route,
            goods_description=goods_description.strip()[:300],
            quantity=quantity,
            gross_weight_kg=gross_weight_kg,
            differences=found,
            source=source,
            recorded_by=by,
        )
    note_event(
        declaration_id=locked.pk,
        kind="transport_document_discrepancy" if found else "transport_document",
        at=timezone.now(),
        actor=by,
        source=source,
        message=Message("%(no)s: %(what)s", no=number, what=differences_message(document)) if found else number,
        data={"document": document.pk, "fields": [d["field"] for d in found]},
    )
    return document


def latest(declaration: TransitDeclaration) -> TransportDocument | None:
    return TransportDocument.objects.filter(declaration=declaration).order_by("-recorded_at", "-id").first()


# --- CSV import -------------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass
class CsvSummary:
    recorded: int = 0
    with_differences: int = 0
    rejected: list[dict] = field(default_factory=list)


def _decimal(text: str, name: str) -> Decimal | None:
    text = ascii_digits(text or "").replace(",", "").replace("٫", ".").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():  # «NaN» and «Infinity» are read by Decimal, and are no quantity
        raise InvalidInput(_("%(f)s is not a number.") % {"f": name}, fields={name: text})
    return value


def _date(text: str) -> dt.date:
    text = ascii_digits(text or "").strip()
    try:
        if len(text) >= 4 and text[:4].isdigit() and int(text[:4]) < 1700:
            return parse_jalali_date(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Enter a Jalali date like %(example)s.") % {"example": date_hint()}, fields={"issued_on": text}
        ) from None


def _read(errors: list[tuple[str, str]], row: dict, name: str, parse: Callable[[str], T]) -> T | None:
    """The row's cell ``name`` read by ``parse``; a refusal is added to ``errors`` under ``name`` (the row's
    other cells are still read)."""
    try:
        return parse(row.get(name) or "")
    except InvalidInput as exc:
        errors.append((name, str(exc)))
        return None


def import_csv(data: bytes, *, by: User, visible, source: str = Source.USER) -> CsvSummary:
    """Record one document per CSV row (``CSV_COLUMNS``; route as codes separated by ;). A row naming a
    declaration outside ``visible`` (the user's scope) or refused by the service is reported with its
    row number and field, and the others are still recorded (each row its own transaction)."""
    summary = CsvSummary()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text."), fields={"file": "encoding"}) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            _("The file lacks the columns: %(c)s") % {"c": ", ".join(missing)}, fields={"file": "columns"}
        )
    for i, row in enumerate(reader, start=2):
        if i - 1 > MAX_CSV_ROWS:
            summary.rejected.append({"row": i, "field": "file", "message": _("Too many rows; the rest was not read.")})
            break
        # Every bad cell of the row, each under its column (as the declaration importer does): a row is
        # corrected once, not once for each of its mistakes.
        errors: list[tuple[str, str]] = []
        serial = (row.get("serial") or "").strip()
        declaration = visible.filter(serial=serial).first()
        if declaration is None:
            errors.append(("serial", _("No declaration %(s)s in your scope.") % {"s": serial}))
        number, origin, destination, goods_description = (
            row.get(name) or "" for name in ("number", "origin", "destination", "goods_description")
        )
        issued_on = _read(errors, row, "issued_on", _date)
        quantity = _read(errors, row, "quantity", lambda text: _decimal(text, "quantity"))
        weight = _read(errors, row, "gross_weight_kg", lambda text: _decimal(text, "gross_weight_kg"))
        errors += input_errors(
            number=number,
            issued_on=issued_on,
            origin=origin,
            destination=destination,
            goods_description=goods_description,
            quantity=quantity,
            gross_weight_kg=weight,
        )
        if errors:
            order = {name: n for n, name in enumerate(CSV_COLUMNS)}
            for name, message in sorted(errors, key=lambda e: order.get(e[0], len(order))):
                summary.rejected.append({"row": i, "field": name, "message": message})
            continue
        assert declaration is not None and issued_on is not None  # else in errors
        try:
            document = transport_document_record(
                declaration=declaration,
                number=number,
                issued_on=issued_on,
                origin=origin,
                destination=destination,
                route=[c for c in re.split(r"[;،]", ascii_digits(row.get("route") or "")) if c.strip()],
                goods_description=goods_description,
                quantity=quantity,
                gross_weight_kg=weight,
                by=by,
                source=source,
            )
        except DomainError as exc:
            for name, said in (field_messages(exc) or {"": [str(exc)]}).items():
                summary.rejected += [{"row": i, "field": name, "message": message} for message in said]
            continue
        summary.recorded += 1
        summary.with_differences += bool(document.differences)
    return summary


def evidence_message(document: TransportDocument) -> Message:
    """A document that differs, as the proposed reason's evidence: written in each reader's language and
    calendar when read (accepted, it is the declaration's note)."""
    return Message(
        gettext_noop("Transport document %(number)s of %(date)s differs from the declaration: %(what)s."),
        number=Ident("transport_document", document.number),
        date=When(document.issued_on),
        what=differences_message(document),
    )
