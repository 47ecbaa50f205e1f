"""A problem the system opens itself (a background job given up) says what it found in the page's language,
whatever the language of the site when it was opened; a person's own description stays as written."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports import sweeper
from reports.models import Symptom, SystemProblem
from tests.core.test_job_sweeper import LONG_AGO, stuck_comparison  # noqa: F401
from tests.scans.conftest import departed  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.persian]  # the site's language: Persian


def _page(client, problem, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("reports:problem", args=[problem.pk])).content.decode()


def test_a_job_given_up_in_persian_reads_in_english_on_an_english_page(
    client,
    stuck_comparison,  # noqa: F811
    it_officer,
    django_capture_on_commit_callbacks,
):
    t0 = timezone.now()
    for attempt in range(settings.JOB_MAX_ATTEMPTS + 1):
        with django_capture_on_commit_callbacks(execute=False):
            sweeper.sweep_all(now=t0 + attempt * LONG_AGO)
    problem = SystemProblem.objects.get(symptom=Symptom.JOB_FAILED)
    assert problem.description_msgid and "پس از" not in problem.description_msgid
    assert "ScanComparison" in problem.description  # the stored copy, in Persian
    client.force_login(it_officer)

    english = _page(client, problem, "en")
    said = english[english.index("<dl>") : english.index("</dl>")]
    assert "A background job (<bdi>comparison</bdi>, <bdi>scans.ScanComparison #" in said
    assert "What its record says: Stopped: the job was started 4 times and never finished (queued since 1405/" in said
    assert "در صف" not in said and "۴" not in said  # the job's own reason too: in English, not as the site wrote it

    persian = _page(client, problem, "fa")
    assert problem.description.split(" ")[0] in persian and "A background job" not in persian
    assert "۴" in persian


def test_a_problem_a_person_reported_keeps_their_words(client, it_officer, bazargan):
    problem = SystemProblem.objects.create(
        system="ics",
        symptom="unavailable",
        office=bazargan,
        since=timezone.now() - dt.timedelta(hours=1),
        description="سامانه <قطع> است",
    )
    client.force_login(it_officer)
    assert "سامانه &lt;قطع&gt; است" in _page(client, problem, "en")
