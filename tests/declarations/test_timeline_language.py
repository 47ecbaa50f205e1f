"""A declaration's timeline is written in the page's language when it is read, whatever language was
active when its events were recorded: the events keep a message id and its parameters (as notifications
do), identifiers as issued and isolated; an event from before keeps its stored text; people's words stay."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from casework import services as casework
from casework import smuggling
from casework.models import CaseMilestone, MilestoneKind
from core.dates import format_jalali
from declarations import evidence
from declarations.models import DeclarationEvent
from notifications.messages import Ident, Message, Number
from tests.casework.test_smuggling import _open, unsettled  # noqa: F401

pytestmark = pytest.mark.django_db

CASE = '<bdi dir="ltr" class="ident ident-case">{}</bdi>'


def _timeline(client, declaration, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    found = re.search(r'<ol class="timeline small" id="timeline">(.*?)</ol>', html, re.S)
    assert found, "no timeline"
    return re.sub(r'<span class="ident">(.*?)</span>', r"\1", found.group(1))  # its text, identifiers held or not


def test_an_overdue_milestone_recorded_in_persian_reads_in_each_pages_language(
    client,
    unsettled,  # noqa: F811
    inspector,
):
    _open(unsettled, inspector, found=timezone.now() - dt.timedelta(days=20), file_number="1405-77")
    with translation.override("fa"):
        assert smuggling.milestones_run() == 3
    event = DeclarationEvent.objects.filter(declaration=unsettled, kind="case_milestone_overdue").first()
    assert event is not None and event.message_msgid  # a message id, not the Persian text only
    step = CaseMilestone.objects.get(pk=event.data["milestone"])
    client.force_login(inspector)

    english = _timeline(client, unsettled, "en")
    label_en = str(MilestoneKind(step.kind).label)
    due_en = format_jalali(step.due_at, persian=False)
    assert f"Case {CASE.format('1405-77')}: {label_en} was due {due_en}" in english
    assert "مهلت" not in english and "پرونده" not in english

    persian = _timeline(client, unsettled, "fa")
    with translation.override("fa"):
        label_fa = str(MilestoneKind(step.kind).label)
    due_fa = format_jalali(step.due_at, persian=True)
    assert f"پرونده {CASE.format('۱۴۰۵-۷۷')}: مهلت «{label_fa}» در {due_fa} گذشت" in persian
    assert "Case" not in persian


def test_a_case_closing_the_declaration_reads_in_each_language_its_outcome_as_written(
    client,
    unsettled,  # noqa: F811
    inspector,
):
    case = _open(unsettled, inspector, file_number="1405-77")
    with translation.override("fa"):
        casework.case_close(
            case=case, by=inspector, outcome="حکم ضبط کالا", outcome_on=timezone.localdate(), close_declaration=True
        )
    client.force_login(inspector)
    english = _timeline(client, unsettled, "en")
    assert f"Judicial case {CASE.format('1405-77')}: <bdi>حکم ضبط کالا</bdi>" in english
    assert "پرونده" not in english
    persian = _timeline(client, unsettled, "fa")
    assert f"پرونده قضایی {CASE.format('۱۴۰۵-۷۷')}: <bdi>حکم ضبط کالا</bdi>" in persian


def test_an_event_made_in_persian_reads_in_english_identifiers_isolated_and_remarks_as_written(client, declaration, hq):
    with translation.override("fa"):
        evidence.note_event(
            declaration_id=declaration.pk,
            kind="arrival_serials",
            at=timezone.now(),
            actor=hq,
            message=Message(
                "%(new)s recorded; %(found)s found of %(declared)s declared.",
                new=Number(3),
                found=Number(2),
                declared=Number(12),
            ),
        )
        evidence.note_event(
            declaration_id=declaration.pk,
            kind="scan_review_escalate",
            at=timezone.now(),
            actor=hq,
            message=Message("Scan comparison escalated: %(remark)s", remark="پلمب <شکسته>"),
        )
        evidence.note_event(
            declaration_id=declaration.pk,
            kind="traffic_permit_exit",
            at=timezone.now(),
            actor=hq,
            message=Message(
                "Permit %(no)s: left at %(office)s", no=Ident("serial", "TP-0042"), office=Ident("office", "BZG")
            ),
        )
    stored = DeclarationEvent.objects.get(declaration=declaration, kind="arrival_serials")
    assert stored.message_msgid == "%(new)s recorded; %(found)s found of %(declared)s declared."
    assert stored.params == {"new": {"number": 3}, "found": {"number": 2}, "declared": {"number": 12}}
    client.force_login(hq)

    english = _timeline(client, declaration, "en")
    assert "3 recorded; 2 found of 12 declared." in english
    assert "Scan comparison escalated: <bdi>پلمب &lt;شکسته&gt;</bdi>" in english  # the remark as written, escaped
    assert '<bdi dir="ltr" class="ident ident-serial">TP-0042</bdi>' in english
    assert 'left at <bdi dir="ltr" class="ident ident-office">BZG</bdi>' in english
    assert "سریال" not in english

    persian = _timeline(client, declaration, "fa")
    assert "۳ سریال ثبت شد؛ ۲ سریال مشاهده‌شده از ۱۲ سریال اظهارشده." in persian
    assert "recorded" not in persian


def test_an_event_from_before_the_message_ids_shows_its_stored_text(client, declaration, hq):
    DeclarationEvent.objects.create(
        declaration=declaration, kind="imei_check", at=timezone.now(), message="۳۵۶۹۳۸۰۳۵۶۴۳۸۰۹: <ثبت‌شده>"
    )
    DeclarationEvent.objects.create(
        declaration=declaration,
        kind="case_valued",
        at=timezone.now(),
        message="پرونده ۱۴۰۵-۷۷ ارزش‌گذاری شد",
        message_msgid="Case %(n)s valued at %(v)s rial",
        params={"n": "1405-77"},  # a translation that no longer fits what was kept: the stored text
    )
    client.force_login(hq)
    english = _timeline(client, declaration, "en")
    assert "۳۵۶۹۳۸۰۳۵۶۴۳۸۰۹: &lt;ثبت‌شده&gt;" in english
    assert "پرونده ۱۴۰۵-۷۷ ارزش‌گذاری شد" in english
