"""Return pages and API: build on demand (a task), view, download, submit; scoping; the trend."""

import datetime as dt

import openpyxl
import pytest

from core.dates import jalali_month_bounds, month_label, persian_digits, previous_jalali_month
from declarations.models import Status
from reports.models import MonthlyReturn, ReturnStatus
from tests.days import months_back_month
from tests.factories import DeclarationFactory
from tests.reports.test_return_submit_confirmed import CONFIRMED

# An ended month inside the months returns are built for (a fixed 1404/05 is refused 24 months on), and the
# month before it.
YEAR, MONTH = months_back_month()
PREV = previous_jalali_month(YEAR, MONTH)
S, E = jalali_month_bounds(YEAR, MONTH)


@pytest.fixture
def data(bazargan, tehran):
    DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )


def test_it_builds_views_downloads_and_submits_a_province_return(client, data, inspector, west_az):
    client.force_login(inspector)
    response = client.post("/reports/", {"year": YEAR, "month": MONTH, "province": west_az.pk})
    assert response.status_code == 302
    snap = MonthlyReturn.objects.get()
    assert (snap.province, snap.version, snap.built_by) == (west_az, 1, inspector)

    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert (
        month_label(YEAR, MONTH, persian=False) in page and "Closing balance (unsettled)" in page
    )  # the page in its reader's language

    xlsx = client.get(f"/reports/returns/{snap.pk}/xlsx/")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    import io

    wb = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert wb["سریال‌های تسویه‌نشده"].max_row == 2

    client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED)
    snap.refresh_from_db()
    assert snap.status == ReturnStatus.SUBMITTED
    assert "Submit to headquarters" not in client.get(f"/reports/returns/{snap.pk}/").content.decode()


def test_it_keeps_returns_within_scope(client, data, inspector, outsider, west_az, hq):
    client.force_login(inspector)
    client.post("/reports/", {"year": YEAR, "month": MONTH, "province": ""})  # not national: their own province
    snap = MonthlyReturn.objects.get()
    assert snap.province == west_az
    client.force_login(outsider)
    assert client.get(f"/reports/returns/{snap.pk}/").status_code == 404
    assert client.get(f"/reports/returns/{snap.pk}/pdf/").status_code == 404
    assert client.post("/reports/", {"year": YEAR, "month": MONTH, "province": west_az.pk}).status_code == 400
    client.force_login(hq)
    assert client.get(f"/reports/returns/{snap.pk}/").status_code == 200


def test_it_builds_through_the_api_and_draws_the_trend(client, data, hq, west_az):
    client.force_login(hq)
    for year, month in (PREV, (YEAR, MONTH)):
        assert client.post("/api/reports/returns/build/", {"year": year, "month": month}).status_code == 202
    assert client.post("/api/reports/returns/build/", {"year": YEAR, "month": 13}).json()["error"]["fields"]["month"]
    listed = client.get("/api/reports/returns/").json()["results"]
    assert {(r["year"], r["month"], r["province"]) for r in listed} == {(*PREV, None), (YEAR, MONTH, None)}
    detail = client.get(f"/api/reports/returns/{listed[0]['id']}/").json()
    assert "unsettled_by_reason" in detail["figures"]
    trend = client.get("/api/reports/trend/").json()
    # the chart's axis in the page's language (English here): «Tir 1404», «Mordad 1404»
    assert trend["labels"] == [month_label(*PREV, persian=False), month_label(YEAR, MONTH, persian=False)]
    assert trend["series"]["new"] == [0, 1] and trend["series"]["closing"] == [0, 1]
    page = client.get("/reports/trend/").content.decode()
    assert "reports/trend.js" in page and "chart.umd.min.js" in page and "<script>" not in page


