"""The notification centre: each event that needs someone reaches the people whose job it is
(and nobody outside their scope), shows on the bell, opens what it is about and can be marked done."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from anpr import health
from anpr import services as anpr_services
from casework import services as casework_services
from core.dates import TEHRAN
from core.text import strip_isolates
from declarations import services as declaration_services
from notifications import services
from notifications.models import Kind, Notification
from reports import services as report_services
from scans import services as scan_services
from scans.models import ScanComparison
from tests.factories import UserFactory
from tests.scans.test_comparison_job import upload_pair

pytestmark = pytest.mark.django_db


def _kinds(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def _bell(client) -> int:
    html = client.get(reverse("home")).content.decode()
    found = re.search(r'data-unread="(\d+)"', html)
    return int(found.group(1)) if found else 0


def test_a_suspicious_comparison_reaches_the_destination_office_only(
    departed,
    origin_clerk,
    dest_clerk,
    inspector,
    django_capture_on_commit_callbacks,
):
    upload_pair(departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, 7, True)
    comparison = ScanComparison.objects.get()
    assert comparison.verdict == "suspicious"
    assert _kinds(dest_clerk) == [Kind.SCAN_SUSPICIOUS]
    assert _kinds(origin_clerk) == [] and _kinds(inspector) == []
    note = Notification.objects.get(user=dest_clerk)
    assert note.url == reverse("scans:viewer", args=[comparison.pk]) and strip_isolates(note.title) == departed.serial


def test_an_escalated_scan_reaches_the_provinces_inspectors_not_others(
    done_comparison,
    dest_clerk,
    inspector,
    outsider,
    west_az,
):
    scan_services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="escalate", remark="an extra box in the load"
    )
    assert _kinds(inspector) == [Kind.SCAN_ESCALATED]  # the origin office (Bazargan) is in West Azerbaijan
    assert not Notification.objects.filter(user=outsider).exists()
    assert Notification.objects.get(user=inspector).body == "an extra box in the load"


def test_the_bell_counts_unread_opening_marks_read_and_done_leaves_the_open_list(
    client, done_comparison, dest_clerk, inspector
):
    scan_services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="escalate", remark="seal broken at the gate"
    )
    client.force_login(inspector)
    assert _bell(client) == 1
    note = Notification.objects.get(user=inspector)
    opened = client.get(reverse("notifications:open", args=[note.pk]))
    assert opened.status_code == 302 and opened.url == reverse("scans:viewer", args=[done_comparison.pk])
    assert _bell(client) == 0
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'data-notification="{note.pk}"' in page
    client.post(reverse("notifications:done", args=[note.pk]))
    page = client.get(reverse("notifications:list")).content.decode()
    assert f'data-notification="{note.pk}"' not in page and 'id="no-notifications"' in page
    assert (
        f'data-notification="{note.pk}"' in client.get(reverse("notifications:list"), {"show": "all"}).content.decode()
    )


def test_nobody_opens_or_closes_another_persons_notification(client, done_comparison, dest_clerk, inspector, hq):
    scan_services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="escalate", remark="seal broken at the gate"
    )
    note = Notification.objects.get(user=inspector)
    client.force_login(hq)
    assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    assert client.post(reverse("notifications:done", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None and note.done_at is None


def test_a_silent_camera_tells_it_and_its_office_once(bazargan, origin_clerk, it_officer, dest_clerk, settings):
    settings.ANPR_WORK_START_HOUR, settings.ANPR_WORK_END_HOUR = 7, 19
    settings.ANPR_WORK_DAYS = [6, 7, 1, 2, 3, 4]
    settings.CAMERA_SILENT_HOURS = 2
    camera, _token = anpr_services.camera_register(office=bazargan, code="BZG-9", direction="in", lane="1")
    saturday = dt.datetime(2026, 11, 21, 12, 0, tzinfo=TEHRAN)
    type(camera).objects.filter(pk=camera.pk).update(last_read_at=saturday - dt.timedelta(hours=4))
    health.cameras_check_health(now=saturday)
    health.cameras_check_health(now=saturday + dt.timedelta(hours=1))  # still silent: no second notice
    assert _kinds(it_officer) == [Kind.CAMERA_SILENT]
    assert _kinds(origin_clerk) == [Kind.CAMERA_SILENT]
    assert _kinds(dest_clerk) == []  # Tehran's staff: not their camera
    assert Notification.objects.get(user=it_officer).url == reverse("anpr:camera", args=[camera.pk])


def test_an_arrival_confirmed_at_a_gate_with_a_camera_but_no_read_tells_the_inspector(
    declaration, origin_clerk, dest_clerk, tehran, tehran_province
):
    tehran.has_anpr = True
    tehran.save()
    inspector_thr = UserFactory(role=Role.INSPECTOR, province=tehran_province)
    declaration_services.declaration_depart(
        declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(days=1)
    )
    declaration.refresh_from_db()
    declaration_services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    assert _kinds(inspector_thr) == [Kind.ARRIVAL_UNSEEN]
    assert Notification.objects.get(user=inspector_thr).url == reverse("declarations:detail", args=[declaration.pk])


def test_an_escalated_letter_reaches_headquarters(departed, origin_clerk, hq, django_capture_on_commit_callbacks):
    type(departed).objects.filter(pk=departed.pk).update(deadline=timezone.now() - dt.timedelta(days=61))
    departed.refresh_from_db()
    letter = casework_services.letter_draft(declaration=departed, by=origin_clerk)
    sent_at = timezone.now() - dt.timedelta(days=60)
    casework_services.letter_send(letter=letter, by=origin_clerk, at=sent_at)
    casework_services.followups_run(now=timezone.now())
    assert Kind.ESCALATED_TO_HQ in _kinds(hq)
    assert Kind.ESCALATED_TO_HQ in _kinds(origin_clerk)


def test_a_reported_problem_reaches_it_and_its_resolution_the_reporter(bazargan, origin_clerk, it_officer):
    problem = report_services.problem_report(
        by=origin_clerk,
        system="ics",
        symptom=report_services.Symptom.values[0],
        office=bazargan,
        since=timezone.now() - dt.timedelta(hours=1),
        description="arrivals not visible",
    )
    assert _kinds(it_officer) == [Kind.PROBLEM_REPORTED]
    report_services.problem_resolve(problem=problem, by=it_officer, resolution="restarted the link")
    assert _kinds(origin_clerk) == [Kind.PROBLEM_RESOLVED]


def test_whoever_chose_it_also_gets_an_email(
    done_comparison,
    dest_clerk,
    inspector,
    client,
    django_capture_on_commit_callbacks,
):
    inspector.email = "inspector@customs.local"
    inspector.save()
    client.force_login(inspector)
    response = client.post(reverse("notifications:preferences"), {"kinds": [Kind.SCAN_ESCALATED]})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        scan_services.comparison_review(
            comparison=done_comparison, by=dest_clerk, decision="escalate", remark="seal broken at the gate"
        )
    assert [m.to for m in mail.outbox] == [["inspector@customs.local"]]
    assert reverse("scans:viewer", args=[done_comparison.pk]) in mail.outbox[0].body
    assert Notification.objects.get(user=inspector).emailed_at is not None


def test_an_unknown_kind_in_the_email_choices_is_refused_beside_the_field(client, inspector):
    client.force_login(inspector)
    response = client.post(reverse("notifications:preferences"), {"kinds": ["bogus"]})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    assert services.unread_count(inspector) == 0


def test_unticking_every_box_clears_the_email_choices(client, inspector):
    client.force_login(inspector)
    client.post(reverse("notifications:preferences"), {"kinds": [Kind.SCAN_ESCALATED]})
    assert client.post(reverse("notifications:preferences"), {}).status_code == 302
    assert not inspector.email_preferences.exists()


@pytest.mark.persian
def test_a_problems_notice_numbers_it_in_persian_digits(bazargan, origin_clerk, it_officer):
    from django.utils import translation

    with translation.override("fa"):
        problem = report_services.problem_report(
            by=origin_clerk,
            system="ics",
            symptom=report_services.Symptom.values[0],
            office=bazargan,
            since=timezone.now() - dt.timedelta(hours=1),
            description="arrivals not visible",
        )
    title = Notification.objects.get(user=it_officer, kind=Kind.PROBLEM_REPORTED).title
    number = "".join("۰۱۲۳۴۵۶۷۸۹"[int(c)] for c in str(problem.pk))
    assert title.startswith(f"#{number} "), title  # as the problem's page numbers it (#۶, not #6)


@pytest.mark.parametrize(
    "target", ["https://evil.example/login/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_done_goes_back_to_a_page_of_this_site_only(client, done_comparison, dest_clerk, inspector, target):
    scan_services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="escalate", remark="seal broken at the gate"
    )
    note = Notification.objects.get(user=inspector)
    client.force_login(inspector)
    response = client.post(reverse("notifications:done", args=[note.pk]), {"next": target})
    assert response.status_code == 302 and response.url == reverse("notifications:list")
    back = client.post(reverse("notifications:done", args=[note.pk]), {"next": "/notifications/?show=all"})
    assert back.url == "/notifications/?show=all"
