"""Right after sending a letter its page said «در حال ساخت … چند لحظهٔ دیگر صفحه را دوباره باز کنید»: the
person was asked to reload while the worker rendered the PDF. The line now asks for itself every two seconds
(htmx, as the returns being built and the export jobs do) until the PDF is stored, then shows its digest and
asks no more; the sender is told on their bell when it is ready, once."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from declarations.models import Status
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def sent(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    return casework.letter_send(letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk)


def _section(html: str) -> str:
    found = re.search(r'<section id="letter-pdf"[^>]*>.*?</section>', html, re.S)
    assert found, html
    return found.group(0)


def test_the_page_follows_the_pdf_being_built_instead_of_asking_for_a_reload(client, sent, origin_clerk):
    client.force_login(origin_clerk)
    page = client.get(f"/casework/letters/{sent.pk}/").content.decode()
    section = _section(page)
    assert "دوباره باز کنید" not in page
    assert f'hx-get="/casework/letters/{sent.pk}/?partial=pdf"' in section
    assert 'hx-trigger="every 2s"' in section and 'hx-swap="outerHTML"' in section
    assert "در حال ساخت" in section and "خودبه‌خود" in section


def test_the_partial_polls_until_the_pdf_is_stored_then_gives_its_digest_and_stops(client, sent, origin_clerk):
    client.force_login(origin_clerk)
    url = f"/casework/letters/{sent.pk}/?partial=pdf"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section") and "<html" not in body  # the part alone, for htmx to swap
    assert "hx-get" in _section(body) and "در حال ساخت" in body
    letters.letter_store_pdf(letter_id=sent.pk)  # the task's work
    sent.refresh_from_db()
    section = _section(client.get(url, HTTP_HX_REQUEST="true").content.decode())
    assert "hx-get" not in section and "در حال ساخت" not in section
    assert sent.pdf_sha256[:8] in section and f"/casework/letters/{sent.pk}/pdf/" in section


def test_the_partial_outside_htmx_is_the_whole_page(client, sent, origin_clerk):
    client.force_login(origin_clerk)
    body = client.get(f"/casework/letters/{sent.pk}/?partial=pdf").content.decode()
    assert "<html" in body


def test_the_sender_is_told_once_when_the_pdf_is_ready(sent, origin_clerk, dest_clerk):
    assert not Notification.objects.filter(kind=Kind.LETTER_PDF_READY).exists()
    letters.letter_store_pdf(letter_id=sent.pk)
    letters.letter_store_pdf(letter_id=sent.pk)  # a second run stores nothing and tells nobody again
    notes = list(Notification.objects.filter(kind=Kind.LETTER_PDF_READY))
    assert [n.user for n in notes] == [origin_clerk]
    assert notes[0].url == f"/casework/letters/{sent.pk}/"
    assert not Notification.objects.filter(user=dest_clerk, kind=Kind.LETTER_PDF_READY).exists()
