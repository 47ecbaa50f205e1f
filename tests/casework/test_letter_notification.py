"""A sent follow-up letter reaches the destination office's bell, in Persian, and its link opens the letter."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services
from core.errors import IllegalTransition
from declarations.models import Status
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_a_sent_letter_is_on_the_destination_clerks_bell_and_opens_the_letter(
    client, bazargan, tehran, origin_clerk, dest_clerk
):
    d = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=30)
    )
    draft = services.letter_draft(declaration=d, by=origin_clerk)
    assert not Notification.objects.filter(kind=Kind.LETTER_RECEIVED).exists()  # a draft tells nobody
    letter = services.letter_send(letter=draft, by=origin_clerk)

    told = Notification.objects.filter(kind=Kind.LETTER_RECEIVED)
    assert [n.user for n in told] == [dest_clerk]  # not the writer, not another office
    (n,) = told
    assert n.url == f"/casework/letters/{letter.pk}/"
    assert "\u2066" + d.serial + "\u2069" in n.title  # the serial isolated inside the Persian line

    client.force_login(dest_clerk)
    page = client.get("/notifications/").content.decode()
    assert "نامهٔ پیگیری به گمرک شما رسید" in page
    opened = client.get(f"/notifications/{n.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == n.url
    assert client.get(n.url).status_code == 200
    n.refresh_from_db()
    assert n.read_at is not None

    with pytest.raises(IllegalTransition):  # a second send is refused: nobody is told twice
        services.letter_send(letter=letter, by=origin_clerk)
    assert told.count() == 1
