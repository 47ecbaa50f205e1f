"""A person's exports (core.views.export_list): their own jobs newest first, paged, each with what it is,
its state and its file while it is kept; the IT office sees everyone's with who asked and filters them;
a filter that is not valid is a 400 with the error beside it and no jobs; a waiting job's row follows
its progress as the job's page does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core import exports
from core import views as export_views
from core.models import ExportJob
from tests.export_jobs import ask
from tests.factories import UserFactory

LIST = reverse("core:export-list")
XLSX = reverse("declarations:export-xlsx")

pytestmark = pytest.mark.django_db


def _job(user, *, minutes_ago: int = 0, **fields) -> ExportJob:
    fields.setdefault("kind", "declarations")
    fields.setdefault("fmt", "xlsx")
    return ExportJob.objects.create(
        user=user, language="en", created_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **fields
    )


def _rows(html: str) -> list[int]:
    """The jobs listed, top to bottom."""
    return [int(pk) for pk in re.findall(r'<tr id="export-\d+" data-job="(\d+)"', html)]


def test_a_person_sees_only_their_own_exports_newest_first(client, hq, origin_clerk, declaration):
    client.force_login(hq)
    older = ask(client, XLSX, {"status": "registered"})
    newer = ask(client, XLSX, {"status": "arrived"})
    client.force_login(origin_clerk)
    theirs = ask(client, XLSX)

    client.force_login(hq)
    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html) == [newer.pk, older.pk]
    assert f'data-job="{theirs.pk}"' not in html
    row = html.split(f'id="export-{newer.pk}"', 1)[1].split("</tr>", 1)[0]
    # What it is, as the job's page names it, the filters as asked, the format, rows, the file and its link.
    assert "Declarations" in row and "Status: arrived" in row and "XLSX" in row
    assert reverse("core:export-job", args=[newer.pk]) in row
    assert reverse("core:export-download", args=[newer.pk]) in row and "ready" in row
    assert "asked by" not in html  # one's own list: no column of who asked

    client.force_login(origin_clerk)
    assert _rows(client.get(LIST).content.decode()) == [theirs.pk]


def test_the_it_office_sees_everyones_with_who_asked_and_filters_them(client, hq, origin_clerk, it_officer):
    mine = _job(hq, minutes_ago=3, state="failed", error="disk full")
    theirs = _job(origin_clerk, minutes_ago=2)
    client.force_login(it_officer)
    html = client.get(LIST).content.decode()
    assert _rows(html) == [theirs.pk, mine.pk]
    assert "رضا احمدی" in html  # who asked, by name
    assert f'data-asker="{origin_clerk.pk}"' in html

    html = client.get(LIST, {"asker": origin_clerk.pk}).content.decode()
    assert _rows(html) == [theirs.pk]
    html = client.get(LIST, {"status": "failed"}).content.decode()
    assert _rows(html) == [mine.pk]
    html = client.get(LIST, {"status": "failed", "asker": origin_clerk.pk}).content.decode()
    assert _rows(html) == [] and "No export matches these filters." in html


def test_each_state_says_what_became_of_the_job(client, hq):
    queued = _job(hq, minutes_ago=4)
    running = _job(hq, minutes_ago=3, state="running", progress=40, rows=812)
    failed = _job(hq, minutes_ago=2, state="failed", error="The filters asked are not valid.")
    client.force_login(hq)
    html = client.get(LIST).content.decode()

    def row(job):
        return html.split(f'id="export-{job.pk}"', 1)[1].split("</tr>", 1)[0]

    assert "waiting for the worker" in row(queued)
    assert "being built" in row(running) and 'value="40"' in row(running) and "812" in row(running)
    assert "failed" in row(failed) and "The filters asked are not valid." in row(failed)
    assert "export-download" not in html  # no file yet, none for the failed one


def test_a_waiting_jobs_row_asks_again_until_it_has_ended(client, hq, declaration):
    client.force_login(hq)
    with TestCase.captureOnCommitCallbacks() as callbacks:  # not run yet: the job waits
        client.get(XLSX)
    job = ExportJob.objects.get()
    html = client.get(LIST).content.decode()
    row = html.split(f'id="export-{job.pk}"', 1)[1].split(">", 1)[0]
    part = reverse("core:export-job", args=[job.pk]) + "?partial=row"
    assert f'hx-get="{part}"' in row and 'hx-trigger="every 2s"' in row and 'hx-swap="outerHTML"' in row

    for callback in callbacks:  # the worker builds it
        callback()
    answer = client.get(part)
    assert answer.status_code == 200
    body = answer.content.decode().strip()
    assert body.startswith(f'<tr id="export-{job.pk}"') and "<html" not in body  # the row alone, swapped
    assert reverse("core:export-download", args=[job.pk]) in body and "every 2s" not in body
    client.force_login(UserFactory(username="someone_else"))
    assert client.get(part).status_code == 404


def test_the_list_pages_through_every_job(client, hq, monkeypatch):
    monkeypatch.setattr(export_views, "PAGE", 2)
    jobs = [_job(hq, minutes_ago=10 - i) for i in range(5)]  # the last made is the newest
    client.force_login(hq)
    seen: list[int] = []
    url = LIST
    for _page in range(5):
        html = client.get(url).content.decode()
        seen += _rows(html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        if not found:
            break
        url = LIST + found.group(1).replace("&amp;", "&")
    assert seen == [j.pk for j in reversed(jobs)]
    # A broken page link goes back to the first page, saying so.
    response = client.get(LIST, {"after": "nonsense"}, follow=True)
    assert _rows(response.content.decode()) == [jobs[4].pk, jobs[3].pk]
    assert "The page link is broken" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "query", "field"),
    [
        ("hq", {"status": "lost"}, "status"),
        ("it", {"asker": "999999"}, "asker"),
        ("it", {"asker": "me"}, "asker"),
        ("hq", {"asker": "1"}, None),  # another person's exports are not for them to ask
    ],
)
def test_a_filter_that_is_not_valid_is_a_400_beside_it_with_no_jobs(client, hq, it_officer, who, query, field):
    job = _job(hq)
    client.force_login(hq if who == "hq" else it_officer)
    response = client.get(LIST, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-job="{job.pk}"' not in html and "correct them above" in html
    if field:
        beside = html.split(f'name="{field}"', 1)[1].split("</div>", 2)
        assert "Select a valid choice." in "".join(beside[:2]) and "is-invalid" in html
    else:
        said = "Only the IT office and the system administrator see other people&#x27;s exports; you see your own."
        assert said in html


def test_the_file_is_linked_while_kept_and_said_removed_after(client, hq, declaration, settings):
    settings.EXPORT_KEEP_DAYS = 7
    client.force_login(hq)
    job = ask(client, XLSX)
    html = client.get(LIST).content.decode()
    assert reverse("core:export-download", args=[job.pk]) in html and "kept until" in html
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert exports.expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    html = client.get(LIST).content.decode()
    assert reverse("core:export-download", args=[job.pk]) not in html
    assert "removed on" in html and reverse("core:export-job", args=[job.pk]) in html


def test_nothing_asked_yet_says_so(client, hq, it_officer):
    client.force_login(hq)
    html = client.get(LIST).content.decode()
    assert 'id="no-exports"' in html and "You have not asked for any export yet" in html
    client.force_login(it_officer)
    assert "Nobody has asked for an export yet." in client.get(LIST).content.decode()


def test_the_list_is_reached_from_the_menu_and_from_a_jobs_page(client, hq, declaration):
    client.force_login(hq)
    assert f'id="my-exports" href="{LIST}"' in client.get(reverse("home")).content.decode()
    job = ask(client, XLSX)
    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert f'href="{LIST}" id="all-exports"' in page


def test_anonymous_people_are_sent_to_log_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.persian
def test_the_persian_list_writes_its_dates_and_counts_in_persian(client, hq):
    _job(hq, state="running", progress=40, rows=20016)
    client.force_login(hq)
    html = client.get(LIST).content.decode()
    assert "خروجی‌های من" in html and "۲۰٬۰۱۶" in html and "۱۴" in html  # a Jalali year, Persian digits
    assert "20016" not in html.split("<tbody>", 1)[1]


def test_the_list_names_whose_exports_it_shows_by_role(client, hq, it_officer, origin_clerk):
    theirs = _job(origin_clerk)
    client.force_login(hq)
    page = client.get(LIST).content.decode()
    assert '<h1 class="h3">My exports</h1>' in page and _rows(page) == []
    assert "everyone" not in page

    hq.is_superuser = True  # the system administrator (ensure_admin makes one, role headquarters)
    hq.save(update_fields=["is_superuser"])
    page = client.get(LIST).content.decode()
    assert _rows(page) == [theirs.pk]
    assert '<h1 class="h3">Everyone\'s exports</h1>' in page
    assert "As the system administrator you see everyone's exports" in page
    assert "IT office" not in page
    assert ">Everyone's exports</a>" in page  # the user menu too

    client.force_login(it_officer)
    page = client.get(LIST).content.decode()
    assert _rows(page) == [theirs.pk]
    assert '<h1 class="h3">Everyone\'s exports</h1>' in page
    assert "As the IT office you see everyone's exports" in page

    client.force_login(origin_clerk)
    page = client.get(LIST).content.decode()
    assert '<h1 class="h3">My exports</h1>' in page and ">My exports</a>" in page


@pytest.mark.persian
def test_asking_for_another_persons_exports_names_everyone_who_sees_them(client, hq, origin_clerk):
    """It said «Only the IT office sees other people's exports», while the system administrator (a superuser,
    such as the demo's hq, whose list is «Everyone's exports») sees them too."""
    client.force_login(origin_clerk)
    response = client.get(LIST, {"asker": str(hq.pk)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "خروجی‌های دیگران را تنها دفتر فاوا و مدیر سامانه می‌بینند؛ شما خروجی‌های خود را می‌بینید." in html
