"""A form that names an action or a form its page does not have (tampered, or from a page of another
version) is refused: 400, the page again with «Invalid request: …» naming what was posted, and nothing
done. A system problem answered 302 as if acknowledged, a case page 200 as if nothing had been sent,
and the letters' batch sent the ticked drafts whatever its button said."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from casework.models import CaseStatus, CaseValuation, FollowUpLetter, JudicialAction, LetterStatus
from core.dates import TEHRAN, format_jalali
from declarations.models import Status, UnsettledReason
from reports import services
from reports.models import ProblemStatus, Symptom, System
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def refused(response) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html  # the page again, not a bare error
    return html


# --- a system problem -----------------------------------------------------------------------------------


@pytest.fixture
def problem(origin_clerk, bazargan):
    return services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN),
        description="ICS shows no arrivals since morning",
    )


@pytest.mark.parametrize(("posted", "named"), [({"action": "delete"}, "\u2066delete\u2069"), ({}, "—")])
def test_a_system_problem_refuses_an_action_it_does_not_have(client, it_officer, problem, posted, named):
    client.force_login(it_officer)
    url = f"/reports/problems/{problem.pk}/"
    html = refused(client.post(url, {**posted, "resolution": "سامانه دوباره راه‌اندازی شد"}))
    assert f"Invalid request: a system problem has no action “{named}”." in html
    assert 'name="resolution"' in html  # the actions are still there to use
    part = client.post(url, {"action": "close"}, headers={"HX-Request": "true"})  # htmx: the actions block
    assert part.status_code == 400 and part.content.decode().lstrip().startswith('<div id="problem-actions">')
    assert "no action “\u2066close\u2069”" in part.content.decode()
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW and problem.assigned_to is None and not problem.resolution


@pytest.mark.persian
def test_the_refusal_is_in_the_pages_language_and_the_name_cut_short_and_without_controls(client, it_officer, problem):
    client.force_login(it_officer)
    html = refused(client.post(f"/reports/problems/{problem.pk}/", {"action": "\u202eacknowledge" + "x" * 60}))
    named = "\u2066acknowledge" + "x" * 29 + "…\u2069"
    assert f"درخواست نامعتبر: مشکل سامانه اقدامی به نام «{named}» ندارد." in html
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW


# --- a smuggling case -------------------------------------------------------------------------------------


@pytest.fixture
def case(bazargan, tehran, origin_clerk):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = timezone.now() - dt.timedelta(days=2)
    return casework.case_open(
        declaration=declaration,
        by=origin_clerk,
        file_number="1405-77",
        authority="تعزیرات حکومتی",
        opened_on=found.astimezone(TEHRAN).date(),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
        duties="50000000",
        fees="1000000",
        commercial_profit="20000000",
    )


@pytest.mark.parametrize(("posted", "named"), [({"form": "reopen"}, "\u2066reopen\u2069"), ({}, "—")])
def test_a_case_page_refuses_a_form_it_does_not_have(client, origin_clerk, case, posted, named):
    client.force_login(origin_clerk)
    today = format_jalali(timezone.now(), with_time=False, persian=False)
    # Every form's fields filled in: whichever the request meant, none of them is taken.
    body = {**posted, "on": today, "action": "جلسه رسیدگی", "outcome": "مختومه", "outcome_on": today}
    valuations = CaseValuation.objects.filter(case=case).count()
    html = refused(client.post(f"/casework/cases/{case.pk}/", body))
    alert = html.split('id="request-refused"', 1)[1].split("</div>", 1)[0]
    assert f"Invalid request: the case page has no form “{named}”." in alert
    assert 'id="case-value"' in html  # the case page itself
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and not JudicialAction.objects.filter(case=case).exists()
    assert CaseValuation.objects.filter(case=case).count() == valuations
    # The same fields under a form the page has are recorded.
    assert client.post(f"/casework/cases/{case.pk}/", {**body, "form": "action"}).status_code == 302
    assert JudicialAction.objects.filter(case=case).count() == 1


# --- the letters' batch ---------------------------------------------------------------------------------


@pytest.fixture
def drafts(bazargan, tehran):
    for days in (5, 12):
        DeclarationFactory(
            origin=bazargan,
            destination=tehran,
            status=Status.IN_TRANSIT,
            deadline=timezone.now() - dt.timedelta(days=days),
        )
    casework.followups_run()
    return list(FollowUpLetter.objects.values_list("pk", flat=True))


def test_the_letters_batch_refuses_a_way_of_sending_it_does_not_have(client, origin_clerk, drafts):
    """Its buttons send the ticked drafts (``send=selected``, also when none is named) or the page's."""
    client.force_login(origin_clerk)
    body = {"status": "draft", "letter": drafts[:1], "page_letter": drafts}
    html = refused(client.post("/casework/letters/send/", {**body, "send": "all"}))
    alert = html.split('id="request-refused"', 1)[1].split("</div>", 1)[0]
    assert "Invalid request: the letters page has no way of sending “\u2066all\u2069”." in alert
    assert html.count('name="letter"') == 2  # the drafts listed again, still to send
    assert not FollowUpLetter.objects.exclude(status=LetterStatus.DRAFT).exists()
    assert client.post("/casework/letters/send/", body).status_code == 302  # no button named: the ticked one
    assert list(FollowUpLetter.objects.filter(status=LetterStatus.SENT).values_list("pk", flat=True)) == drafts[:1]
