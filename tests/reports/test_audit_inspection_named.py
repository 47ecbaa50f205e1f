"""The audit page named an inspection by the text stored when its entry was written: the office in the writer's
language and the date in Persian digits, so an English page read «گمرک بازرگان ۱۴۰۵/۰۹/۱۵». It names it as an
inspection's follow-up action is named: the office in the reader's language, the date in the reader's digits."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.dates import format_jalali
from core.text import FSI, PDI
from reports.models import Inspection

pytestmark = [pytest.mark.django_db]

DAY = dt.date(2026, 12, 6)


def _subject(page: str, row) -> str:
    entry = LogEntry.objects.get_for_object(row).get()
    found = page[page.index(f'<tr data-entry="{entry.pk}">') :]
    subject = found[: found.index("</tr>")].split("<td>")[6]
    return subject[: subject.index("</td>")]


def _inspection(office, inspector):
    with translation.override("fa"):  # written by a Persian reader: the stored text is Persian
        return Inspection.objects.create(
            office=office, inspector=inspector, inspected_on=DAY, origin_scans_uploaded="yes",
            destination_checks_done="yes", anpr_working="no", arrivals_timely="yes", security_measures="yes",
        )  # fmt: skip


def test_an_english_page_names_the_inspection_in_english(client, bazargan, inspector, hq):
    inspection = _inspection(bazargan, inspector)
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    shown = _subject(client.get(reverse("reports:audit")).content.decode(), inspection)
    assert f"{FSI}Bazargan{PDI} · {format_jalali(DAY, persian=False)}" in shown
    assert "گمرک بازرگان" not in shown and format_jalali(DAY, persian=True) not in shown


def test_a_persian_page_names_the_inspection_in_persian(client, bazargan, inspector, hq):
    inspection = _inspection(bazargan, inspector)
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    shown = _subject(client.get(reverse("reports:audit")).content.decode(), inspection)
    assert f"{FSI}گمرک بازرگان{PDI} · {format_jalali(DAY, persian=True)}" in shown
