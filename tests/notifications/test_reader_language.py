"""A notification is written in its reader's language when it is read, whatever language was active when
it was made: the list and the bell in the page's language, the e-mail in the recipient's (the project's:
users keep no language), identifiers as issued and isolated; a row from before keeps its stored text."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Role
from anpr.reasons import decision_message, decision_text
from casework import smuggling
from casework.models import CaseMilestone, MilestoneKind
from core.dates import format_jalali
from declarations import services as declaration_services
from notifications import services
from notifications.messages import Ident, Message, Number, render, render_html
from notifications.models import Kind, Notification
from tests.casework.test_smuggling import _open, unsettled  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")


def _page(client, language: str, path: str = LIST) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(path, {"show": "all"}).content.decode()


def _serial_html(serial: str) -> str:
    return f'<bdi dir="ltr" class="ident ident-serial">{serial}</bdi>'


def _bell(html: str) -> str:
    found = re.search(r'id="bell" href="[^"]*" aria-label="([^"]*)"', html)
    assert found, "no bell"
    return found.group(1)


@pytest.fixture
def unseen(declaration, origin_clerk, dest_clerk, tehran, tehran_province):
    """An arrival confirmed at Tehran (a gate with a camera) with no plate read, confirmed on a Persian
    page: Tehran's inspector is told, the office named in the details."""
    tehran.has_anpr = True
    tehran.save()
    inspector = UserFactory(username="thr-inspector", role=Role.INSPECTOR, province=tehran_province)
    with translation.override("fa"):
        declaration_services.declaration_depart(
            declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(days=1)
        )
        declaration.refresh_from_db()
        declaration_services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    note = Notification.objects.get(user=inspector, kind=Kind.ARRIVAL_UNSEEN)
    assert note.title_msgid and note.body_msgid  # kept as messages, not as the Persian text
    return inspector, declaration, note


def test_a_notice_made_in_persian_reads_in_english_on_an_english_page_and_in_persian_on_a_persian_one(client, unseen):
    inspector, declaration, note = unseen
    client.force_login(inspector)

    english = _page(client, "en")
    assert str(Kind.ARRIVAL_UNSEEN.label) in english
    assert f'data-notification="{note.pk}"' in english and _serial_html(declaration.serial) in english
    assert '<div class="small" data-body>Tehran</div>' in english and "گمرک تهران" not in english
    assert _bell(english) == "Notifications: 1 unread"

    persian = _page(client, "fa")
    with translation.override("fa"):
        kind_fa = str(Kind.ARRIVAL_UNSEEN.label)
    assert kind_fa in persian and _serial_html(declaration.serial) in persian
    assert '<div class="small" data-body>گمرک تهران</div>' in persian and "never seen" not in persian
    assert "۱" in _bell(persian) and "Notifications" not in _bell(persian)


def test_an_overdue_milestone_made_in_persian_is_worded_and_dated_in_each_readers_language(
    client,
    unsettled,  # noqa: F811
    inspector,
):
    found = timezone.now() - dt.timedelta(days=20)
    case = _open(unsettled, inspector, found=found, file_number="1405-77")
    with translation.override("fa"):
        assert smuggling.milestones_run() == 3
    note = Notification.objects.filter(user=inspector, kind=Kind.MILESTONE_OVERDUE).order_by("pk").first()
    assert note is not None
    step = CaseMilestone.objects.get(case=case, pk=int(note.subject.split(":")[1]))
    client.force_login(inspector)

    english = _page(client, "en")
    due_en = format_jalali(step.due_at, persian=False)  # English pages: Jalali, Latin digits
    label_en = str(MilestoneKind(step.kind).label)
    assert f'Case <bdi dir="ltr" class="ident ident-case">1405-77</bdi>: {label_en} was due {due_en}' in english
    assert "مهلت" not in english

    persian = _page(client, "fa")
    with translation.override("fa"):
        label_fa = str(MilestoneKind(step.kind).label)
    due_fa = format_jalali(step.due_at, persian=True)
    assert (
        f'پرونده <bdi dir="ltr" class="ident ident-case">۱۴۰۵-۷۷</bdi>: مهلت «{label_fa}» در {due_fa} گذشت' in persian
    )


