"""A form names every bad field of a post at once, each beside its field: a future «since» was said only
once the serials were put right, and an inspection's future date, its .exe attachment and an action due
in 1400 only once the action's office was chosen (a form corrected three times over)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.dates import format_jalali
from reports.models import CHECKLIST, Inspection, InspectionAction, InspectionAttachment, SystemProblem
from tests import files
from tests.core.test_form_style import beside

pytestmark = pytest.mark.django_db


def jday(d: dt.date) -> str:
    return format_jalali(d, with_time=False, persian=False)


def test_the_problem_form_names_a_future_since_with_the_serials_not_found(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    ahead = timezone.now() + dt.timedelta(days=3)
    response = client.post(
        "/reports/problems/new/",
        {
            "system": "ics",
            "symptom": "arrivals_not_visible",
            "office": bazargan.pk,
            "since": format_jalali(ahead, persian=False),
            "description": "وصول‌ها دیده نمی‌شوند",
            "serials": "NOPE1",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    beside(html, "id_serials", "Not found in your scope")
    beside(html, "id_since", "is in the future.")
    assert not SystemProblem.objects.exists()


def test_the_problem_form_names_a_since_before_1390(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = client.post(
        "/reports/problems/new/",
        {
            "system": "ics",
            "symptom": "arrivals_not_visible",
            "office": bazargan.pk,
            "since": "1380/01/01 08:00",
            "description": "",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    beside(html, "id_description", "Enter “description”.")
    beside(html, "id_since", "is out of range (1390 to today)")


def test_the_inspection_form_names_every_bad_field_with_a_missing_responsible_office(
    client, settings, inspector, bazargan
):
    client.force_login(inspector)
    ahead = timezone.localdate() + dt.timedelta(days=30)
    exe = SimpleUploadedFile("findings.exe", files.EXE, content_type="application/octet-stream")
    response = client.post(
        "/reports/inspections/new/",
        {
            "office": bazargan.pk,
            "inspected_on": jday(ahead),
            "findings": "",
            **dict.fromkeys(CHECKLIST, "yes"),
            "attachments": [exe],
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "20",
            "actions-0-description": "تعمیر دوربین",
            "actions-0-due_on": "1400/01/01",
        },
    )
    assert response.status_code == 415  # the file refused for what it is, as on its own
    html = response.content.decode()
    beside(html, "id_inspected_on", "The inspection date is in the future.")
    beside(html, "id_attachments", "findings.exe")
    beside(html, "id_actions-0-responsible_office", "Choose “responsible office”.")
    beside(html, "id_actions-0-due_on", "The action is due before the inspection.")
    assert not Inspection.objects.exists() and not InspectionAction.objects.exists()
    assert not InspectionAttachment.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_a_failed_check_without_findings_is_named_with_the_other_fields(client, inspector, bazargan):
    client.force_login(inspector)
    checklist = {**dict.fromkeys(CHECKLIST, "yes"), next(iter(CHECKLIST)): "no"}
    response = client.post(
        "/reports/inspections/new/",
        {"office": bazargan.pk, "inspected_on": "1404/13/40", "findings": "", **checklist},
    )
    assert response.status_code == 400
    html = response.content.decode()
    beside(html, "id_inspected_on", "\u20661404/13/40\u2069 is not a Jalali date: there is no such day.")
    beside(html, "id_findings", "A failed check needs its findings.")
    assert not Inspection.objects.exists()
