"""System problems: reported by an office, routed to the IT office, acknowledged and resolved there."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import InvalidInput, NotAllowed
from reports import services
from reports.models import ProblemStatus, Symptom, System, SystemProblem


def _report(by, office, **kw):
    args = {
        "system": System.ICS,
        "symptom": Symptom.ARRIVALS_NOT_VISIBLE,
        "since": timezone.now() - dt.timedelta(days=2),
        "description": "اعلام وصول‌های گمرک تهران در سامانه دیده نمی‌شود",
    }
    return services.problem_report(by=by, office=office, **{**args, **kw})


def test_it_routes_a_report_to_the_it_office_queue(
    origin_clerk, bazargan, declaration, it_officer, dest_clerk, outsider
):
    problem = _report(origin_clerk, bazargan, declarations=[declaration])
    assert problem.status == ProblemStatus.NEW and problem.assigned_to is None
    assert list(problem.declarations.all()) == [declaration]
    # The IT office sees every office's problems; another province does not.
    assert list(SystemProblem.objects.for_user(it_officer)) == [problem]
    assert not SystemProblem.objects.for_user(outsider).exists()
    assert not SystemProblem.objects.for_user(dest_clerk).exists()

    services.problem_acknowledge(problem=problem, by=it_officer)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.ACKNOWLEDGED and problem.assigned_to == it_officer
    services.problem_resolve(problem=problem, by=it_officer, resolution="همگام‌سازی ICS دوباره راه‌اندازی شد")
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED and problem.resolved_at


def test_it_lets_only_it_handle_problems(origin_clerk, bazargan, hq, inspector):
    problem = _report(origin_clerk, bazargan)
    for user in (origin_clerk, hq, inspector):
        with pytest.raises(NotAllowed):
            services.problem_acknowledge(problem=problem, by=user)
        with pytest.raises(NotAllowed):
            services.problem_resolve(problem=problem, by=user, resolution="x")
    assert SystemProblem.objects.get().status == ProblemStatus.NEW


def test_it_names_bad_input(origin_clerk, bazargan, tehran, outsider):
    with pytest.raises(InvalidInput) as exc:
        _report(origin_clerk, bazargan, system="fax")
    assert "system" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        _report(origin_clerk, bazargan, description="  ")
    assert "description" in exc.value.fields
    with pytest.raises(NotAllowed):
        _report(origin_clerk, tehran)  # not the clerk's office
    with pytest.raises(NotAllowed):
        _report(outsider, bazargan)
    assert not SystemProblem.objects.exists()


def test_it_reports_through_the_page_and_the_it_officer_resolves_it(
    client, origin_clerk, it_officer, bazargan, declaration
):
    client.force_login(origin_clerk)
    response = client.post(
        "/reports/problems/new/",
        {
            "system": "ics",
            "symptom": "arrivals_not_visible",
            "office": bazargan.pk,
            "since": "1404/05/10 08:00",
            "description": "اعلام وصول دیده نمی‌شود",
            "serials": declaration.serial,
        },
    )
    problem = SystemProblem.objects.get()
    assert response.status_code == 302 and list(problem.declarations.all()) == [declaration]
    bad = client.post(
        "/reports/problems/new/",
        {
            "system": "ics",
            "symptom": "slow",
            "office": bazargan.pk,
            "since": "1404/05/10 08:00",
            "description": "x",
            "serials": "NOPE1",
        },
    )
    assert bad.status_code == 400 and "NOPE1" in bad.content.decode()

    client.force_login(it_officer)
    queue = client.get("/reports/problems/?status=new").content.decode()
    assert (
        f"/reports/problems/{problem.pk}/" in queue and "Bazargan" in queue
    )  # the office, by its English name on an English page
    client.post(f"/reports/problems/{problem.pk}/", {"action": "acknowledge"})
    client.post(f"/reports/problems/{problem.pk}/", {"action": "resolve", "resolution": "سامانه دوباره راه‌اندازی شد"})
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.RESOLVED and problem.resolution == "سامانه دوباره راه‌اندازی شد"

    client.force_login(origin_clerk)
    assert client.post(f"/reports/problems/{problem.pk}/", {"action": "acknowledge"}).status_code == 403


def test_it_counts_open_problems_in_the_return(origin_clerk, bazargan, it_officer, west_az):
    from core.dates import jalali_month_of
    from reports import returns

    now = timezone.now()
    year, month = jalali_month_of(now)
    _report(origin_clerk, bazargan, since=now - dt.timedelta(minutes=5))
    fixed = _report(origin_clerk, bazargan, since=now - dt.timedelta(minutes=5), system=System.ANPR)
    services.problem_resolve(problem=fixed, by=it_officer, resolution="the link is back")
    figures = returns.build_figures(year, month, west_az)
    # Resolved within the month: only the ICS one is still open at the end of the month.
    assert figures["system_problems"]["open_at_end"] == 1
    assert figures["system_problems"]["by_system"] == {"ics": 1}
    assert figures["system_problems"]["reported"] == 2 and figures["system_problems"]["resolved"] == 1


def test_the_system_administrator_does_not_take_it_office_work(client, origin_clerk, bazargan, hq, it_officer):
    """The demo's hq (headquarters, staff and superuser, who keeps users) is not the IT office: it is
    offered no «Acknowledge» or «Resolve», and a posted one is refused (403) with nothing assigned to it."""
    hq.is_staff = hq.is_superuser = True
    hq.save(update_fields=["is_staff", "is_superuser"])
    problem = _report(origin_clerk, bazargan)
    client.force_login(hq)
    page = client.get(f"/reports/problems/{problem.pk}/").content.decode()
    assert "Acknowledge" not in page and "Resolve" not in page
    queue = client.get("/reports/problems/").content.decode()
    assert f"/reports/problems/{problem.pk}/" in queue and "Acknowledge" not in queue and "Resolve" not in queue
    refused = client.post(f"/reports/problems/{problem.pk}/", {"action": "acknowledge"})
    assert refused.status_code == 403 and "Only the IT office handles system problems." in refused.content.decode()
    refused = client.post(f"/reports/problems/{problem.pk}/", {"action": "resolve", "resolution": "رفع شد"})
    assert refused.status_code == 403
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.NEW and problem.assigned_to is None

    client.force_login(it_officer)
    assert "Acknowledge" in client.get(f"/reports/problems/{problem.pk}/").content.decode()
    assert client.post(f"/reports/problems/{problem.pk}/", {"action": "acknowledge"}).status_code == 302
    problem.refresh_from_db()
    assert problem.assigned_to == it_officer
