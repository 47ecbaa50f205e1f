"""A system problem's page says who reported it and when, when it was acknowledged and by whom, links each
affected declaration the reader may open, and wraps a long unbroken description; the report form finds a
serial typed in lower case or Persian digits; the IT officer who reports one is not told of it."""

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import TEHRAN
from notifications.models import Kind, Notification
from reports import services
from reports.models import Symptom, System, SystemProblem
from tests.factories import DeclarationFactory, OfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _report(by, office, **extra):
    return services.problem_report(
        by=by,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=office,
        since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
        description="x" * 300,
        **extra,
    )


def test_the_page_names_the_reporter_the_acknowledger_and_links_the_declarations(
    client, origin_clerk, it_officer, bazargan
):
    known = DeclarationFactory(origin=bazargan)
    problem = _report(origin_clerk, bazargan, declarations=[known])
    services.problem_acknowledge(problem=problem, by=it_officer)
    it_officer.first_name, it_officer.last_name = "Sara", "Karimi"
    it_officer.save()
    client.force_login(it_officer)
    page = client.get(reverse("reports:problem", args=[problem.pk])).content.decode()
    reported = page.split('id="problem-reported"')[1].split("</dd>")[0]
    assert "رضا احمدی" in reported
    acknowledged = page.split('id="problem-acknowledged"')[1].split("</dd>")[0]
    assert "Sara Karimi" in acknowledged
    assert f'href="{reverse("declarations:detail", args=[known.pk])}"' in page
    assert 'class="text-break" id="problem-description"' in page


def test_an_affected_declaration_out_of_the_readers_scope_is_not_a_link(client, origin_clerk, bazargan, tehran):
    """The problem's office is in the reader's scope, a declaration of it between other offices is not."""
    theirs = DeclarationFactory(origin=tehran, destination=OfficeFactory(code="QOM", province=tehran.province))
    problem = _report(origin_clerk, bazargan)
    problem.declarations.set([theirs])
    client.force_login(origin_clerk)
    page = client.get(reverse("reports:problem", args=[problem.pk])).content.decode()
    listed = page.split('id="problem-declarations"')[1].split("</dd>")[0]
    assert "<a " not in listed and "—" not in listed


def test_a_serial_typed_in_lower_case_and_persian_digits_is_found(client, origin_clerk, bazargan):
    known = DeclarationFactory(origin=bazargan, serial="1404-AMR-00001020")
    client.force_login(origin_clerk)
    typed = "۱۴۰۴-amr-00001020"
    response = client.post(
        "/reports/problems/new/",
        {
            "system": System.ICS,
            "symptom": Symptom.ARRIVALS_NOT_VISIBLE,
            "office": bazargan.pk,
            "since": "1405/09/01 10:00",
            "description": "Arrivals do not show in ICS since this morning.",
            "serials": typed,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(SystemProblem.objects.get().declarations.all()) == [known]


def test_the_it_officer_who_reports_a_problem_is_not_told_of_it(it_officer, bazargan):
    colleague = UserFactory(username="it_two", role="it")
    problem = _report(it_officer, bazargan)
    told = Notification.objects.filter(kind=Kind.PROBLEM_REPORTED, subject=f"problem:{problem.pk}")
    assert {n.user for n in told} == {colleague}
