"""The language a person chooses with the pages' switch is kept on their account (audited), shown on
their account page, and their e-mails are written in it; Persian until they choose."""

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, User
from notifications import services
from notifications.messages import Ident, Message
from notifications.models import Kind
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.persian]  # the project's language: Persian

SWITCH = reverse("set_language")


@pytest.fixture
def clerk(bazargan):
    return UserFactory(username="clerk", role=Role.OFFICE, office=bazargan, email="clerk@customs.local")


def test_a_new_account_is_persian():
    assert User().language == "fa" == settings.LANGUAGE_CODE


def test_the_switch_keeps_a_signed_in_persons_choice_audited(client, clerk):
    client.force_login(clerk)
    response = client.post(SWITCH, {"language": "en", "next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"  # the page's switch as before
    clerk.refresh_from_db()
    assert clerk.language == "en"
    entry = LogEntry.objects.get_for_object(clerk).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == clerk and entry.changes_dict["language"] == ["fa", "en"]

    client.post(SWITCH, {"language": "fa", "next": "/"})
    clerk.refresh_from_db()
    assert clerk.language == "fa"


def test_the_switch_for_someone_not_signed_in_or_to_no_language_keeps_nothing(client, clerk):
    assert client.post(SWITCH, {"language": "en", "next": "/"}).status_code == 302  # the login page's switch
    client.force_login(clerk)
    client.post(SWITCH, {"language": "de", "next": "/"})
    clerk.refresh_from_db()
    assert clerk.language == "fa"


def test_the_account_page_shows_the_language(client, clerk):
    client.force_login(clerk)
    client.post(SWITCH, {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:account")).content.decode()
    assert '<dd class="col-sm-9 col-lg-10" id="account-language">English' in html


def test_someone_who_switched_to_english_gets_the_next_email_in_english(
    client, clerk, declaration, django_capture_on_commit_callbacks
):
    services.set_email_kinds(clerk, [Kind.SCAN_ESCALATED])
    title = Message("Scan of %(serial)s escalated", serial=Ident("serial", declaration.serial))

    def send() -> mail.EmailMessage:
        mail.outbox.clear()
        with translation.override("fa"), django_capture_on_commit_callbacks(execute=True):  # a Persian page caused it
            services.notify(Kind.SCAN_ESCALATED, [clerk], title=title, url="/scans/")
        (sent,) = mail.outbox
        return sent

    with translation.override("fa"):
        kind_fa = str(Kind.SCAN_ESCALATED.label)
    assert send().subject.startswith(f"{kind_fa}: ")  # Persian until they choose

    client.force_login(clerk)
    client.post(SWITCH, {"language": "en", "next": "/"})
    clerk.refresh_from_db()  # as a caller reads the recipients
    sent = send()
    assert sent.subject == f"A suspicious scan was escalated: Scan of \u2066{declaration.serial}\u2069 escalated"
