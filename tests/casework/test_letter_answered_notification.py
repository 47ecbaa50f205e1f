"""The origin office hears that its follow-up letter was answered: bazargan sends BZG/1405/…, tehran records the
reply on the letter's page, and bazargan's clerks find «نامهٔ پیگیری گمرک شما پاسخ داده شد» on their bell, linking
to the letter; the kind can be chosen for e-mail. Nobody was told before."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from casework import services as casework
from declarations.models import Status
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


@pytest.fixture
def sent(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=9)
    )
    return casework.letter_send(letter=casework.letter_draft(declaration=declaration, by=origin_clerk), by=origin_clerk)


def test_the_writing_office_is_told_when_the_destination_records_the_reply(
    client, sent, bazargan, origin_clerk, dest_clerk, outsider
):
    colleague = UserFactory(username="origin_colleague", role=Role.OFFICE, office=bazargan)
    client.force_login(dest_clerk)
    answered = client.post(
        f"/casework/letters/{sent.pk}/answer/", {"reply_text": "کامیون رسید.", "reply_number": "THR/1405/88"}
    )
    assert answered.status_code == 302

    told = Notification.objects.filter(kind=Kind.LETTER_ANSWERED)
    assert {n.user for n in told} == {origin_clerk, colleague}  # the writing office, not the replier, nor others
    note = told.get(user=origin_clerk)
    assert note.url == f"/casework/letters/{sent.pk}/"

    client.force_login(origin_clerk)
    bell = client.get("/notifications/").content.decode()
    assert "نامهٔ پیگیری گمرک شما پاسخ داده شد" in bell
    assert "گمرک تهران در" in bell and "THR/1405/88" in bell  # who answered, with their letter's number
    opened = client.get(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == note.url
    assert client.get(note.url).status_code == 200

    preferences = client.get("/notifications/preferences/").content.decode()
    assert 'value="letter_answered"' in preferences and "نامهٔ پیگیری گمرک شما پاسخ داده شد" in preferences


def test_an_origin_clerk_who_types_in_a_paper_reply_is_not_told_of_it(sent, bazargan, origin_clerk):
    colleague = UserFactory(username="origin_colleague", role=Role.OFFICE, office=bazargan)
    casework.letter_record_answer(letter=sent, by=origin_clerk, reply_text="پاسخ کاغذی رسید.")
    assert [n.user for n in Notification.objects.filter(kind=Kind.LETTER_ANSWERED)] == [colleague]
