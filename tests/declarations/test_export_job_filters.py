"""The declaration list's XLSX export names its filters as the list's filter form does, on the export's page
and in «My exports», in the reader's language: each by its field's label, a choice by its label, an office or
province by its name, a date in Jalali, a plate or a serial through its identifier's helper; never the raw
query ("status: registered")."""

import re

import pytest
from django.test import TestCase
from django.urls import reverse

from core.models import ExportJob
from tests.export_jobs import job_of

pytestmark = pytest.mark.django_db
XLSX = reverse("declarations:export-xlsx")
ASKED = {
    "q": "12ب34567",
    "origin": "BZG",
    "province": "WAZ",
    "status": "unsettled",
    "reason": "duplicate_waybill",
    "date_from": "1404/05/01",
    "date_to": "۱۴۰۴/۰۵/۳۱",  # in Persian digits: the page shows it in the page's digits
    "company": "Iran Trans",
    "sort": "serial",
}


def _filters(html: str) -> list[str]:
    """The filters as the page writes them ("name: value"), tags left out."""
    block = html.split("data-filters", 1)[1].split("</d", 1)[0]
    spans = re.findall(r'<span class="d-inline-block me-3">(.*?)</span>', block, re.S)
    return [re.sub(r"<[^>]+>", "", s).strip() for s in spans]


def _ask(client, query) -> ExportJob:
    with TestCase.captureOnCommitCallbacks():  # the page names the filters whether or not the file is built
        return job_of(client.get(XLSX, query))


def test_the_filters_are_named_as_the_list_names_them(client, hq, bazargan, west_az):
    client.force_login(hq)
    job = _ask(client, ASKED)

    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    listed = client.get(reverse("core:export-list")).content.decode()

    expected = [
        "Search: ۱۲ ب ۳۴۵ - ایران ۶۷",  # an Iranian plate in its Persian form, as everywhere
        "Origin office: Bazargan",
        "Province: West Azerbaijan",
        "Status: unsettled",
        "Reason not settled: duplicate waybill",
        "Declared from: 1404/05/01",
        "Declared to: 1404/05/31",
        "Transport company: Iran Trans",
        "Sort: serial, ascending",
    ]
    assert _filters(page) == expected
    assert _filters(listed) == expected
    assert '<bdi dir="rtl" class="ident ident-plate">' in page  # through the plate's helper


@pytest.mark.persian
def test_the_filters_are_named_in_persian_for_a_persian_reader(client, hq, bazargan, west_az):
    client.force_login(hq)
    job = _ask(client, ASKED)

    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()

    assert _filters(page) == [
        "جستجو: ۱۲ ب ۳۴۵ - ایران ۶۷",
        "گمرک مبدأ: گمرک بازرگان",
        "استان: آذربایجان غربی",
        "وضعیت: تسویه‌نشده",
        "علت عدم تسویه: بیجک تکراری",
        "تاریخ اظهار از: ۱۴۰۴/۰۵/۰۱",
        "تاریخ اظهار تا: ۱۴۰۴/۰۵/۳۱",
        "شرکت حمل‌ونقل: Iran Trans",
        "مرتب‌سازی: شماره سریال، صعودی",
    ]


def test_a_serial_searched_for_reads_left_to_right_as_a_serial(client, hq):
    client.force_login(hq)
    job = _ask(client, {"q": " 1404-BZG-00010056 "})

    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()

    assert '<bdi dir="ltr" class="ident ident-serial">1404-BZG-00010056</bdi>' in page
    assert "q: " not in page


def test_a_filter_the_form_no_longer_takes_is_written_as_asked(client, hq):
    job = ExportJob.objects.create(user=hq, kind="declarations", fmt="xlsx", language="en", query="origin=GONE")
    client.force_login(hq)

    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()

    assert _filters(page) == ["Origin office: GONE"]
