"""An escalation letter is addressed to the destination office («گمرک مقصد: …», headquarters copied): its body
speaks to that office, not to headquarters («… به دفتر ترانزیت … منعکس می‌گردد. خواهشمند است نتیجه را به این گمرک
اعلام فرمایند» read as asking the destination to tell itself). A draft shows who will sign it, marked as a draft:
the drafter, or for a draft the system proposed, the person previewing it (who signs it when sending)."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import letters
from casework import services as casework
from casework.models import FollowUpLetter, LetterKind, LetterStatus
from declarations.models import Status
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def _escalation(bazargan, tehran, origin_clerk) -> FollowUpLetter:
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
    casework._follow_up_draft(first, LetterKind.ESCALATION, now)  # proposed by the daily task: nobody's draft
    return FollowUpLetter.objects.get(declaration=overdue, status=LetterStatus.DRAFT)


def test_the_escalation_speaks_to_the_destination_office_and_copies_headquarters(bazargan, tehran, origin_clerk):
    draft = _escalation(bazargan, tehran, origin_clerk)
    assert draft.kind == LetterKind.ESCALATION and draft.to_office == tehran
    second = draft.paragraphs[1]
    assert "به دفتر ترانزیت گمرک ایران منعکس می‌گردد" not in second
    assert "آن گمرک" in second and "رونوشت" in second, second
    assert casework.HQ_TRANSIT_OFFICE in draft.copies


def test_a_draft_shows_who_will_sign_it_as_a_draft(bazargan, tehran, origin_clerk):
    draft = _escalation(bazargan, tehran, origin_clerk)
    assert draft.signer_name == ""  # the system's proposal
    text = pdf_text(letters.render_letter_pdf(draft, sender=origin_clerk))
    signer = text.split(norm(draft.paragraphs[-1][-20:]), 1)[-1]
    assert norm("رضا احمدی") in signer and norm("پیش‌نویس") in signer, signer
    # Without a person previewing it (no sender known), it says the sender signs it.
    html = letters.render_letter_html(draft)
    assert "امضا نشده" in html and "ارسال‌کننده" in html


def test_a_draft_previewed_by_someone_who_may_not_send_it_is_signed_by_the_sending_office(
    bazargan, tehran, origin_clerk, inspector, hq
):
    """The inspector's (or headquarters') preview names no person: not themselves, who cannot send it; the
    office that sends it signs it, once it does."""
    draft = _escalation(bazargan, tehran, origin_clerk)
    inspector.first_name, inspector.last_name, inspector.title = "حمید", "نظری", "بازرس گمرک استان"
    hq.first_name, hq.last_name, hq.title = "مریم", "کاظمی", "کارشناس دفتر ترانزیت"
    for viewer in (inspector, hq):
        html = letters.render_letter_html(draft, sender=viewer)
        signer = html.split('id="signer"', 1)[1].split('<div class="copies"', 1)[0]
        assert viewer.last_name not in signer and viewer.title not in signer, signer
        assert "امضا: گمرک بازرگان (هنگام ارسال)" in signer and "پیش‌نویس — امضا نشده" in signer, signer
        assert letters.preview_version(draft, viewer) == letters.preview_version(draft)
    text = pdf_text(letters.render_letter_pdf(draft, sender=inspector))
    signer = text.split(norm(draft.paragraphs[-1][-20:]), 1)[-1]
    assert norm("گمرک بازرگان (هنگام ارسال)") in signer and norm("امضا نشده") in signer, signer
    assert norm("نظری") not in signer, signer
