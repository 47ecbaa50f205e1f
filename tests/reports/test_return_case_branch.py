"""The monthly return's judicial cases name the authority with its branch, «دادگاه انقلاب ماکو شعبهٔ ۲», as the case
page, the list and the timeline do; its XLSX wrote «دادگاه انقلاب ماکو» alone."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from casework import services as casework
from core.dates import TEHRAN
from declarations.models import Status, UnsettledReason
from reports import exports, parts, returns
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _case(bazargan, tehran, inspector, serial: str, file_number: str, **fields):
    d = DeclarationFactory(
        serial=serial,
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=60),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    casework.case_open(
        declaration=d,
        by=inspector,
        file_number=file_number,
        opened_on=dt.date(2026, 10, 25),  # 1405/08/03
        discovered_at=dt.datetime(2026, 10, 25, 9, tzinfo=TEHRAN),
        cif_value="1000",
        exchange_rate="700000",
        **fields,
    )


def _authorities(figures) -> list[str]:
    buf = io.BytesIO()
    exports.write_xlsx(figures, buf)
    buf.seek(0)
    rows = openpyxl.load_workbook(buf)["پرونده‌های قضایی"].iter_rows(min_row=2, values_only=True)
    return sorted(r[4] for r in rows if r[0] == "تشکیل")


def test_the_xlsx_names_each_case_s_authority_with_its_branch(bazargan, tehran, inspector, west_az):
    _case(bazargan, tehran, inspector, "1405-BZG-00012884", "1405-1", authority="دادگاه انقلاب ماکو", branch="2")
    _case(bazargan, tehran, inspector, "1405-BZG-00012885", "1405-2", authority="تعزیرات", branch="شعبه ۳")
    _case(bazargan, tehran, inspector, "1405-BZG-00012886", "1405-3", authority="دادسرای ماکو")
    figures = returns.build_figures(1405, 8, west_az)
    assert _authorities(figures) == sorted(["دادسرای ماکو", "دادگاه انقلاب ماکو شعبهٔ ۲", "تعزیرات شعبه ۳"])


def test_a_return_built_before_the_branch_was_kept_names_its_authority(bazargan, tehran, inspector, west_az):
    # An office's part is made from the stored figures (the whole return's XLSX reads its cases when it is built).
    _case(bazargan, tehran, inspector, "1405-BZG-00012884", "1405-1", authority="دادگاه انقلاب ماکو", branch="2")
    part = returns.build_figures(1405, 8, west_az)["offices"]["BZG"]
    for case in part["cases"]["opened_list"]:
        case.pop("branch", None)
    buf = io.BytesIO()
    parts.write_part(part, [], "xlsx", buf, version=1)
    buf.seek(0)
    rows = openpyxl.load_workbook(buf)["پرونده‌های قضایی"].iter_rows(min_row=2, values_only=True)
    assert [r[4] for r in rows if r[0] == "تشکیل"] == ["دادگاه انقلاب ماکو"]
