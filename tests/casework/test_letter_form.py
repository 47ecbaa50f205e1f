"""A letter as it is read: its paragraphs as typed in the page's form, its number as issued, and the monthly
return's cover box, an official letter's too, with its number and date."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from core.dates import format_jalali, jalali_month_bounds
from declarations.models import Status
from reports import services as reports
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

DAY = dt.timedelta(days=1)


@pytest.fixture
def draft(bazargan, tehran, origin_clerk):
    now = timezone.now()
    overdue = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - 12 * DAY,
        departed_at=now - 12 * DAY,
        deadline=now - 9 * DAY,
    )
    return casework.letter_draft(declaration=overdue, by=origin_clerk)


def test_paragraphs_typed_in_the_form_stay_paragraphs_on_the_page_and_in_the_pdf(client, draft, origin_clerk):
    client.force_login(origin_clerk)
    # a browser sends a textarea's lines ended by CRLF; the second "blank" line holds a space
    body = "بند اول نامه.\r\n\r\nبند دوم نامه.\r\n \r\nبند سوم نامه."
    response = client.post(f"/casework/letters/{draft.pk}/", {"subject": "پیگیری", "body": body})
    assert response.status_code == 302
    sent = casework.letter_send(letter=draft, by=origin_clerk)
    page = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    assert re.findall(r"<li>(بند [^<]+)</li>", page) == ["بند اول نامه.", "بند دوم نامه.", "بند سوم نامه."]
    html = letters.render_letter_html(sent)
    assert re.findall(r"<li>(بند [^<]+)</li>", html) == ["بند اول نامه.", "بند دوم نامه.", "بند سوم نامه."]
    text = pdf_text(letters.render_letter_pdf(sent))
    assert re.findall(r"بند \S+ نامه\.", text) == ["بند اول نامه.", "بند دوم نامه.", "بند سوم نامه."]
    assert len([line for line in text.splitlines() if "بند" in line]) == 3  # one numbered paragraph each


@pytest.mark.persian
def test_a_letter_number_with_an_office_code_keeps_its_latin_digits_on_the_page_and_in_the_pdf(
    client, draft, origin_clerk
):
    sent = casework.letter_send(letter=draft, by=origin_clerk)
    assert sent.number.startswith("BZG/14")
    client.force_login(origin_clerk)
    page = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    assert f'<bdi dir="ltr" class="ident ident-letter">{sent.number}</bdi>' in page
    assert f"<title>نامه پیگیری \u2066{sent.number}\u2069" in page
    assert "BZG/۱" not in page
    text = pdf_text(letters.render_letter_pdf(sent))
    assert sent.number in text and "BZG/۱" not in text


@pytest.mark.persian
def test_a_letter_number_without_latin_letters_is_written_in_persian_digits(client, draft, origin_clerk, bazargan):
    bazargan.letter_prefix = "ب"
    bazargan.save()
    sent = casework.letter_send(letter=draft, by=origin_clerk)
    persian = sent.number.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    client.force_login(origin_clerk)
    page = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    # Persian letters first: it reads right to left, its digits Persian
    assert f'<bdi dir="rtl" class="ident ident-letter">{persian}</bdi>' in page
    assert "/".join(persian.split("/")[1:]) in pdf_text(letters.render_letter_pdf(sent))


def test_the_monthly_return_pdf_cover_has_its_number_and_date(client, bazargan, west_az, hq):
    start, _end = jalali_month_bounds(1404, 5)
    DeclarationFactory(origin=bazargan, declared_at=start + DAY, status=Status.REGISTERED)
    snap = reports.return_build(year=1404, month=5, province=west_az, by=hq)
    lines = [line.strip() for line in pdf_text(snap.pdf.open("rb").read()).splitlines() if line.strip()]
    number = next(line for line in lines if "شماره" in line and ":" in line)
    assert "WAZ-1404-05-v1" in number
    date = next(line for line in lines if "تاریخ" in line and ":" in line)
    assert format_jalali(snap.built_at, with_time=False) in date
    client.force_login(hq)
    assert "WAZ-1404-05-v1" in client.get(f"/reports/returns/{snap.pk}/").content.decode()
