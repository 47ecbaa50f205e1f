"""The returns list names its last column for what it holds: a count of unsettled serials, not the serials."""

import pytest

from reports import services

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_list_header_says_it_is_a_count(client, hq):
    services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    assert "<th>تعداد سریال‌های تسویه‌نشده</th>" in page


@pytest.mark.persian
def test_the_page_and_the_pdf_say_in_time_arrivals_count_in_the_same_words(client, hq):
    from tests.pdftext import norm, pdf_text

    snap = services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    note = page.split('id="age-note"', 1)[1].split("</p>", 1)[0]
    said = "اگر در مهلت وصول شده، در ردیف «مهلت نگذشته یا وصول در مهلت»"
    assert said in note and "هیچ" not in note
    text = " ".join(pdf_text(snap.pdf.open("rb").read()).split())
    assert norm("در ردیف «مهلت نگذشته یا وصول در مهلت»)") in text  # pdftotext moves the comma before it


@pytest.mark.persian
def test_the_provisional_box_on_an_ended_month_is_not_dropped_silently(client, hq):
    from reports.models import MonthlyReturn

    client.force_login(hq)
    response = client.post("/reports/", {"year": 1404, "month": 5, "province": "", "provisional": "on"}, follow=True)
    assert "مرداد ۱۴۰۴ به پایان رسیده است: گزارش آن قطعی ساخته می‌شود، نه موقت" in response.content.decode()
    assert MonthlyReturn.objects.get().provisional is False
    # unticked, nothing to say
    page = client.post("/reports/", {"year": 1404, "month": 5, "province": ""}, follow=True).content.decode()
    assert "قطعی ساخته می‌شود" not in page
