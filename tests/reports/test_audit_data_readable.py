"""The audit page and its files write an entry's data and changes as a person reads them, never as stored: an
outside walk read «by_eye: خیر», a heatmap's path, a dump of some fifty algorithm constants with True/False, a
score «۰٫۰۱۳۹۶۴۴۲۲۵۸۸۹۶۶۲۰۵», raw region arrays, and a permit finding's «allowed_hours:», «from: BZG»,
«نوع: pace», «country: IR» and «at:» as a UTC ISO time. What is stored is never changed."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from declarations.audit_text import ChangeWriter
from declarations.models import DeclarationEvent
from scans.models import ScanComparison

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

PARAMS = {"CAB_MAX_SHARE": 0.3, "DARK_CHANNEL": False, "DARK_SIGNED": True, "WORK_AREA": 320000}


def _row(page: str, entry: LogEntry) -> str:
    row = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    return row[: row.index("</tr>")]


def test_a_comparisons_result_is_summed_up_not_dumped(db):
    entry = LogEntry(content_type=ContentType.objects.get_for_model(ScanComparison), action=LogEntry.Action.UPDATE)
    entry.changes = {
        "score": ["None", "0.013964422588966205"],
        "boxes": ["[]", json.dumps([[417, 81, 84, 86, 0.018589], [162, 49, 25, 8, 6e-06]])],
        "heatmap": ["", "scans/heatmaps/2026/12/850916eaa0a54aeda7e857fa1a04efa0.png"],
        "algorithm_version": ["", "2026.12.05"],
        "algorithm_params": ["{}", json.dumps(PARAMS)],
    }
    text = " | ".join(ChangeWriter().lines(entry))
    assert "امتیاز: — ← ۰٫۰۱۳۹۶" in text and "۰٫۰۱۳۹۶۴" not in text
    assert "نواحی تغییریافته: — ← ۲ ناحیه" in text and "417" not in text
    assert "لایه نمایش تغییرات: — ← فایل" in text and "scans/" not in text
    assert "پارامترهای الگوریتم: — ← ۴ پارامتر (نسخهٔ \u20662026.12.05\u2069)" in text
    for raw in ("CAB_MAX_SHARE", "True", "False"):
        assert raw not in text


def test_an_events_data_is_labelled_and_named(client, declaration, bazargan, hq):
    at = timezone.now()
    first = DeclarationEvent.objects.create(
        declaration=declaration,
        at=at,
        kind="permit_overdrive",
        message="x",
        data={"permit": "TP-1", "at": "2026-12-06T03:00:00+00:00", "office": "THR", "kind": "pace", "from": "BZG",
              "km": 900, "hours": 5.0, "allowed_hours": 5.0, "driving_hours": 11.3},
    )  # fmt: skip
    second = DeclarationEvent.objects.create(
        declaration=declaration,
        at=at,
        kind="scan_review_accept",
        message="x",
        data={"comparison": 1, "verdict": "suspicious", "remark": "", "by_eye": False},
    )
    overdrive, review = (LogEntry.objects.get_for_object(e).get(action=LogEntry.Action.CREATE) for e in (first, second))
    client.force_login(hq)
    page = client.get(reverse("reports:audit")).content.decode()
    row = _row(page, overdrive)
    assert "از گمرک: گمرک بازرگان" in row and "from: BZG" not in row
    assert "ساعات مجاز: ۵" in row and "allowed_hours" not in row
    assert "نوع: سرعت رانندگی" in row and "pace" not in row
    assert "زمان: ۱۴۰۵/۰۹/۱۵ ۰۶:۳۰" in row and "2026-12-06T03" not in row  # Jalali, Tehran time
    row = _row(page, review)
    assert "پذیرش با بازبینی چشمی (تصاویر هم‌تراز نشد): خیر" in row and "by_eye" not in row


def test_a_plate_a_person_read_is_written_as_the_pages_write_plates(client, declaration, bazargan, hq):
    event = DeclarationEvent.objects.create(
        declaration=declaration,
        at=timezone.now(),
        kind="plate_read_labelled",
        message="87د86813 → 87د86613 @ BZG",  # as ``anpr.review`` keeps it
        data={"read": 3, "label": 4, "match": "confirmed", "before": "87د86813", "plate": "87د86613",
              "country": "IR", "office": "BZG"},
    )  # fmt: skip
    entry = LogEntry.objects.get_for_object(event).get(action=LogEntry.Action.CREATE)
    client.force_login(hq)
    row = _row(client.get(reverse("reports:audit")).content.decode(), entry)
    assert "@ BZG" not in row and "87د86813 →" not in row
    assert "· گمرک بازرگان" in row
    assert "تطبیق: تأییدشده" in row and "کشور: ایران" in row and "country: IR" not in row
    event.refresh_from_db()
    assert event.message == "87د86813 → 87د86613 @ BZG"  # what is stored is unchanged


def test_an_exports_filters_and_parameters_read_as_typed_not_url_encoded(db):
    """An export's entry read «جست‌وجوشده: from=%DB%B1%DB%B4%DB%B0%DB%B5%2F…&format=pdf», one unbroken run that
    overflowed its column, and «params: {'report': 'anpr-camera-corrections'}», a Python dict."""
    from django.utils import translation

    from reports.audit import access_details

    entry = LogEntry(
        action=LogEntry.Action.ACCESS,
        additional_data={
            "access": "export_requested",
            "query": "from=%DB%B1%DB%B4%DB%B0%DB%B5%2F%DB%B0%DB%B9%2F%DB%B0%DB%B1&office=BZG&format=pdf",
            "params": {"report": "anpr-camera-corrections"},
        },
    )
    with translation.override("fa"):
        lines = access_details(entry)
    text = "\n".join(lines)
    assert "جست‌وجوشده: from=۱۴۰۵/۰۹/۰۱، office=BZG، format=pdf" in text
    assert "پارامترها: گزارش: anpr-camera-corrections" in text
    assert "%DB" not in text and "{'" not in text


def test_a_milestones_waived_reason_is_written_once_in_the_readers_language(db):
    """The walk read «علت لغو: شناسهٔ پیام: — ← The value is now %(v)s rial: no longer owed.» and «پارامترها: — ← v:
    grouped: بله, number: 6000000» beside the reason itself: a kept text's message id and parameters say nothing
    to a person (``MESSAGE_COPIES``), for a milestone's reason as for an event's message."""
    from casework.models import CaseMilestone

    entry = LogEntry(content_type=ContentType.objects.get_for_model(CaseMilestone), action=LogEntry.Action.UPDATE)
    entry.changes = {
        "waived_note": ["", "The value is now 6,000,000 rial: no longer owed."],
        "waived_note_msgid": ["", "The value is now %(v)s rial: no longer owed."],
        "waived_note_params": ["{}", json.dumps({"v": {"number": 6000000, "grouped": True}})],
    }
    lines = ChangeWriter().lines(entry)
    assert len(lines) == 1, lines
    assert "ارزش اکنون ۶٬۰۰۰٬۰۰۰ ریال است" in lines[0]
    for raw in ("%(v)s", "no longer owed", "number", "grouped"):
        assert raw not in lines[0]
