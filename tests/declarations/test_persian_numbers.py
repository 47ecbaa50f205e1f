"""Persian pages and letters: amounts grouped, Persian digits and separators, arrows that follow
the text (issue 11, item 21)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from casework.letters import render_letter_pdf
from declarations.models import Status
from tests.declarations.test_importer import row, to_csv
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.persian


@pytest.fixture
def overdue(bazargan, tehran):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        route=["BZG", "TBZ", "THR"],
        guarantee_amount=Decimal("11240000000"),
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=10),
    )


def test_the_detail_page_groups_the_guarantee_and_points_the_route_right_to_left(client, hq, overdue):
    client.force_login(hq)
    page = client.get(reverse("declarations:detail", args=[overdue.pk])).content.decode()
    assert "۱۱٬۲۴۰٬۰۰۰٬۰۰۰ ریال" in page
    # The offices by name (a code no office has, as it is), laid out in order: tests/browser.
    assert "<bdi>گمرک بازرگان</bdi> ← <bdi>TBZ</bdi> ← <bdi>گمرک تهران</bdi>" in page


def test_a_case_shows_its_amounts_grouped_in_persian(client, origin_clerk, overdue):
    case = casework.case_open(
        declaration=overdue,
        by=origin_clerk,
        file_number="9/1405",
        authority="دادگاه انقلاب",
        opened_on=timezone.localdate(),
        cif_value=Decimal("25200.50"),
        exchange_rate=Decimal("820000.0000"),
        duties=Decimal("1000000"),
    )
    client.force_login(origin_clerk)
    page = client.get(reverse("casework:case", args=[case.pk])).content.decode()
    assert "۲۵٬۲۰۰٫۵" in page  # CIF, with the Persian decimal separator
    assert "۸۲۰٬۰۰۰" in page and "۸۲۰۰۰۰.۰۰۰۰" not in page  # the rate
    listing = client.get(reverse("casework:cases")).content.decode()
    assert f"{case.goods_value:,.0f}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")) in listing


def test_the_letter_pdf_numbers_its_paragraphs_in_persian(origin_clerk, overdue):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    text = pdf_text(render_letter_pdf(letter))
    # pdftotext puts a marker's full stop on either side of its number.
    assert re.search(r"(\.۱|۱\.)", text) and re.search(r"(\.۲|۲\.)", text)
    assert not re.search(r"(\.1|1\.)", text)


def test_flash_messages_count_in_persian_digits(client, origin_clerk, overdue, django_capture_on_commit_callbacks):
    client.force_login(origin_clerk)
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("casework:letter_send", args=[letter.pk]), follow=True).content.decode()
    letter.refresh_from_db()
    assert f"نامه \u2066{letter.number}\u2069 ارسال شد" in page  # an identifier: Latin digits beside BZG

    upload = SimpleUploadedFile("export.csv", to_csv([row(), row(serial="T140400000002", plate="bad")]))
    page = client.post(reverse("declarations:import"), {"file": upload}, follow=True).content.decode()
    flash = page.split('class="messages"', 1)[1].split('py-2">', 1)[1].split("</div>", 1)[0]
    assert "۲" in flash and not re.search("[0-9]", flash)  # two rows rejected


def test_a_letter_drafted_from_the_english_pages_is_in_persian_digits(origin_clerk, overdue, settings):
    from django.utils import translation

    settings.FOLLOWUP_REPLY_DUE_DAYS = 28
    with translation.override("en"):
        letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    assert "ظرف ۲۸ روز" in letter.body and "28 روز" not in letter.body


def test_the_proposed_reasons_count_the_others_not_named_in_persian_digits(client, dest_clerk, overdue):
    """«… و 2 مورد دیگر»: the proposal the destination accepts (its note) counted in Latin digits."""
    from declarations import services
    from declarations.detection import MAX_LISTED

    for _ in range(MAX_LISTED + 2):
        DeclarationFactory(origin=overdue.origin, destination=overdue.destination, waybill_no=overdue.waybill_no)
    services.declaration_confirm_arrival(declaration=overdue, by=dest_clerk)
    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[overdue.pk])).content.decode()
    note = re.search(r'name="record_unsettled-note" value="([^"]*)"', html)[1]
    assert " و ۲ مورد دیگر نیز آمده است." in note


def test_the_import_forms_size_limit_is_in_persian_digits(client, origin_clerk, settings):
    settings.IMPORT_MAX_BYTES = 2 * 2**20
    client.force_login(origin_clerk)
    upload = SimpleUploadedFile("export.csv", b"x" * (2 * 2**20 + 1))
    response = client.post(reverse("declarations:import"), {"file": upload})
    assert response.status_code == 400
    assert "حجم فایل بیش از ۲ مگابایت است." in response.content.decode()


def test_the_apis_page_size_bounds_are_in_persian_digits(hq):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(hq)
    body = api.get("/api/declarations/", {"page_size": "0"}).json()["error"]
    assert body["fields"] == {"page_size": ["باید از ۱ تا ۲۰۰ باشد"]}
