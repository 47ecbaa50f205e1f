"""Every form in the one shared style (templates/includes/form_fields.html): a wrong or empty submit
comes back with each error beside its own field (the input marked invalid, the message in the
same field block, right after it), never as a list at the top of the page.

One test per form that was raw HTML before: scan upload and review, the letter's draft and reply,
the judicial case and its action and outcome, the system problem and its resolution, the audit
filters."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services as casework
from core.dates import date_example, datetime_example
from declarations.models import Status
from reports import services as report_services
from reports.models import Symptom, System
from tests.factories import DeclarationFactory
from tests.scans.conftest import departed, done_comparison  # noqa: F401 (fixtures)

BLOCK_START = re.compile(r'<div class="mb-2[^"]*">|<fieldset class="mb-2"')


def beside(html: str, field_id: str, message: str = "") -> str:
    """The field's block (label, input, help, errors); asserts the input is marked invalid and an
    error (``message``, when given) follows it inside the block."""
    at = html.index(f'id="{field_id}"')
    start = max(m.start() for m in BLOCK_START.finditer(html, 0, at))
    following = [m.start() for m in BLOCK_START.finditer(html, at)] + [html.index("</form>", at)]
    block = html[start : min(following)]
    tag = block[block.index(f'id="{field_id}"') :].split(">", 1)[0]
    assert "is-invalid" in block[: block.index(f'id="{field_id}"')].rsplit("<", 1)[1] + tag, block
    assert 'aria-invalid="true"' in tag or block.startswith("<fieldset"), block
    errors = block[block.index(f'id="{field_id}"') :]
    assert 'class="invalid-feedback d-block"' in errors, block
    if message:
        assert message in errors.split('class="invalid-feedback d-block"', 1)[1], block
    return block


@pytest.fixture
def overdue(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=timezone.now() - dt.timedelta(days=8)
    )


# --- scans ----------------------------------------------------------------------------------------


def test_the_scan_upload_form(client, declaration, origin_clerk):
    from declarations import services

    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    client.force_login(origin_clerk)
    response = client.post(reverse("scans:upload", args=[declaration.pk]), {"captured_at": "1404/13/40 10:00"})
    html = response.content.decode()
    assert response.status_code == 400
    beside(html, "id_scanner_id", "Enter “scanner ID”.")
    beside(html, "id_captured_at", "\u20661404/13/40 10:00\u2069 is not a Jalali date: there is no such day.")
    # The scans' input is a file input taking several (the drop zone's), not a text box; none chosen is said beside it.
    files = beside(html, "id_files", "Choose “scan images”.")
    assert '<input type="file" name="files" id="id_files" class="form-control form-control-sm is-invalid"' in files
    assert 'multiple accept="image/png,image/jpeg,image/tiff"' in files


def test_the_scan_review_form(client, dest_clerk, done_comparison):  # noqa: F811
    comparison = done_comparison
    client.force_login(dest_clerk)
    url = reverse("scans:review", args=[comparison.pk])
    html = client.post(url, {"decision": "escalate", "remark": " "}).content.decode()
    beside(html, "id_remark", "An escalation needs a remark saying what is wrong.")
    html = client.post(url, {}).content.decode()
    beside(html, "id_decision_0", "Choose “decision”.")


# --- letters and cases ------------------------------------------------------------------------------


def test_the_letter_draft_form(client, overdue, origin_clerk):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    client.force_login(origin_clerk)
    response = client.post(reverse("casework:letter", args=[letter.pk]), {"subject": "", "body": "متن"})
    assert response.status_code == 400
    block = beside(response.content.decode(), "id_subject", "Enter “subject”.")
    assert '<span aria-hidden="true" class="text-danger">*</span>' in block  # a required field says so


def test_the_letter_reply_form(client, overdue, origin_clerk, dest_clerk):
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    casework.letter_send(letter=letter, by=origin_clerk)
    client.force_login(dest_clerk)
    response = client.post(
        reverse("casework:letter_answer", args=[letter.pk]), {"reply_text": "", "answered_on": "1404/14/01"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    beside(html, "id_reply_text", "Enter “reply”.")
    beside(html, "id_answered_on", "\u20661404/14/01\u2069 is not a Jalali date: there is no such day.")


def test_the_case_form(client, overdue, inspector):
    client.force_login(inspector)
    response = client.post(reverse("casework:case_new", args=[overdue.pk]), {"opened_on": "tomorrow"})
    html = response.content.decode()
    assert response.status_code == 400
    beside(html, "id_file_number", "Enter “file number”.")
    beside(html, "id_opened_on", f"Enter a Jalali date like {date_example()}.")
    beside(html, "id_exchange_rate", "Enter “exchange rate (rial per unit)”.")


def test_the_case_action_and_outcome_forms(client, overdue, inspector):
    case = casework.case_open(
        declaration=overdue,
        by=inspector,
        file_number="139/5",
        authority="تعزیرات",
        opened_on=dt.date(2025, 8, 1),
        cif_value=1000,
        exchange_rate=500000,
    )
    client.force_login(inspector)
    url = reverse("casework:case", args=[case.pk])
    html = client.post(url, {"form": "action", "on": "x", "action": ""}).content.decode()
    beside(html, "id_on", f"Enter a Jalali date like {date_example()}.")
    beside(html, "id_action", "Enter “action taken”.")
    response = client.post(url, {"form": "close", "outcome": "", "outcome_on": ""})
    assert response.status_code == 400
    beside(response.content.decode(), "id_outcome", "Enter “outcome”.")


# --- system problems and the audit trail ------------------------------------------------------------


def test_the_problem_form(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = client.post(reverse("reports:problem_new"), {"since": "1404/05/12 25:00", "description": ""})
    html = response.content.decode()
    assert response.status_code == 400
    beside(html, "id_since", f"Enter a date and time like {datetime_example()}.")
    beside(html, "id_description", "Enter “description”.")


def test_the_problem_resolution_form_page_and_htmx(client, origin_clerk, it_officer, bazargan):
    problem = report_services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.values[0],
        office=bazargan,
        since=timezone.now(),
        description="ICS does not answer",
    )
    client.force_login(it_officer)
    url = reverse("reports:problem", args=[problem.pk])
    page = client.post(url, {"action": "resolve", "resolution": ""})
    assert page.status_code == 400
    beside(page.content.decode(), "id_resolution")
    part = client.post(url, {"action": "resolve", "resolution": " "}, HTTP_HX_REQUEST="true")
    assert part.status_code == 400 and part.content.decode().startswith('<div id="problem-actions">')
    beside(part.content.decode(), "id_resolution")


def test_the_audit_filters(client, hq):
    client.force_login(hq)
    html = client.get(reverse("reports:audit"), {"date_from": "1404/07/31", "actor": "hq"}).content.decode()
    block = beside(html, "id_date_from", "\u20661404/07/31\u2069 is not a Jalali date: there is no such day.")
    assert block.startswith('<div class="mb-2 col-auto">')  # a column of the filter row


def test_identifier_boxes_are_typed_left_to_right(client, origin_clerk, declaration):
    """The one form template dropped the widgets' ``dir``: a serial typed in a right-to-left box is laid out
    BZG-00001-1405 while it is typed. Identifier boxes now keep left to right; words stay in the page's direction."""
    client.force_login(origin_clerk)
    page = client.get(reverse("declarations:register")).content.decode()

    def box(name):
        return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)[0]

    for name in ("serial", "waybill_no", "mrn", "containers", "seals", "guarantee_ref", "goods-0-goods_serials"):
        assert 'dir="ltr"' in box(name), name
    for name in ("driver_name", "company_name", "goods-0-description"):
        assert "dir=" not in box(name), name
