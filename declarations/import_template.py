"""The import's column guide and a template file to fill in: what each ICS export column holds,
which are required, and an example row valid as it stands but for its serial (``import_formats.example_serial``), which the
import refuses: a file still holding the example is refused naming its row, not imported with it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from accounts.models import CustomsOffice
from core.dates import format_jalali
from core.forms import with_example
from core.text import headings, is_persian, isolate

from . import idents
from .import_formats import example_serial
from .import_validation import IMPORT_STATUSES
from .importer import COLUMNS

# column → (required, what it holds); the order is COLUMNS'.
HELP = {
    "serial": (True, _("Declaration serial as ICS gives it (letters, digits, / or -).")),
    "declared_at": (
        True,
        with_example(gettext_noop("Date and time of the declaration, Jalali (%(example)s) or ISO."), True),
    ),
    "origin": (True, _("Code of the office where transit starts.")),
    "destination": (True, _("Code of the office where transit is settled.")),
    "route": (False, _("Office codes along the route, separated by ; (origin and destination added if missing).")),
    "plate": (
        True,
        _(
            "Truck plate; an Iranian plate as the app shows it, %(example)s, or written together (two digits, "
            "letter, three digits, province)."
        ),
    ),
    "plate_country": (False, _("Country of the plate, two letters (IR when empty).")),
    "trailer_plate": (False, _("Trailer plate.")),
    "driver_name": (False, _("Driver's name.")),
    "driver_national_id": (False, _("Driver's 10-digit national ID (check digit verified).")),
    "driver_passport": (False, _("Passport number of a foreign driver.")),
    "company_name": (False, _("Transport company's name.")),
    "company_reg_no": (False, _("Transport company's registration number.")),
    "waybill_no": (False, _("Waybill number.")),
    "seals": (False, _("Seal numbers, separated by ; (or commas, spaces).")),
    "containers": (False, _("Container numbers (ISO 6346), separated by ;.")),
    "mrn": (False, _("Movement reference number (MRN).")),
    "guarantee_ref": (False, _("Guarantee reference.")),
    "guarantee_amount": (False, _("Guarantee amount in rial.")),
    "deadline": (False, _("Transit deadline, Jalali or ISO.")),
    "status": (False, _("One of %(example)s; the first when empty.")),
    "status_at": (False, _("When the status was reached.")),
    "departed_at": (
        False,
        _(
            "When it left the origin. Required with status %(example)s when no departure is recorded here yet: "
            "its arrival is no sooner after it than the route's shortest trip."
        ),
    ),
    "unsettled_reason": (False, _("Reason code when the status is unsettled.")),
    "unsettled_note": (False, _("Note on the reason.")),
    "goods_line": (False, _("Goods line number within the declaration (1, 2 …).")),
    "hs_code": (True, _("HS code of the goods line, 4–12 digits.")),
    "description": (True, _("Description of the goods line.")),
    "quantity": (True, _("Quantity.")),
    "unit": (False, _("Unit of the quantity.")),
    "gross_weight_kg": (False, _("Gross weight in kilograms.")),
    "value": (False, _("Value of the goods line.")),
    "goods_serials": (False, _("Serial numbers (or IMEIs) of the goods, separated by ;.")),
}
assert list(HELP) == COLUMNS, "every import column is described, in the importer's order"


# Shown through the plate's own display and isolation (a plate written together, 12ع34567, is drawn by the
# bidirectional algorithm as 1234567ع in a sentence of either direction).
# The status values as typed into the file, each isolated (Latin words in a Persian sentence): those the
# importer takes, from its own list.
STATUS_VALUES = IMPORT_STATUSES
EXAMPLES = {
    "plate": lambda: idents.plate_text("12ع34567"),
    "status": lambda: ("، " if is_persian() else ", ").join(isolate(v) for v in STATUS_VALUES),
    "departed_at": lambda: ("، " if is_persian() else ", ").join(
        isolate(v) for v in ("arrived", "settled", "unsettled")
    ),
}


def guide() -> list[tuple[str, bool, str]]:
    return [
        (name, required, str(text) % {"example": EXAMPLES[name]()} if name in EXAMPLES else str(text))
        for name, (required, text) in HELP.items()
    ]


def example_offices(user=None) -> tuple[str, str]:
    """The example's origin and destination codes: an office the user may import for (their own office, the
    first of their province's, the first of all for headquarters) and another real office. An office clerk at
    BZG was given AMR → ANZ, which their own import refused as outside their scope (this runs a query)."""
    offices = list(CustomsOffice.objects.order_by("code"))
    if not offices:
        return "BZG", "THR"
    mine = [o for o in offices if user is None or user.can_see_office(o)] or offices
    origin = mine[0]
    others = [o for o in offices if o.pk != origin.pk] or [origin]
    return origin.code, others[0].code


def example_row(user=None) -> dict[str, str]:
    """One goods line valid in this installation for ``user`` (``example_offices``); its serial is the example's,
    which the import refuses (``import_formats.example_serial``, this Jalali year's): the user writes a real one or deletes the row."""
    origin, destination = example_offices(user)
    return {
        "serial": example_serial(),
        "declared_at": format_jalali(timezone.now() - dt.timedelta(days=1), with_time=True, persian=False),
        "origin": origin,
        "destination": destination,
        "plate": "22ب34511",
        "plate_country": "IR",
        "waybill_no": "WB-0001",
        "seals": "S100200",
        "guarantee_amount": "1000000000",
        "status": "registered",
        "goods_line": "1",
        "hs_code": "84181000",
        "description": "یخچال خانگی",
        "quantity": "10",
        "unit": "عدد",
        "gross_weight_kg": "700",
    }


def template_csv(user=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerow(example_row(user))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel opens it as UTF-8


def template_xlsx(user=None) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "declarations"
    row = example_row(user)
    sheet.append(COLUMNS)
    sheet.append([row.get(c, "") for c in COLUMNS])
    for cell in sheet[2]:
        cell.data_type = "s"  # text, never a formula or a number that loses its zeros
    guide_sheet = wb.create_sheet(str(_("Columns")))
    guide_sheet.sheet_view.rightToLeft = is_persian()  # the guide is in the page's language
    guide_sheet.append(headings([_("column"), _("required"), _("what it holds")]))
    for name, required, text in guide():
        guide_sheet.append([name, str(_("yes")) if required else "", text])
    for letter, width in (("A", 22), ("B", 10), ("C", 90)):
        guide_sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
