"""One label per figure on the return's page and in its files: the page said «نامه‌های ارسال‌شده» where the CSV
said «نامه‌های پیگیری ارسالی», «فقط ضبط کالا» where the files said «ضبط کالا (… ماده ۳)»; and the CSV had figures
the page did not show (letters awaiting a reply, system problems reported, destination scans reviewed)."""

import csv
import html
import io

import openpyxl
import pytest

from core.text import strip_isolates
from reports import services
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.persian

SHARES = {"origin_scan_share", "review_share", "share"}  # the page gives the pairs they are the share of


def test_the_page_and_the_files_name_each_figure_alike(client, inspector, west_az):
    snap = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    client.force_login(inspector)
    page = strip_isolates(html.unescape(client.get(f"/reports/returns/{snap.pk}/").content.decode()))
    rows = list(csv.reader(io.StringIO(snap.csv.open("rb").read().decode("utf-8-sig"))))
    figures = [r for r in rows[: rows.index([])] if r and r[0] not in ("section", "return")]
    labels = {(r[0], r[1]): r[2] for r in figures}
    assert labels["letters", "sent"] == "نامه‌های ارسال‌شده"
    for (section, key), label in labels.items():
        if section == "case_milestones" or key in SHARES:
            continue
        assert f">{label}</td>" in page, (section, key, label)  # the page names it with the CSV's words
    for kind in ("ضبط کالا (ارزش تا سقف، ماده ۳)", "پرداخت جریمه ظرف ۲۰ روز (ماده ۱۹)"):
        assert f"<td>{kind}</td>" in page and any(label.startswith(kind) for label in labels.values())
    assert "فقط ضبط کالا" not in page and "نامه‌های پیگیری ارسالی" not in str(rows)
    # The figures only the CSV had: on the page too.
    for figure in ("letters.awaiting_reply_at_end", "system_problems.reported", "scan_compliance.reviewed"):
        assert f'data-figure="{figure}"' in page

    summary = {r[0].value: r[1].value for r in openpyxl.load_workbook(snap.xlsx.open("rb"))["خلاصه"].iter_rows()}
    assert "نامه‌های ارسال‌شده" in summary and "ضبط کالا (ارزش تا سقف، ماده ۳) — سررسید در ماه" in summary
    text = pdf_text(snap.pdf.open("rb").read())
    assert (
        norm("نامه‌های ارسال‌شده") in text and norm("ضبط کالا (ارزش تا سقف") in text
    )  # its closing «، ماده ۳)» comes out reordered
