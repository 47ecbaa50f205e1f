"""The period boxes of the plate-reader reports and the plate search, and the other date filters: on a
Persian page a date box shows Persian digits; whatever script a date is typed in (Persian, Arabic-Indic,
Latin) it is read, and what a box shows can be sent back as it stands."""

import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core.dates import format_jalali
from tests.export_jobs import job_of

pytestmark = pytest.mark.django_db
REPORT = "/anpr/reports/anpr-reads-per-office-day/"


def box(html: str, name: str) -> str:
    """The value a text box of the page shows."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert tag, f"no box {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag[0])
    return value[1] if value else ""


def today(*, persian: bool) -> str:
    return format_jalali(timezone.now(), with_time=False, persian=persian)


@pytest.mark.persian
@pytest.mark.parametrize("url", [REPORT, "/anpr/plates/"])
def test_a_persian_page_shows_the_period_in_persian_digits_and_takes_them_back(client, inspector, url):
    client.force_login(inspector)
    html = client.get(url).content.decode()
    assert box(html, "to") == today(persian=True)
    assert re.fullmatch(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", box(html, "from"))
    again = client.get(url, {"from": box(html, "from"), "to": box(html, "to")})  # the boxes sent back as shown
    assert again.status_code == 200
    assert (box(again.content.decode(), "from"), box(again.content.decode(), "to")) == (
        box(html, "from"),
        box(html, "to"),
    )


@pytest.mark.persian
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("۱۴۰۴/۰۵/۰۱", "۱۴۰۴/۰۵/۱۰"),  # Persian
        ("١٤٠٤/٠٥/٠١", "١٤٠٤/٠٥/١٠"),  # Arabic-Indic
        ("1404/05/01", "1404-5-10"),  # Latin
    ],
)
def test_a_period_typed_in_any_digits_is_read_and_shown_in_persian(client, hq, start, end):
    client.force_login(hq)
    response = client.get(reverse("anpr:report", args=["anpr-camera-corrections"]), {"from": start, "to": end})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-report="anpr-camera-corrections"' in html
    assert (box(html, "from"), box(html, "to")) == ("۱۴۰۴/۰۵/۰۱", "۱۴۰۴/۰۵/۱۰")
    # The sort links carry the period as every address is written (Latin digits), not percent-encoded Persian.
    assert 'href="?from=1404%2F05%2F01&amp;to=1404%2F05%2F10&amp;sort=0' in html


def test_an_english_page_shows_the_period_in_latin_digits(client, hq):
    client.force_login(hq)
    html = client.get(REPORT, {"from": "۱۴۰۴/۰۵/۰۱"}).content.decode()
    assert box(html, "from") == "1404/05/01" and box(html, "to") == today(persian=False)


@pytest.mark.persian
def test_a_refused_date_stays_in_its_box_as_typed_beside_its_error(client, inspector):
    client.force_login(inspector)
    response = client.get("/anpr/plates/", {"q": "12ب34567", "from": "1404/13/40"})
    html = response.content.decode()
    assert response.status_code == 400
    assert box(html, "from") == "۱۴۰۴/۱۳/۴۰"  # not the default start of the period in its place
    assert box(html, "to") == today(persian=True)


@pytest.mark.persian
def test_the_exports_page_writes_the_period_in_the_pages_digits(client, inspector, bzg_camera):
    client.force_login(inspector)
    with TestCase.captureOnCommitCallbacks():
        job = job_of(client.get(REPORT, {"from": "1404/05/01", "to": "١٤٠٤/٠٥/١٠", "format": "xlsx"}))
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert '<bdi dir="ltr">۱۴۰۴/۰۵/۰۱</bdi>' in html and '<bdi dir="ltr">۱۴۰۴/۰۵/۱۰</bdi>' in html


@pytest.mark.persian
def test_the_declaration_lists_date_boxes_show_persian_digits_whatever_the_link_carried(client, hq):
    """The dashboard's scan compliance figures link here with their window in Latin digits."""
    client.force_login(hq)
    query = {"compliance": "departed", "window_from": "1404/05/01 10:30", "date_from": "1404/05/01"}
    response = client.get(reverse("declarations:list"), query)
    html = response.content.decode()
    assert response.status_code == 200
    assert box(html, "window_from") == "۱۴۰۴/۰۵/۰۱ ۱۰:۳۰" and box(html, "date_from") == "۱۴۰۴/۰۵/۰۱"


@pytest.mark.persian
def test_the_audit_trails_date_boxes_show_persian_digits(client, it_officer):
    client.force_login(it_officer)
    response = client.get(reverse("reports:audit"), {"date_from": "1404/05/01", "date_to": "١٤٠٤/٠٥/١٠"})
    html = response.content.decode()
    assert response.status_code == 200
    assert box(html, "date_from") == "۱۴۰۴/۰۵/۰۱" and box(html, "date_to") == "۱۴۰۴/۰۵/۱۰"
