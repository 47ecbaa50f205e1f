"""A reminder or an escalation quotes the earlier letter of the series («پیرو نامه شماره …»): the number is
an identifier, issued as «BZG/1405/2», and the letter's own number reads so; the body quoted it in Persian
digits («BZG/۱۴۰۵/۲»), a number no one issued and no search finds. It reads as issued, in the body and the PDF."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from casework.models import LetterKind
from declarations.models import Status
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


@pytest.mark.parametrize("kind", [LetterKind.REMINDER, LetterKind.ESCALATION])
def test_the_earlier_letters_number_is_quoted_as_issued(bazargan, tehran, origin_clerk, kind):
    now = timezone.now()
    overdue = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - 40 * DAY,
        departed_at=now - 40 * DAY,
        deadline=now - 35 * DAY,
    )
    first = casework.letter_draft(declaration=overdue, by=origin_clerk)
    first = casework.letter_send(letter=first, by=origin_clerk, at=now - 30 * DAY)
    assert first.number.startswith("BZG/")
    follow = casework.letter_draft(declaration=overdue, by=origin_clerk, kind=kind, previous=first)
    assert f"پیرو نامه شماره \u2066{first.number}\u2069" in follow.body
    assert first.number.translate(PERSIAN) not in follow.body

    follow = casework.letter_send(letter=follow, by=origin_clerk)
    text = pdf_text(letters.render_letter_pdf(follow))
    assert first.number in text and first.number.translate(PERSIAN) not in text
