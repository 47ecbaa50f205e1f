"""A letter's page after its reply: the reply's number was glued to the answer's date («زمان پاسخ
۱۴۰۵/۰۹/۱۰ JLF/1405/77»); it has its own line, labelled «شمارهٔ پاسخ» and isolated. Right after sending,
while the PDF is rendered in the background, the page showed no SHA-256 line at all; it says it is being
built, and gives the digest once the PDF is stored."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from declarations.models import Status
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def sent(bazargan, tehran, origin_clerk):
    now = timezone.now()
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=now - dt.timedelta(days=9)
    )
    return casework.letter_send(letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk)


def _page(client, letter) -> str:
    return client.get(f"/casework/letters/{letter.pk}/").content.decode()


def test_the_reply_number_has_its_own_labelled_line(client, sent, dest_clerk):
    casework.letter_record_answer(letter=sent, by=dest_clerk, reply_text="رسید.", reply_number="JLF/1405/77")
    client.force_login(dest_clerk)
    page = _page(client, sent)
    answered = re.search(r"<dt>زمان پاسخ</dt><dd>([^<]*)</dd>", page)
    assert answered and "JLF" not in answered.group(1)
    assert re.search(r'<dt>شمارهٔ پاسخ</dt><dd id="reply-number"><bdi [^>]*>JLF/1405/77</bdi></dd>', page), page


def test_the_pdfs_digest_is_said_to_be_in_the_making_until_it_is_stored(client, sent, origin_clerk):
    client.force_login(origin_clerk)
    sha = re.search(r'<small class="sha" id="letter-pdf-sha">(.*?)</small>', _page(client, sent), re.S)
    assert sha and "در حال ساخت" in sha.group(1)
    letters.letter_store_pdf(letter_id=sent.pk)  # the task's work
    sent.refresh_from_db()
    sha = re.search(r'<small class="sha" id="letter-pdf-sha">(.*?)</small>', _page(client, sent), re.S)
    assert sha and "در حال ساخت" not in sha.group(1) and sent.pdf_sha256[:8] in sha.group(1)