@pytest.mark.persian
def test_the_email_is_in_the_recipients_language_whatever_the_page_that_caused_it(
    declaration, origin_clerk, dest_clerk, tehran, tehran_province, django_capture_on_commit_callbacks
):
    """The clerk confirming the arrival reads English; the inspector's e-mail is in Persian, the project's
    language (users keep none of their own), the serial as issued between isolates."""
    tehran.has_anpr = True
    tehran.save()
    inspector = UserFactory(
        username="thr-inspector", role=Role.INSPECTOR, province=tehran_province, email="thr@customs.local"
    )
    services.set_email_kinds(inspector, [Kind.ARRIVAL_UNSEEN])
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(days=1)
    )
    declaration.refresh_from_db()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        declaration_services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    (sent,) = mail.outbox
    assert sent.to == ["thr@customs.local"]
    with translation.override("fa"):
        kind_fa = str(Kind.ARRIVAL_UNSEEN.label)
    assert sent.subject == f"{kind_fa}: \u2066{declaration.serial}\u2069"
    assert sent.body.startswith("گمرک تهران\n\n") and "Tehran" not in sent.body
    assert Notification.objects.get(user=inspector).emailed_at is not None


def test_a_row_from_before_shows_its_stored_text(client, inspector):
    old = Notification.objects.create(
        user=inspector,
        kind=Kind.SCAN_ESCALATED,
        title="۱۴۰۴-BZG-00010056 <i>",
        body="پلمب شکسته",
        url="/",
    )
    client.force_login(inspector)
    english = _page(client, "en")
    assert f'data-notification="{old.pk}"' in english
    assert "<bdi data-title>۱۴۰۴-BZG-00010056 &lt;i&gt;</bdi>" in english  # escaped as before
    assert '<div class="small" data-body>پلمب شکسته</div>' in english


def test_a_message_that_cannot_be_written_shows_the_stored_text(client, unseen):
    """A translation changed since, whose placeholders no longer fit the parameters: the text kept
    beside it is shown rather than an error."""
    inspector, declaration, note = unseen
    Notification.objects.filter(pk=note.pk).update(params={})
    note.refresh_from_db()
    assert note.title_text() == note.title and note.body_text() == note.body == "Tehran"  # the project's language here
    client.force_login(inspector)
    assert f"<bdi data-title>{note.title}</bdi>" in _page(client, "en")


def test_words_as_written_are_escaped_and_numbers_follow_the_readers_digits():
    message = Message(
        "%(c)d created, %(u)d updated, %(n)d unchanged, %(r)d rejected.",
        c=Number(12),
        u=Number(0),
        n=Number(1),
        r=Number(2),
    )
    assert render(message) == "12 created, 0 updated, 1 unchanged, 2 rejected."
    with translation.override("fa"):
        assert render(message) == "۱۲ ایجادشده، ۰ به‌روزشده، ۱ بدون تغییر، ۲ ردشده."
    assert str(render_html(Message("%(file)s", file="<script>"))) == "<bdi>&lt;script&gt;</bdi>"
    assert str(render_html(Message("%(s)s", s=Ident("serial", "A<B")))) == _serial_html("A&lt;B")


def test_a_training_runs_decision_is_worded_in_each_readers_language():
    recorded = "reads 12 held-out reviewed crops better than v3"
    message = decision_message(recorded)
    assert message is not None
    assert render(message) == "reads 12 held-out reviewed crops better than version 3" == decision_text(recorded)
    with translation.override("fa"):
        assert render(message) == decision_text(recorded) and "۱۲" in render(message)
