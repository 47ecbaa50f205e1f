"""Building a return: said at once when built in-process; when the worker builds it, the list polls
until the build is no longer waiting and then reloads itself."""

import pytest
from django.urls import reverse

from reports.models import MonthlyReturn
from transit_monitor.celery import app

pytestmark = pytest.mark.django_db


def test_built_in_process_it_is_in_the_list_and_nothing_polls(client, hq, bazargan):
    client.force_login(hq)
    response = client.post(reverse("reports:returns"), {"year": "1405", "month": "7", "province": ""}, follow=True)
    html = response.content.decode()
    assert MonthlyReturn.objects.exists()
    assert 'id="returns-building"' in html and "hx-trigger" not in html.split('id="returns-building"', 1)[1][:200]


def test_the_poll_reloads_the_list_once_no_build_is_waiting(client, hq):
    client.force_login(hq)
    session = client.session
    task_id = "0b0d3f7e-0000-4000-8000-000000000000"
    if type(app.backend).__name__ != "DisabledBackend":  # a real result store (Redis in CI): the build finished
        app.backend.store_result(task_id, 1, "SUCCESS")
    session["returns_building"] = [task_id]
    session.save()
    response = client.get(reverse("reports:returns"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert client.session["returns_building"] == []


def test_a_build_queued_while_the_broker_is_away_shows_as_building_until_the_return_is_there(client, hq):
    from django.utils import timezone

    from core.models import OutboxJob
    from reports import tasks

    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # a broker (the autouse fixture puts it back)
    client.force_login(hq)
    response = client.post(reverse("reports:returns"), {"year": "1405", "month": "7", "province": ""})
    assert response.status_code == 302
    job = OutboxJob.objects.get()  # waiting for the broker: this test's transaction never commits
    assert client.session["returns_building"] == [str(job.task_id)]
    poll = {"partial": "building"}
    response = client.get(reverse("reports:returns"), poll, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response and client.session["returns_building"] == [str(job.task_id)]

    # The worker, once the broker is back: the message's task id finds the request's row.
    tasks.build_monthly_return.apply(job.args, job.kwargs, task_id=str(job.task_id))
    OutboxJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    response = client.get(reverse("reports:returns"), poll, HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and MonthlyReturn.objects.count() == 1


def test_a_build_the_sweeper_gave_up_on_is_said_once_with_its_reason_and_one_requeued_still_waits(client, hq):
    from reports.models import BuildState, ReturnBuild

    client.force_login(hq)
    ReturnBuild.objects.create(
        key="gave-up", year=1404, month=5, state=BuildState.FAILED, error="Stopped: it never ended"
    )
    ReturnBuild.objects.create(key="requeued", year=1404, month=6, state=BuildState.QUEUED)
    session = client.session
    session["returns_building"] = ["gave-up", "requeued"]
    session.save()
    response = client.get(reverse("reports:returns"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in response and 'data-building="1"' in response.content.decode()
    assert client.session["returns_building"] == ["requeued"]
    page = client.get(reverse("reports:returns")).content.decode()
    assert "could not be built: Stopped: it never ended" in page
    assert "could not be built" not in client.get(reverse("reports:returns")).content.decode()  # said once
