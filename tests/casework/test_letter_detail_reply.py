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


def test_a_reply_number_typed_in_persian_digits_is_stored_and_shown_in_latin_digits(client, sent, dest_clerk):
    """«THR/1405/۷۷» was stored as typed: the same reply number in two digit scripts."""
    casework.letter_record_answer(letter=sent, by=dest_clerk, reply_text="رسید.", reply_number=" THR/1405/۷۷ ")
    sent.refresh_from_db()
    assert sent.reply_number == "THR/1405/77"
    client.force_login(dest_clerk)
    assert re.search(r'<dd id="reply-number"><bdi [^>]*>THR/1405/77</bdi></dd>', _page(client, sent))


@pytest.fixture
def overdue_case(bazargan, tehran, inspector):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=40)
    )
    return casework.case_open(
        declaration=declaration,
        by=inspector,
        file_number="1405-991",
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=3),
        cif_value="1000",
        exchange_rate="700000",
    )


def test_the_migration_writes_stored_reply_and_file_numbers_in_latin_digits(sent, dest_clerk, overdue_case):
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from casework.models import FollowUpLetter, JudicialCase

    migration = "0005_latin_digits_in_reply_and_file_numbers"
    convert = importlib.import_module(f"casework.migrations.{migration}").latin_digits
    apps = MigrationLoader(connection).project_state(("casework", migration)).apps
    casework.letter_record_answer(letter=sent, by=dest_clerk, reply_text="رسید.", reply_number="THR/1405/77")
    FollowUpLetter.objects.filter(pk=sent.pk).update(reply_number="THR/۱۴۰۵/۷۷ ب")  # as stored before
    JudicialCase.objects.filter(pk=overdue_case.pk).update(file_number="۱۴۰۵-۹۹۱")
    convert(apps, None)
    assert FollowUpLetter.objects.get(pk=sent.pk).reply_number == "THR/1405/77 ب"
    assert JudicialCase.objects.get(pk=overdue_case.pk).file_number == "1405-991"
