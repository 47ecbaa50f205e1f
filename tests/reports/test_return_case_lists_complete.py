"""The monthly return's XLSX, the file headquarters keeps, lists every judicial case opened in the month and every
action of the month, however many: the figures keep only the first ``CASE_LIST_LIMIT`` of each (the page and the
PDF name a few), and the workbook built with the return stopped there too, saying nothing. An office's part, made
from the stored figures, says how many of how many it holds."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import parts, returns, services
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

SHEET = "پرونده‌های قضایی"


@pytest.fixture
def three_cases(bazargan, tehran, inspector, monkeypatch):
    """Three cases opened from Bazargan in Aban 1405, each with an action; the figures keep two of each."""
    monkeypatch.setattr(returns, "CASE_LIST_LIMIT", 2)
    for n in range(3):
        d = DeclarationFactory(
            serial=f"1405-BZG-0001288{n}",
            origin=bazargan,
            destination=tehran,
            status=Status.UNSETTLED,
            arrived_at=timezone.now() - dt.timedelta(days=60),
            unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
        )
        case = casework.case_open(
            declaration=d,
            by=inspector,
            file_number=f"1405-MAK-10{n}",
            authority="تعزیرات",
            opened_on=dt.date(2026, 10, 25 + n),  # 1405/08/03 …
            discovered_at=dt.datetime(2026, 10, 25, 9, tzinfo=TEHRAN),
            cif_value="1000",
            exchange_rate="700000",
        )
        casework.case_add_action(case=case, by=inspector, on=dt.date(2026, 11, 1 + n), action=f"جلسه رسیدگی {n}")


def _rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[SHEET]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_the_stored_xlsx_lists_every_case_and_action_of_the_month(three_cases, west_az, inspector):
    snap = services.return_build(year=1405, month=8, province=west_az, by=inspector)
    assert snap.figures["cases"]["opened"] == 3 and len(snap.figures["cases"]["opened_list"]) == 2
    with snap.xlsx.open("rb") as fh:
        rows = _rows(fh.read())
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("تشکیل", "1405-MAK-100", "1405/08/03"),
        ("تشکیل", "1405-MAK-101", "1405/08/04"),
        ("تشکیل", "1405-MAK-102", "1405/08/05"),
        ("اقدام", "1405-MAK-100", "1405/08/10"),
        ("اقدام", "1405-MAK-101", "1405/08/11"),
        ("اقدام", "1405-MAK-102", "1405/08/12"),
    ]


def test_an_offices_part_says_how_many_of_its_cases_and_actions_it_lists(three_cases, west_az, inspector):
    snap = services.return_build(year=1405, month=8, province=west_az, by=inspector)
    out = io.BytesIO()
    parts.write_part(snap.figures["offices"]["BZG"], [], "xlsx", out, version=snap.version)
    rows = _rows(out.getvalue())
    assert [r[1] for r in rows if r[0] == "تشکیل"] == ["1405-MAK-100", "1405-MAK-101"]
    assert [r[1] for r in rows if r[0] == "اقدام"] == ["1405-MAK-100", "1405-MAK-101"]
    notes = [r[4] for r in rows if r[0] == "—"]
    assert notes == [
        "۲ از ۳ پرونده در این فهرست آمده است؛ همهٔ آن‌ها در فایل XLSX گزارش استان است.",
        "۲ از ۳ اقدام در این فهرست آمده است؛ همهٔ آن‌ها در فایل XLSX گزارش استان است.",
    ]
