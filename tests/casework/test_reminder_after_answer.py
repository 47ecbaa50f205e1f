"""A reply ends the chase: after letter BZG/1405/2 was answered, the reminder proposed for want of its reply
stayed among the drafts, flagged late, and could still be sent, asking for a reply already received. The
answer withdraws it (cancelled, its text kept, audited, the reason on the declaration's timeline), and a
reminder of an answered letter is refused should one still be a draft."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from casework import services as casework
from casework.models import FollowUpLetter, LetterKind, LetterStatus
from core.errors import IllegalTransition
from declarations.models import DeclarationEvent, Status
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def reminded(bazargan, tehran, origin_clerk):
    """A letter sent 30 days ago, unanswered, and the reminder the daily job proposed for it."""
    now = timezone.now()
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=now - 40 * DAY,
        deadline=now - 35 * DAY,
    )
    letter = casework.letter_draft(declaration=declaration, by=origin_clerk)
    letter = casework.letter_send(letter=letter, by=origin_clerk, at=now - 30 * DAY)
    assert casework.followups_run(now=now)["reminded"] == 1
    reminder = FollowUpLetter.objects.get(declaration=declaration, status=LetterStatus.DRAFT)
    assert reminder.kind == LetterKind.REMINDER and reminder.previous_id == letter.pk
    return letter, reminder


def test_the_answer_withdraws_the_reminder(client, reminded, dest_clerk, origin_clerk):
    letter, reminder = reminded
    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="کامیون رسید.", reply_number="JLF/1405/77")
    reminder.refresh_from_db()
    assert reminder.status == LetterStatus.CANCELLED and "پیرو نامه" in reminder.body  # kept, withdrawn
    entry = LogEntry.objects.get_for_object(reminder).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == dest_clerk and "status" in entry.changes_dict
    event = DeclarationEvent.objects.get(declaration=letter.declaration, kind="letter_withdrawn")
    assert "withdrawn: the reply to letter" in event.message and letter.number in event.message
    client.force_login(origin_clerk)
    drafts = client.get("/casework/letters/?status=draft").content.decode()
    assert f"/casework/letters/{reminder.pk}/" not in drafts
    with pytest.raises(IllegalTransition):
        casework.letter_send(letter=reminder, by=origin_clerk)


def test_a_reminder_of_an_answered_letter_left_a_draft_cannot_be_sent(reminded, dest_clerk, origin_clerk):
    letter, reminder = reminded
    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="کامیون رسید.")
    FollowUpLetter.objects.filter(pk=reminder.pk).update(status=LetterStatus.DRAFT)  # as an older row may be
    with pytest.raises(IllegalTransition, match="was answered on .*asks for a reply already received"):
        casework.letter_send(letter=reminder, by=origin_clerk)
    reminder.refresh_from_db()
    assert reminder.status == LetterStatus.DRAFT and not reminder.number


def test_another_draft_on_the_declaration_is_left_alone(reminded, dest_clerk):
    letter, reminder = reminded
    FollowUpLetter.objects.filter(pk=reminder.pk).update(previous=None, kind=LetterKind.OVERDUE)  # a clerk's own
    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="کامیون رسید.")
    reminder.refresh_from_db()
    assert reminder.status == LetterStatus.DRAFT


@pytest.mark.persian
def test_the_withdrawn_reminders_page_says_why(client, reminded, dest_clerk, origin_clerk, bazargan, tehran):
    """Its page said only «ابطال‌شده» above a body still asking for a reply: it now names the answer that ended it."""
    from django.conf import settings

    from core.dates import format_jalali

    letter, reminder = reminded
    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="کامیون رسید.", reply_number="JLF/1405/77")
    letter.refresh_from_db()
    client.force_login(origin_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.get(f"/casework/letters/{reminder.pk}/").content.decode()
    why = html.split('id="cancelled-why"')[1].split("</p>")[0]
    assert "ابطال شد: پاسخ نامهٔ" in why and letter.number in why
    assert format_jalali(letter.answered_at, with_time=False) in why
    now = timezone.now()
    other = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=now - 40 * DAY,
        deadline=now - 35 * DAY,
    )
    draft = casework.letter_draft(declaration=other, by=origin_clerk)
    casework.letter_cancel(letter=draft, by=origin_clerk)  # cancelled by hand, no previous letter: no such line
    assert 'id="cancelled-why"' not in client.get(f"/casework/letters/{draft.pk}/").content.decode()
