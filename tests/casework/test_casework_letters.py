"""Follow-up letters: proposal, numbering in the office's series, the PDF, answers, reminders, escalation."""

import datetime as dt
from unittest import mock

import pytest
from django.db import IntegrityError
from django.utils import timezone

from casework import letters, panels
from casework import services as casework
from casework.models import FollowUpLetter, LetterKind, LetterStatus
from core import pdf
from core.dates import TEHRAN
from core.errors import IllegalTransition, InvalidInput, NotAllowed
from declarations.models import DeclarationEvent, Status, TransitDeclaration
from tests.factories import DeclarationFactory
from tests.pdftext import norm, pdf_text

DAY = dt.timedelta(days=1)


@pytest.fixture
def overdue(bazargan, tehran):
    now = timezone.now()
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        declared_at=now - 12 * DAY,
        departed_at=now - 12 * DAY,
        deadline=now - 9 * DAY,
        waybill_no="WB-77",
    )


def test_it_drafts_a_letter_worded_from_the_declaration(overdue, origin_clerk):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    assert letter.kind == LetterKind.OVERDUE and letter.status == LetterStatus.DRAFT
    assert (letter.from_office.code, letter.to_office.code) == ("BZG", "THR")
    assert letter.number == ""  # numbered only when sent
    assert overdue.serial in letter.subject.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert "اعلام وصول" in letter.body and "مهلت ترانزیت" in letter.body
    assert len(letter.paragraphs) == 2
    assert letter.signer_name == "رضا احمدی"


def test_it_lets_only_the_origin_office_write(overdue, dest_clerk, outsider):
    for user in (dest_clerk, outsider):
        with pytest.raises(NotAllowed):
            casework.letter_draft(declaration=overdue, by=user)
    assert not FollowUpLetter.objects.exists()


def test_it_refuses_a_letter_for_a_declaration_that_needs_none(declaration, origin_clerk):
    with pytest.raises(IllegalTransition, match="needs no follow-up"):
        casework.letter_draft(declaration=declaration, by=origin_clerk)


def test_it_numbers_letters_in_the_office_series_per_jalali_year(overdue, origin_clerk, bazargan, tehran):
    bazargan.letter_prefix = "ب"
    bazargan.save()
    sent = []
    for i in range(3):
        d = (
            overdue
            if i == 0
            else DeclarationFactory(
                origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - DAY
            )
        )
        letter = casework.letter_draft(declaration=d, by=origin_clerk)
        sent.append(
            casework.letter_send(letter=letter, by=origin_clerk, at=dt.datetime(2025, 3, 19, 10, tzinfo=TEHRAN))
        )
    assert [s.number for s in sent] == ["ب/1403/1", "ب/1403/2", "ب/1403/3"]
    # Nowruz starts a new series.
    d = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - DAY)
    letter = casework.letter_draft(declaration=d, by=origin_clerk)
    letter = casework.letter_send(letter=letter, by=origin_clerk, at=dt.datetime(2025, 3, 21, 9, tzinfo=TEHRAN))
    assert letter.number == "ب/1404/1"
    with pytest.raises(IntegrityError):
        FollowUpLetter.objects.filter(pk=letter.pk).update(number_year=1403, number_seq=2)


def test_it_sends_with_a_due_date_renders_the_pdf_and_keeps_the_timeline(
    overdue, origin_clerk, settings, django_capture_on_commit_callbacks
):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    at = dt.datetime(2025, 8, 3, 10, 0, tzinfo=TEHRAN)  # 1404/05/12
    with mock.patch("casework.services.timezone.now", return_value=at + DAY):
        with django_capture_on_commit_callbacks(execute=True):
            sent = casework.letter_send(letter=letter, by=origin_clerk, at=at)
    assert sent.status == LetterStatus.SENT
    assert sent.reply_due_at == at + settings.FOLLOWUP_REPLY_DUE_DAYS * DAY
    assert DeclarationEvent.objects.filter(declaration=overdue, kind="letter_sent").exists()
    sent.refresh_from_db()
    assert sent.pdf.name.endswith(".pdf")  # rendered by the task on commit (eager here)
    text = pdf_text(sent.pdf.open("rb").read())
    assert "بسمه تعالی" in text
    assert "۱۴۰۴/۰۵/۱۲" in text  # the Jalali date, Persian digits
    assert "BZG/1404/1" in text  # an identifier as issued: Latin digits beside its office code
    assert "گمرک مقصد" in text and "گمرک تهران" in text
    assert norm("با سلام و احترام") in text
    assert "رونوشت" in text and "ندارد" in text
    with pytest.raises(IllegalTransition):
        casework.letter_send(letter=sent, by=origin_clerk)


def test_it_renders_a_draft_marked_as_such_without_a_number(overdue, origin_clerk):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    text = pdf_text(letters.render_letter_pdf(letter))
    assert norm("پیش‌نویس") in text and norm("فاقد اعتبار") in text
    assert "شماره" in text and "BZG/" not in text


def test_it_refuses_network_urls_in_pdfs():
    with pytest.raises(ValueError, match="only local files"):
        pdf.local_url_fetcher("https://example.com/font.woff2")


