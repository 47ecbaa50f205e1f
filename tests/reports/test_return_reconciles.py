"""The return's lines add up on every face of it: opening + new − settled − closed after a judicial case −
cancelled = closing, and settled on time + settled late = settled (a closed case is not a settlement)."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def every_outflow(bazargan, tehran):
    def mk(declared, status, **kw):
        return DeclarationFactory(origin=bazargan, destination=tehran, declared_at=declared, status=status, **kw)

    # opening: five open at the start of the month
    mk(S - 9 * DAY, Status.SETTLED, arrived_at=S + DAY, deadline=S + 2 * DAY, settled_at=S + 3 * DAY)  # on time
    mk(S - 9 * DAY, Status.SETTLED, arrived_at=S + 4 * DAY, deadline=S + 2 * DAY, settled_at=S + 5 * DAY)  # late
    mk(S - 90 * DAY, Status.CLOSED, deadline=S - 80 * DAY, closed_at=S + 6 * DAY)  # closed after a case
    mk(S - 5 * DAY, Status.CANCELLED, cancelled_at=S + 2 * DAY)
    mk(S - 5 * DAY, Status.IN_TRANSIT, departed_at=S - 4 * DAY, deadline=E + 5 * DAY)  # still open
    # new: three declared in the month, one of them closed in it, two open at its end
    mk(S + DAY, Status.CLOSED, closed_at=S + 20 * DAY)
    mk(S + 2 * DAY, Status.REGISTERED)
    mk(S + 3 * DAY, Status.REGISTERED)
    # opening 5 + new 3 − settled 2 − closed 2 − cancelled 1 = closing 3


EXPECTED = {
    "opening": 5,
    "new": 3,
    "settled": 2,
    "settled_on_time": 1,
    "settled_late": 1,
    "closed_after_case": 2,
    "cancelled": 1,
    "closing": 3,
}


def _reconciles(f: dict) -> None:
    assert f == EXPECTED
    assert f["opening"] + f["new"] - f["settled"] - f["closed_after_case"] - f["cancelled"] == f["closing"]
    assert f["settled_on_time"] + f["settled_late"] == f["settled"]


def test_the_return_reconciles_on_the_page_and_in_every_file(client, every_outflow, west_az, hq):
    snap = services.return_build(year=1404, month=5, province=west_az, by=hq)
    _reconciles({k: snap.figures[k] for k in EXPECTED})

    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    table = page[page.index('id="balance"') : page.index("</table>", page.index('id="balance"'))]
    shown = dict(re.findall(r"<td[^>]*>([^<]+)</td><td>(\d+)</td>", table))
    _reconciles(
        {
            "opening": int(shown["Opening balance (unsettled)"]),
            "new": int(shown["New declarations"]),
            "settled": int(shown["Settled in the month"]),
            "settled_on_time": int(shown["settled on time"]),
            "settled_late": int(shown["settled late"]),
            "closed_after_case": int(shown["Closed after a judicial case"]),
            "cancelled": int(shown["Cancelled"]),
            "closing": int(shown["Closing balance (unsettled)"]),
        }
    )
    # the closed line is its own outflow, not indented under «settled»
    assert re.search(r'<td class="ps-4">Closed after a judicial case', table) is None

    persian = {
        "opening": "مانده اول ماه (تسویه‌نشده)",
        "new": "اظهارنامه‌های جدید",
        "settled": "تسویه‌شده در ماه",
        "settled_on_time": "تسویه به‌موقع",
        "settled_late": "تسویه با تأخیر",
        "closed_after_case": "مختومه پس از پرونده قضایی",
        "cancelled": "ابطال‌شده",
        "closing": "مانده پایان ماه (تسویه‌نشده)",
    }
    wb = openpyxl.load_workbook(snap.xlsx.open("rb"))
    summary = {str(row[0]).strip(): row[1] for row in wb["خلاصه"].iter_rows(min_row=2, values_only=True)}
    _reconciles({k: summary[label] for k, label in persian.items()})

    rows = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    _reconciles({r[1]: int(r[3]) for r in rows if len(r) == 4 and r[0] == "balance"})

    lines = [line.strip() for line in pdf_text(snap.pdf.open("rb").read()).splitlines() if line.strip()]
    fa = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    _reconciles({k: int(lines[lines.index(norm(label)) + 1].translate(fa)) for k, label in persian.items()})


def test_the_national_return_reconciles_by_province(client, every_outflow, hq):
    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    (waz,) = snap.figures["provinces"]
    _reconciles({k: waz[k] for k in EXPECTED})
    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    by_province = page[page.index("By province (origin office)") :]
    assert "<th>closed after a judicial case</th>" in by_province
    assert re.search(r"<td>5</td><td>3</td><td>2</td><td>2</td><td>1</td><td>3</td>", by_province)
