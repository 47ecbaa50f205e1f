"""Periodic inspections: the inspector records them with the checklist and attachments; the schedule shows who is due."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.dates import date_example, format_jalali, jalali_month_bounds
from core.errors import InvalidInput, NotAllowed
from reports import services
from reports.models import CHECKLIST, Inspection, InspectionAttachment
from tests import files
from tests.days import months_back, typed
from tests.factories import OfficeFactory

ALL_YES = dict.fromkeys(CHECKLIST, "yes")


def test_it_records_an_inspection_with_findings_and_attachments(bazargan, inspector):
    pdf = SimpleUploadedFile("report.pdf", files.pdf(), content_type="application/pdf")
    inspection = services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist={**ALL_YES, "anpr_working": "no"},
        findings="دوربین ورودی از کار افتاده است",
        follow_up_actions="گزارش به فاوا",
        attachments=[pdf],
    )
    assert inspection.failed_checks == ["ANPR camera not working"]
    att = InspectionAttachment.objects.get(inspection=inspection)
    assert att.name == "report.pdf" and len(att.sha256) == 64


def test_it_names_the_missing_checklist_item_and_writes_nothing(bazargan, inspector):
    with pytest.raises(InvalidInput) as exc:
        services.inspection_record(
            office=bazargan,
            by=inspector,
            inspected_on=timezone.localdate(),
            checklist={**ALL_YES, "security_measures": ""},
        )
    assert "security_measures" in exc.value.fields
    with pytest.raises(InvalidInput, match="findings"):
        services.inspection_record(
            office=bazargan,
            by=inspector,
            inspected_on=timezone.localdate(),
            checklist={**ALL_YES, "arrivals_timely": "no"},
        )
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(InvalidInput, match="PDF, JPEG or PNG"):
        services.inspection_record(
            office=bazargan, by=inspector, inspected_on=timezone.localdate(), checklist=ALL_YES, attachments=[bad]
        )
    assert not Inspection.objects.exists()


def test_it_lets_only_the_province_inspector_record(bazargan, tehran, inspector, outsider, origin_clerk):
    for user, office in ((outsider, bazargan), (origin_clerk, bazargan), (inspector, tehran)):
        with pytest.raises(NotAllowed):
            services.inspection_record(office=office, by=user, inspected_on=timezone.localdate(), checklist=ALL_YES)


def test_it_shows_which_offices_are_due(bazargan, west_az, inspector, settings):
    settings.INSPECTION_INTERVAL_DAYS = 30
    today = timezone.localdate()
    maku = OfficeFactory(code="MKU", province=west_az)
    urmia = OfficeFactory(code="URM", province=west_az)
    services.inspection_record(
        office=bazargan, by=inspector, inspected_on=today - dt.timedelta(days=40), checklist=ALL_YES
    )
    services.inspection_record(office=maku, by=inspector, inspected_on=today - dt.timedelta(days=20), checklist=ALL_YES)
    services.inspection_record(office=maku, by=inspector, inspected_on=today - dt.timedelta(days=5), checklist=ALL_YES)
    rows = services.inspection_schedule(inspector, today)
    assert [(r["office"].code, r["state"]) for r in rows] == [("URM", "never"), ("BZG", "overdue"), ("MKU", "ok")]
    assert rows[2]["due"] == today + dt.timedelta(days=25)
    assert urmia.pk == rows[0]["office"].pk


@pytest.mark.persian
def test_it_submits_the_real_form_and_shows_the_schedule(client, bazargan, inspector, outsider):
    client.force_login(inspector)
    page = client.get("/reports/inspections/")
    assert page.status_code == 200 and "گمرک بازرگان" in page.content.decode()
    day = months_back()
    data = {
        "office": bazargan.pk,
        "inspected_on": typed(day, persian=True),  # typed with Persian digits
        "findings": "",
        **ALL_YES,
        "attachments": [SimpleUploadedFile("photo.png", files.png(), content_type="image/png")],
    }
    response = client.post("/reports/inspections/new/", data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/inspections/{inspection.pk}/"
    assert inspection.inspected_on == day and inspection.attachments.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "photo.png" in detail and typed(day, persian=True) in detail

    bad = client.post("/reports/inspections/new/", {**data, "inspected_on": "1404/13/40", "attachments": []})
    assert bad.status_code == 400 and "شمسی" in bad.content.decode()

    client.force_login(outsider)
    assert client.get(f"/reports/inspections/{inspection.pk}/").status_code == 404
    assert client.get(f"/reports/attachments/{inspection.attachments.get().pk}/").status_code == 404


def test_it_shows_offices_due_on_the_dashboard_panel(rf, bazargan, inspector, origin_clerk):
    from declarations import hooks
    from reports.panels import inspections_panel

    assert inspections_panel in hooks.dashboard_panels
    request = rf.get("/")
    request.user = inspector
    panel = inspections_panel(request, None)
    assert panel.context["inspections_due_count"] == 1 and panel.context["inspections_due"][0]["office"] == bazargan
    assert panel.context["inspections_soon_count"] == 0
    request.user = origin_clerk
    assert inspections_panel(request, None) is None


def test_the_panels_counts_are_the_rows_its_links_open(client, bazargan, west_az, inspector, settings):
    """«Inspections due: N» counts the overdue and never inspected offices, and its link lists exactly those;
    the offices due soon are named beside it, with a link of their own."""
    settings.INSPECTION_INTERVAL_DAYS = 30
    today = timezone.localdate()
    soon = OfficeFactory(code="MKU", name_en="Maku", province=west_az)
    late = OfficeFactory(code="URM", name_en="Urmia", province=west_az)
    fine = OfficeFactory(code="SLM", name_en="Salmas", province=west_az)
    for office, days in ((soon, 25), (late, 40), (fine, 2)):
        services.inspection_record(
            office=office, by=inspector, inspected_on=today - dt.timedelta(days=days), checklist=ALL_YES
        )
    client.force_login(inspector)
    dashboard = client.get("/").content.decode()
    panel = dashboard.split('id="inspections-panel-title"')[1].split("</section>")[0]
    assert 'href="/reports/inspections/?due=due">Inspections due</a>: 2' in panel
    assert 'href="/reports/inspections/?due=soon" id="inspections-soon">due soon: 1' in panel

    due = client.get("/reports/inspections/?due=due")
    rows = due.content.decode().split('id="schedule"')[1].split("</tbody>")[0].count("<tr ")
    assert rows == 2 and 'id="schedule-filter"' in due.content.decode()
    assert {r["office"].code for r in due.context["schedule"]} == {"BZG", "URM"}
    assert [r["office"].code for r in client.get("/reports/inspections/?due=soon").context["schedule"]] == ["MKU"]
    assert len(client.get("/reports/inspections/").context["schedule"]) == 4
    bad = client.get("/reports/inspections/?due=late")
    assert bad.status_code == 400 and bad.context["schedule"] == []


def test_an_attachment_is_checked_by_content_not_by_its_name(client, settings, bazargan, inspector):
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": typed(months_back()), "findings": "", **ALL_YES}
    fake = SimpleUploadedFile("report.pdf", files.EXE, content_type="application/pdf")
    response = client.post("/reports/inspections/new/", {**data, "attachments": [fake]})
    assert response.status_code == 415
    assert "report.pdf" in response.content.decode() and "not a PDF, JPEG or PNG file" in response.content.decode()
    assert not Inspection.objects.exists() and not InspectionAttachment.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_an_attachment_shows_its_hash_and_opens_in_scope_without_sniffing(client, bazargan, inspector, outsider):
    import hashlib

    pdf = files.pdf()
    inspection = services.inspection_record(
        office=bazargan,
        by=inspector,
        inspected_on=timezone.localdate(),
        checklist=ALL_YES,
        attachments=[SimpleUploadedFile("findings.pdf", pdf)],
    )
    att = inspection.attachments.get()
    assert att.sha256 == hashlib.sha256(pdf).hexdigest() and "findings" not in att.file.name
    client.force_login(inspector)
    page = client.get(f"/reports/inspections/{inspection.pk}/").content.decode()
    assert att.sha256 in page.split('id="attachments"', 1)[1]
    opened = client.get(f"/reports/attachments/{att.pk}/")
    assert opened.status_code == 200 and b"".join(opened.streaming_content) == pdf
    assert opened["Content-Type"] == "application/pdf" and opened["X-Content-Type-Options"] == "nosniff"
    assert opened["Content-Disposition"].startswith("inline;") and "findings.pdf" in opened["Content-Disposition"]
    assert client.get(f"/reports/attachments/{att.pk}/?download=1")["Content-Disposition"].startswith("attachment;")
    client.force_login(outsider)
    assert client.get(f"/reports/attachments/{att.pk}/").status_code == 404


def test_an_attachment_claiming_too_many_pixels_is_a_413_form_error(client, settings, bazargan, inspector):
    settings.EVIDENCE_MAX_PIXELS = 1_000_000
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": typed(months_back()), "findings": "", **ALL_YES}
    bomb = SimpleUploadedFile("gate.png", files.png_bomb(2_000, 2_000), content_type="image/png")
    response = client.post("/reports/inspections/new/", {**data, "attachments": [bomb]})
    assert response.status_code == 413
    assert "gate.png" in response.content.decode() and "4,000,000" in response.content.decode()
    assert not Inspection.objects.exists()
    assert not settings.MEDIA_ROOT.exists() or not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


@pytest.mark.persian
def test_a_chosen_attachment_is_asked_for_again_when_the_form_comes_back_with_errors(client, bazargan, inspector):
    """A browser never fills a file box again: the inspector's chosen findings were dropped without a word."""
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": "1404/13/40", "findings": "", **ALL_YES}
    chosen = SimpleUploadedFile("findings.pdf", files.pdf(), content_type="application/pdf")
    page = client.post("/reports/inspections/new/", {**data, "attachments": [chosen]}).content.decode()
    assert "پرونده‌ای که برگزیده بودید نگه داشته نشد؛ پس از درست کردن خطا، دوباره برگزینید." in page
    assert not Inspection.objects.exists()
    page = client.post("/reports/inspections/new/", data).content.decode()  # nothing chosen: nothing to ask again
    assert "نگه داشته نشد" not in page


