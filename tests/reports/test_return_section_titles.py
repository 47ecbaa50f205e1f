"""The return's page and its PDF title each section in one wording (the page said «تراز», the PDF «تراز
اظهارنامه‌های تسویه‌نشده»); a share in the files is named as the pair the page counts, «(سهم)» after it; the
trend chart names its series as the return names the figures («مانده اول ماه (تسویه‌نشده)», not «مانده ابتدای
دوره»)."""

import io

import openpyxl
import pytest

from reports import services
from tests.pdftext import norm, pdf_text

TITLES = [
    "تراز اظهارنامه‌های تسویه‌نشده",
    "تسویه‌نشده‌ها به تفکیک علت (پایان ماه)",
    "تسویه‌نشده‌ها به تفکیک روزهای گذشته از مهلت",
    "پیگیری، پرونده‌ها، بازرسی و سامانه‌ها",
    "شماره سریال، IMEI و اسناد حمل",  # in the PDF under the one above, where the page titles them on their own
    "اسکن‌های تکراری",
    "کامیون‌های خارجی",
]

pytestmark = pytest.mark.persian


def _words(text: str) -> list[str]:
    """A line's words as pdftotext gives them, whose bidi moves a comma and a Latin word («IMEI») about."""
    return sorted(norm(text).replace("،", " ").split())


@pytest.fixture
def mordad(hq):
    return services.return_build(year=1404, month=5, province=None, by=hq)


def test_the_page_and_the_pdf_title_each_section_alike(client, hq, mordad):
    client.force_login(hq)
    page = client.get(f"/reports/returns/{mordad.pk}/").content.decode()
    with mordad.pdf.open("rb") as fh:
        text = pdf_text(fh.read())
    lines = [line.strip() for line in text.splitlines()]
    for title in TITLES:
        assert f"<h2>{title}</h2>" in page, title
        assert _words(title) in [_words(line) for line in lines], title
    assert "<h2>تراز</h2>" not in page and "<h2>پیگیری‌ها و پرونده‌ها</h2>" not in page
    assert norm("بر حسب علت") not in text and norm("بر حسب روزهای") not in text


def test_a_share_in_the_files_is_named_as_the_pair_on_the_page(client, hq, mordad):
    client.force_login(hq)
    page = client.get(f"/reports/returns/{mordad.pk}/").content.decode()
    with mordad.xlsx.open("rb") as fh:
        wb = openpyxl.load_workbook(io.BytesIO(fh.read()))
    summary = {r[0] for r in wb["خلاصه"].iter_rows(min_row=2, values_only=True)}
    for pair in ("تصاویر اسکن مبدأ به‌موقع", "اسکن‌های بررسی‌شده در مقصد", "وصول‌های دارای قرائت پلاک"):
        assert f"<td>{pair}</td>" in page, pair
        assert f"{pair} (سهم)" in summary, pair
    assert "سهم اسکن به‌موقع در مبدأ" not in summary


def test_the_trend_names_its_series_as_the_return_names_the_figures(client, hq, mordad):
    client.force_login(hq)
    trend = client.get("/api/reports/trend/", HTTP_ACCEPT_LANGUAGE="fa").json()
    assert trend["names"]["opening"] == "مانده اول ماه (تسویه‌نشده)"
    assert trend["names"]["new"] == "اظهارنامه‌های جدید"
    assert trend["names"]["closing"] == "مانده پایان ماه (تسویه‌نشده)"
    page = client.get(f"/reports/returns/{mordad.pk}/").content.decode()
    for name in trend["names"].values():
        assert f"<td>{name}</td>" in page or f'<td class="ps-4">{name}</td>' in page, name
