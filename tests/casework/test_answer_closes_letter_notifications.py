"""An answered letter leaves nothing open on anyone's bell: bazargan's letter to tehran went unanswered, the daily
job told bazargan's clerks «مهلت پاسخ نامه گذشته است» (and headquarters «نامه به ستاد ارجاع شد» once escalated),
tehran's clerks had «نامهٔ پیگیری به گمرک شما رسید»; once tehran records the reply, those are done for everyone
(in the answer's transaction), so no «overdue» item stands for a letter already answered. Another letter's stay."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from casework import services as casework
from casework.models import FollowUpLetter
from declarations.models import Status
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
CHASING = (Kind.LETTER_RECEIVED, Kind.REPLY_OVERDUE, Kind.ESCALATED_TO_HQ)


def _overdue_letter(bazargan, tehran, origin_clerk, *, days: int) -> FollowUpLetter:
    now = timezone.now()
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        departed_at=now - (days + 10) * DAY,
        deadline=now - (days + 5) * DAY,
    )
    letter = casework.letter_draft(declaration=declaration, by=origin_clerk)
    return casework.letter_send(letter=letter, by=origin_clerk, at=now - days * DAY)


@pytest.fixture
def chased(bazargan, tehran, origin_clerk, dest_clerk, hq):
    """A letter sent 45 days ago, reminded and escalated by the daily job, and another sent 30 days ago."""
    letter = _overdue_letter(bazargan, tehran, origin_clerk, days=45)
    other = _overdue_letter(bazargan, tehran, origin_clerk, days=30)
    counts = casework.followups_run()
    assert counts["reminded"] == 2 and counts["escalated"] == 1
    return letter, other


def _open(letter, *kinds):
    return Notification.objects.filter(subject=f"letter:{letter.pk}", kind__in=kinds, done_at__isnull=True)


def test_recording_the_answer_closes_the_letters_received_and_overdue_notifications(
    chased, origin_clerk, dest_clerk, hq
):
    letter, other = chased
    assert set(_open(letter, *CHASING).values_list("kind", "user")) == {
        (Kind.LETTER_RECEIVED, dest_clerk.pk),
        (Kind.REPLY_OVERDUE, origin_clerk.pk),
        (Kind.ESCALATED_TO_HQ, origin_clerk.pk),
        (Kind.ESCALATED_TO_HQ, hq.pk),
    }

    casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="کامیون رسید.")

    assert not _open(letter, *CHASING).exists()
    closed = Notification.objects.filter(subject=f"letter:{letter.pk}", kind__in=CHASING)
    assert closed.count() == 4 and all(n.read_at and n.done_at for n in closed)  # kept, marked done
    # The notice of the answer itself is new and open; the other letter's are untouched.
    assert _open(letter, Kind.LETTER_ANSWERED).exists()
    assert _open(other, *CHASING).count() == 2


def test_a_refused_answer_closes_nothing(chased, dest_clerk):
    letter, _other = chased
    with pytest.raises(Exception, match="text of the reply"):
        casework.letter_record_answer(letter=letter, by=dest_clerk, reply_text="  ")
    assert _open(letter, *CHASING).count() == 4


@pytest.mark.persian
def test_the_bell_no_longer_shows_an_overdue_letter_once_it_is_answered(client, chased, origin_clerk, dest_clerk):
    letter, other = chased
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.force_login(origin_clerk)
    bell = client.get("/notifications/").content.decode()
    assert bell.count('data-kind="reply_overdue"') == 2

    client.force_login(dest_clerk)
    answered = client.post(
        f"/casework/letters/{letter.pk}/answer/", {"reply_text": "کامیون رسید.", "reply_number": "THR/1405/88"}
    )
    assert answered.status_code == 302
    received = client.get("/notifications/").content.decode()
    assert received.count('data-kind="letter_received"') == 1  # the other letter's only

    client.force_login(origin_clerk)
    bell = client.get("/notifications/").content.decode()
    assert bell.count('data-kind="reply_overdue"') == 1  # the other letter's, still unanswered
    overdue = bell.split('data-kind="reply_overdue"')[1].split("</bdi>")[0]
    assert other.number in overdue and letter.number not in overdue
    assert 'data-kind="escalated_to_hq"' not in bell
    everything = client.get("/notifications/?show=all").content.decode()
    assert everything.count('data-kind="reply_overdue"') == 2  # the answered letter's is kept, done