def test_a_gregorian_date_typed_in_the_jalali_box_is_refused_beside_it(client, bazargan, inspector):
    """It was taken as the Jalali year 2026: an inspection recorded six centuries ahead."""
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": "2026-12-01", "findings": "", **ALL_YES}
    response = client.post("/reports/inspections/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["inspected_on"] == [
        "\u20662026-12-01\u2069 is a Gregorian date: enter the Jalali date, like " + date_example() + "."
    ]
    assert not Inspection.objects.exists()


def test_an_inspection_dated_before_the_returns_first_month_is_refused_beside_its_field(client, bazargan, inspector):
    """1300/01/01 was recorded (only the future was refused): no inspection predates the first month a return
    is built for, which the error names."""
    client.force_login(inspector)
    data = {"office": bazargan.pk, "inspected_on": "1300/01/01", "findings": "", **ALL_YES}
    response = client.post("/reports/inspections/new/", data)
    assert response.status_code == 400
    earliest = jalali_month_bounds(*services.first_return_month())[0].date()
    assert response.context["form"].errors["inspected_on"] == [
        f"The inspection date is before {format_jalali(earliest, persian=False)}: inspections are recorded from then on."
    ]
    with pytest.raises(InvalidInput):
        services.inspection_record(office=bazargan, by=inspector, inspected_on=dt.date(1921, 3, 21), checklist=ALL_YES)
    assert not Inspection.objects.exists()
    ok = client.post("/reports/inspections/new/", {**data, "inspected_on": format_jalali(earliest, persian=False)})
    assert ok.status_code == 302 and Inspection.objects.get().inspected_on == earliest
