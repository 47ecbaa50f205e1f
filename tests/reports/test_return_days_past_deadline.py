"""A truck that arrived is not past its transit deadline while it waits for its settlement: the return counts
its days past the deadline at arrival (none when it arrived in time), and the wait since in its own column."""

import datetime as dt

import openpyxl
import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)  # Mordad 1404: 31 days


@pytest.fixture
def open_at_end(bazargan, tehran):
    def mk(serial, **kw):
        return DeclarationFactory(
            serial=serial,
            origin=bazargan,
            destination=tehran,
            declared_at=S - 120 * DAY,
            departed_at=S - 119 * DAY,
            **kw,
        )

    return {
        # arrived a day before its deadline, 132 days before the end of the month: awaiting settlement
        "on_time": mk("1404-BZG-00000305", status=Status.ARRIVED, deadline=S - 100 * DAY, arrived_at=S - 101 * DAY),
        # arrived three days late, 38 days before the end
        "late": mk("1404-BZG-00000306", status=Status.ARRIVED, deadline=S - 10 * DAY, arrived_at=S - 7 * DAY),
        # not arrived, ten days past its deadline at the end
        "overdue": mk("1404-BZG-00000307", status=Status.IN_TRANSIT, deadline=E - 10 * DAY),
    }


def test_an_arrived_truck_counts_its_days_late_at_arrival_not_its_wait_for_settlement(client, open_at_end, west_az, hq):
    snap = services.return_build(year=1404, month=5, province=west_az, by=hq)
    ages = snap.figures["unsettled_by_age"]
    assert ages == {"not_due": 1, "d0_7": 1, "d8_28": 1, "d29_40": 0, "over_40": 0, "over_90": 0}

    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert "<td>deadline not passed, or arrived within it</td><td>1</td>" in page
    assert "<td>over 40 days</td><td>0</td>" in page
    assert "not by the time it has waited for its settlement since" in page

    sheet = openpyxl.load_workbook(snap.xlsx.open("rb"))["سریال‌های تسویه‌نشده"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[6] == "روز پس از مهلت (تا وصول یا پایان ماه)"
    assert header[10] == "روز از وصول (در انتظار تسویه)"
    by_serial = {r[0]: r for r in rows}
    assert (by_serial["1404-BZG-00000305"][6], by_serial["1404-BZG-00000305"][10]) == (None, 132)
    assert (by_serial["1404-BZG-00000306"][6], by_serial["1404-BZG-00000306"][10]) == (3, 38)
    assert (by_serial["1404-BZG-00000307"][6], by_serial["1404-BZG-00000307"][10]) == (10, None)

    text = pdf_text(snap.pdf.open("rb").read())
    assert "روز از وصول" in text and "۱۳۲" in text
    # the longest past the deadline first: the overdue truck, the late one, then the one in time
    assert text.index("00000307") < text.index("00000306") < text.index("00000305")


def test_an_office_part_pdf_lists_the_longest_past_the_deadline_first_by_the_same_clock(open_at_end, west_az, hq):
    import io

    from reports import parts

    snap = services.return_build(year=1404, month=5, province=west_az, by=hq)
    rows = list(parts.office_rows(snap.csv.open("rb"), "BZG"))
    out = io.BytesIO()
    parts.write_part(snap.figures["offices"]["BZG"], rows, "pdf", out, version=snap.version)
    text = pdf_text(out.getvalue())
    assert text.index("00000307") < text.index("00000306") < text.index("00000305")