@pytest.mark.parametrize(
    ("who", "code"), [("hq", "ZZ"), ("inspector", "ZZ"), ("inspector", "KHR"), ("dest_clerk", "WAZ")]
)
def test_a_trend_province_that_is_none_of_the_users_is_refused_not_answered_with_another(
    client, request, khorasan, west_az, tehran_province, who, code
):
    """``?province=ZZ`` drew the national trend (headquarters) and another province's code the user's own
    (an inspector), each under the province asked for in the address."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/reports/trend/", {"province": code})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<html" in html and 'id="trend"' not in html and "national" not in html.split("<h1>", 1)[1].split("</h1>")[0]
    errors = html.split('id="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert "<strong>province</strong>: No province with this code in your scope." in errors
    api = client.get("/api/reports/trend/", {"province": code})
    assert api.status_code == 400 and "series" not in api.json()
    assert api.json()["error"]["fields"] == {"province": ["No province with this code in your scope."]}


def test_the_trend_keeps_its_scope_rules(client, hq, inspector, west_az, khorasan):
    client.force_login(inspector)  # their own province, asked or not
    for query in ({}, {"province": ""}, {"province": "WAZ"}):
        page = client.get("/reports/trend/", query)
        assert page.status_code == 200 and page.context["province"] == west_az
        assert client.get("/api/reports/trend/", query).status_code == 200
    client.force_login(hq)  # any province, or the national trend
    assert client.get("/reports/trend/").context["province"] is None
    assert client.get("/reports/trend/", {"province": "KHR"}).context["province"] == khorasan
    assert client.get("/api/reports/trend/", {"province": "KHR"}).status_code == 200


@pytest.mark.persian
def test_a_trend_province_that_is_none_is_refused_in_persian(client, hq):
    client.force_login(hq)
    html = client.get("/reports/trend/", {"province": "ZZ"}).content.decode()
    assert "<strong>استان</strong>: استانی با این کد در حوزهٔ شما نیست." in html


def test_it_makes_a_future_month_a_clear_error(hq):
    from core.errors import InvalidInput
    from reports import services

    with pytest.raises(InvalidInput, match="not started"):
        services.return_build(year=1450, month=1, province=None, by=hq)
    assert not MonthlyReturn.objects.exists()


@pytest.mark.persian
def test_the_build_form_speaks_persian_digits_and_month_names(client, data, inspector, west_az):
    import re

    from django.utils import timezone

    from core.dates import jalali_month_of, previous_jalali_month

    client.force_login(inspector)
    page = client.get("/reports/").content.decode()
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    year_input = re.search(r'<input[^>]*name="year"[^>]*>', page).group(0)
    assert f'value="{persian_digits(year)}"' in year_input  # not Latin digits in a Persian page
    month_select = page[page.index('name="month"') : page.index("</select>", page.index('name="month"'))]
    assert "مرداد" in month_select and "اسفند" in month_select  # the months by name
    assert re.search(rf'<option value="{month}" selected>', month_select)

    # Typed in Persian digits, picked by name (posted as its number): the return is built.
    typed = {"year": persian_digits(YEAR), "month": str(MONTH), "province": west_az.pk}  # «۱۴۰۴»
    assert client.post("/reports/", typed).status_code == 302
    assert MonthlyReturn.objects.get().year == YEAR
    refused = client.post("/reports/", {"year": "۱۲۰۰", "month": "13", "province": west_az.pk})
    assert refused.status_code == 400
    assert "year" in refused.context["form"].errors and "month" in refused.context["form"].errors


def test_the_returns_list_reads_in_english_on_english_pages(client, data, hq):
    """In English the list named each return «مرداد ۱۴۰۴ | کل کشور» and the build form offered
    «5. مرداد»: the list's month and scope follow the page's language (the return itself stays the
    Persian document)."""
    client.force_login(hq)
    client.post("/reports/", {"year": YEAR, "month": MONTH, "province": ""})
    page = client.get("/reports/").content.decode()
    assert month_label(YEAR, MONTH, persian=False) in page and "Whole country" in page and "5. Mordad" in page
    assert "کل کشور" not in page and "مرداد" not in page


@pytest.mark.persian
def test_the_returns_list_keeps_its_persian_labels(client, data, hq):
    client.force_login(hq)
    client.post("/reports/", {"year": YEAR, "month": MONTH, "province": ""})
    page = client.get("/reports/").content.decode()
    assert month_label(YEAR, MONTH) in page and "کل کشور" in page and "۵. مرداد" in page  # «مرداد ۱۴۰۴»


@pytest.mark.persian
def test_the_trend_names_its_months_in_persian_on_persian_pages(client, data, hq):
    client.force_login(hq)
    for year, month in (PREV, (YEAR, MONTH)):
        client.post("/reports/", {"year": year, "month": month, "province": ""})
    # «تیر ۱۴۰۴», «مرداد ۱۴۰۴»
    assert client.get("/api/reports/trend/").json()["labels"] == [month_label(*PREV), month_label(YEAR, MONTH)]


@pytest.mark.persian
def test_a_return_submitted_twice_names_its_version_in_persian_digits(client, data, inspector, west_az):
    """From a page left open in a second tab: «نسخه 1 پیش‌تر ارسال شده است.» had a Latin 1."""
    client.force_login(inspector)
    client.post("/reports/", {"year": YEAR, "month": MONTH, "province": west_az.pk})
    snap = MonthlyReturn.objects.get()
    client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED)
    page = client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED, follow=True).content.decode()
    assert "نسخه ۱ پیش‌تر ارسال شده است." in page


def test_each_file_of_a_return_has_its_hash_on_its_own_row(client, hq):
    """A line «XLSX SHA-256 … · PDF SHA-256 … · CSV SHA-256 …» broke up right to left, each hash beside the
    wrong file's name: one row a file, its name and its hash (isolated left to right) side by side."""
    import re

    from reports import services as return_services
    from reports.models import MonthlyReturn

    snap = return_services.return_build(year=YEAR, month=MONTH, province=None, by=hq)
    snap = MonthlyReturn.objects.get(pk=snap.pk)
    client.force_login(hq)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    files = page.split('id="return-files"', 1)[1].split("</table>", 1)[0]
    for fmt, digest in (("xlsx", snap.xlsx_sha256), ("pdf", snap.pdf_sha256), ("csv", snap.csv_sha256)):
        row = re.search(rf'<tr data-file="{fmt}">(.*?)</tr>', files, re.S).group(1)
        assert f"/{fmt}/" in row and f'data-sha256="{digest}"' in row and 'dir="ltr"' in row


@pytest.mark.persian
def test_the_build_form_offers_the_scope_and_month_last_built_from_it(client, data, hq, west_az):
    """After building West Azerbaijan's return the form was back on «کشوری»: the next province's build started from
    the nation."""
    import re

    client.force_login(hq)
    assert client.post("/reports/", {"year": YEAR, "month": MONTH, "province": west_az.pk}).status_code == 302
    page = client.get("/reports/").content.decode()
    select = page.split('name="province"', 1)[1].split("</select>", 1)[0]
    assert re.search(rf'<option value="{west_az.pk}" selected>', select)


@pytest.mark.persian
def test_the_returns_list_groups_the_unsettled_count_as_persian_writes_it(client, hq, west_az):
    MonthlyReturn.objects.create(
        year=YEAR, month=MONTH, province=west_az, version=1, sha256="e" * 64, figures={"unsettled_count": 1877}
    )
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    assert "<td>۱٬۸۷۷</td>" in page and "۱۸۷۷" not in page
