"""A letter's copies (رونوشت), one recipient a line: a line repeated was kept twice, a 3,000-character line
was taken and ran over the PDF's margin. Exact repeats are dropped (a recipient copied twice is copied once);
a line past 200 characters is refused naming the line, as are more than ten lines; the PDF wraps a line."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from casework.models import FollowUpLetter
from declarations.models import Status
from tests.core.test_form_style import beside
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(bazargan, tehran, origin_clerk):
    overdue = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )
    return casework.letter_draft(declaration=overdue, by=origin_clerk)


def _post(client, letter, copies):
    return client.post(f"/casework/letters/{letter.pk}/", {"subject": "پیگیری", "body": "متن", "copies": copies})


def test_repeated_lines_are_kept_once(client, draft, origin_clerk):
    client.force_login(origin_clerk)
    response = _post(client, draft, "دفتر ترانزیت\nبازرسی استان\n دفتر ترانزیت \n\nدفتر ترانزیت")
    draft.refresh_from_db()
    assert response.status_code == 302 and draft.copies == ["دفتر ترانزیت", "بازرسی استان"]


def test_a_line_too_long_is_refused_naming_it_and_nothing_is_saved(client, draft, origin_clerk):
    before = list(draft.copies)
    client.force_login(origin_clerk)
    response = _post(client, draft, "دفتر ترانزیت\n" + "ب" * 3000)
    assert response.status_code == 400
    beside(response.content.decode(), "id_copies", "At most 200 characters; 3,000 were written.")
    assert FollowUpLetter.objects.get(pk=draft.pk).copies == before

    response = _post(client, draft, "\n".join(f"دفتر {n}" for n in range(11)))
    assert response.status_code == 400
    beside(response.content.decode(), "id_copies", "At most 10 copies, one a line (there are 11).")
    with pytest.raises(casework.InvalidInput):  # the service refuses the same (the API, a script)
        casework.letter_update_draft(letter=draft, by=origin_clerk, subject="s", body="b", copies=["ب" * 201])


def test_the_pdf_wraps_a_long_line_and_names_the_purpose_once(draft, origin_clerk):
    long_line = "ب" * 200
    casework.letter_update_draft(
        letter=draft, by=origin_clerk, subject="s", body="b", copies=[long_line, "دفتر ترانزیت جهت اقدام"]
    )
    draft.refresh_from_db()
    text = pdf_text(letters.render_letter_pdf(draft))
    assert long_line not in text and "ب" * 20 in text  # broken over lines, not run off the page
    assert "جهت اقدام جهت استحضار" not in text and "جهت اقدام" in text


def test_a_line_that_names_nobody_is_refused_naming_it(client, draft, origin_clerk):
    """A line «x» was kept as a recipient."""
    before = list(draft.copies)
    client.force_login(origin_clerk)
    response = _post(client, draft, "دفتر ترانزیت\nx")
    assert response.status_code == 400
    beside(
        response.content.decode(), "id_copies", "Line 2 of the copies, “x”, names no recipient (at least 3 letters)."
    )
    assert FollowUpLetter.objects.get(pk=draft.pk).copies == before


def test_the_person_is_told_which_repeated_lines_were_dropped(client, draft, origin_clerk):
    """Exact repeats were dropped without a word."""
    client.force_login(origin_clerk)
    response = _post(client, draft, "دفتر ترانزیت\nبازرسی استان\nدفتر ترانزیت")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Copies typed more than once are kept once: دفتر ترانزیت." in page
    response = _post(client, draft, "دفتر ترانزیت\nبازرسی استان")
    assert "kept once" not in client.get(response.url).content.decode()
