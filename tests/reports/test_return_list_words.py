"""The returns list names its last column for what it holds: a count of unsettled serials, not the serials."""

import pytest

from core.dates import month_label
from reports import services
from tests.days import months_back_month
from tests.reports.test_return_submit_confirmed import CONFIRMED

pytestmark = pytest.mark.django_db
YEAR, MONTH = months_back_month()  # an ended month inside the months returns are built for


@pytest.mark.persian
def test_the_list_header_says_it_is_a_count(client, hq):
    services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    assert "<th>تعداد سریال‌های تسویه‌نشده</th>" in page


@pytest.mark.persian
def test_the_page_and_the_pdf_say_in_time_arrivals_count_in_the_same_words(client, hq):
    from tests.pdftext import norm, pdf_text

    snap = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
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
    response = client.post(
        "/reports/", {"year": YEAR, "month": MONTH, "province": "", "provisional": "on"}, follow=True
    )
    said = f"{month_label(YEAR, MONTH)} به پایان رسیده است: گزارش آن قطعی ساخته می‌شود، نه موقت"  # «مرداد ۱۴۰۴ …»
    assert said in response.content.decode()
    assert MonthlyReturn.objects.get().provisional is False
    # unticked, nothing to say
    page = client.post("/reports/", {"year": YEAR, "month": MONTH, "province": ""}, follow=True).content.decode()
    assert "قطعی ساخته می‌شود" not in page


@pytest.mark.persian
def test_headquarters_finalises_its_own_national_return_with_no_letter_to_itself(client, hq, west_az):
    from reports.models import ReturnStatus
    from tests.pdftext import norm, pdf_text

    national = services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{national.pk}/").content.decode()
    assert "نهایی کردن</button>" in page and "ارسال به ستاد" not in page
    assert norm("به:") not in pdf_text(national.pdf.open("rb").read())
    done = client.post(f"/reports/returns/{national.pk}/submit/", CONFIRMED, follow=True).content.decode()
    assert "نهایی شد" in done
    national.refresh_from_db()
    assert national.status == ReturnStatus.SUBMITTED

    province = services.return_build(year=YEAR, month=MONTH, province=west_az, by=hq)
    assert "ارسال به ستاد</button>" in client.get(f"/reports/returns/{province.pk}/").content.decode()
    assert norm("دفتر ترانزیت گمرک ایران") in pdf_text(province.pdf.open("rb").read())