def test_it_records_the_answer(overdue, origin_clerk, dest_clerk):
    letter = casework.letter_send(letter=casework.letter_draft(declaration=overdue, by=origin_clerk), by=origin_clerk)
    with pytest.raises(InvalidInput, match="text of the reply"):
        casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="  ")
    answered = casework.letter_record_answer(
        letter=letter, by=dest_clerk, reply_text="محموله در تاریخ ... وارد شد", reply_number="T/123"
    )
    assert answered.status == LetterStatus.ANSWERED and answered.reply_recorded_by == dest_clerk
    assert answered.answered_at >= answered.sent_at
    with pytest.raises(IllegalTransition):
        casework.letter_record_answer(letter=answered, by=dest_clerk, reply_text="again")


def test_it_proposes_reminds_and_escalates_on_the_clocks(overdue, origin_clerk, bazargan, tehran, settings):
    now = timezone.now()
    arrived = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.ARRIVED, arrived_at=now - 8 * DAY, deadline=now - 9 * DAY
    )
    fresh = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED, arrived_at=now - DAY)
    counts = casework.followups_run(now=now)
    assert counts["proposed"] == 2
    drafts = FollowUpLetter.objects.filter(status=LetterStatus.DRAFT)
    assert set(drafts.values_list("declaration_id", "kind")) == {
        (overdue.pk, LetterKind.OVERDUE),
        (arrived.pk, LetterKind.ARRIVED_UNSETTLED),
    }
    assert not FollowUpLetter.objects.filter(declaration=fresh).exists()
    assert drafts.get(declaration=overdue).drafted_by is None  # proposed by the system
    assert casework.followups_run(now=now)["proposed"] == 0  # safe to repeat

    letter = casework.letter_send(letter=drafts.get(declaration=overdue), by=origin_clerk, at=now - 30 * DAY)
    assert casework.followups_run(now=now) == {"proposed": 0, "reminded": 1, "escalated": 0}
    reminder = FollowUpLetter.objects.get(declaration=overdue, status=LetterStatus.DRAFT)
    assert reminder.kind == LetterKind.REMINDER and reminder.previous_id == letter.pk
    assert "پیرو نامه" in reminder.body
    assert casework.followups_run(now=now)["reminded"] == 0  # one reminder per letter

    later = now + 11 * DAY  # 41 days after sending
    casework.letter_cancel(letter=reminder, by=origin_clerk)
    assert casework.followups_run(now=later)["escalated"] == 1
    escalation = FollowUpLetter.objects.get(declaration=overdue, status=LetterStatus.DRAFT)
    assert escalation.kind == LetterKind.ESCALATION and "دفتر ترانزیت گمرک ایران" in escalation.copies
    letter.refresh_from_db()
    assert letter.escalated_at == later and letter.reminded_at == now


def test_it_escalates_to_headquarters_even_while_a_reminder_draft_waits(overdue, origin_clerk, hq, client):
    panels.register_hooks()  # casework/apps.py calls it in ready()
    now = timezone.now()
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    letter = casework.letter_send(letter=letter, by=origin_clerk, at=now - 30 * DAY)
    assert casework.followups_run(now=now)["reminded"] == 1
    reminder = FollowUpLetter.objects.get(declaration=overdue, status=LetterStatus.DRAFT)  # left unsent

    later = now + 11 * DAY  # 41 days after sending, the reminder still a draft
    assert casework.followups_run(now=later)["escalated"] == 1
    escalation = FollowUpLetter.objects.get(declaration=overdue, status=LetterStatus.DRAFT)
    assert escalation.kind == LetterKind.ESCALATION and escalation.previous_id == letter.pk
    assert escalation.copies[0] == "دفتر ترانزیت گمرک ایران"
    reminder.refresh_from_db()
    assert reminder.status == LetterStatus.CANCELLED and "پیرو نامه" in reminder.body  # replaced, its text kept
    with pytest.raises(IllegalTransition, match="was cancelled"):  # a clerk still editing it is told why
        casework.letter_update_draft(letter=reminder, by=origin_clerk, subject="s", body="b")
    event = DeclarationEvent.objects.get(declaration=overdue, kind="letter_escalation")
    assert "in place of the waiting draft" in event.message
    assert casework.followups_run(now=later + DAY)["escalated"] == 0  # once per letter

    client.force_login(hq)  # headquarters sees it on its dashboard, linked to the escalated letters
    assert "/casework/letters/?escalated=1" in client.get("/").content.decode()
    listing = client.get("/casework/letters/?escalated=1").content.decode()
    assert f"/casework/letters/{letter.pk}/" in listing and f"/casework/letters/{escalation.pk}/" not in listing


def test_it_flags_a_first_letter_not_sent_within_seven_days_of_the_deadline(overdue, origin_clerk):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    assert casework.letter_is_late_draft(letter)  # deadline was 9 days ago
    TransitDeclaration.objects.filter(pk=overdue.pk).update(deadline=timezone.now() - 2 * DAY)
    letter.refresh_from_db()
    assert not casework.letter_is_late_draft(letter)


def test_it_runs_the_daily_task(overdue):
    from casework.tasks import followups_daily

    assert followups_daily.delay().get()["proposed"] == 1
