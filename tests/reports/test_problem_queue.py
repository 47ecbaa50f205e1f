"""The system-problem register as the IT office's queue: tabs with counts, oldest open first, the
assignee by name, acknowledge and resolve from the list, the formula-safe export; and its API."""

import csv
import datetime as dt
import io
import re

import pytest
from auditlog.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import api_token_issue
from core.dates import TEHRAN, format_jalali
from core.models import ExportJob
from reports import services
from reports.models import ProblemStatus, Symptom, System, SystemProblem
from tests.export_jobs import exported, job_of
from tests.factories import UserFactory
from tests.sheets import table, title_block

pytestmark = pytest.mark.django_db


def _report(by, office, description, *, days_ago: int) -> SystemProblem:
    problem = services.problem_report(
        by=by,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=office,
        since=timezone.now() - dt.timedelta(days=days_ago + 1),
        description=description,
    )
    SystemProblem.objects.filter(pk=problem.pk).update(reported_at=timezone.now() - dt.timedelta(days=days_ago))
    return problem


@pytest.fixture
def it_named(db):
    return UserFactory(username="it_officer", role=Role.IT, first_name="بهرام", last_name="صالحی")


@pytest.fixture
def queue(origin_clerk, dest_clerk, bazargan, tehran, it_named):
    """Bazargan: a new problem (3 days old), an older acknowledged one (5 days), a resolved one;
    Tehran: a new one (1 day old) whose description would be a spreadsheet formula."""
    new_old = _report(origin_clerk, bazargan, "وصول دیده نمی‌شود", days_ago=3)
    acked = _report(origin_clerk, bazargan, "سامانه بسیار کند است", days_ago=5)
    services.problem_acknowledge(problem=acked, by=it_named)
    done = _report(origin_clerk, bazargan, "ارتباط با سامانه قطع بود", days_ago=9)
    services.problem_resolve(problem=done, by=it_named, resolution="اتصال دوباره وصل شد")
    formula = _report(dest_clerk, tehran, '=HYPERLINK("http://evil.example","x")', days_ago=1)
    return {"new": new_old, "acked": acked, "done": done, "formula": formula}


def _ids(response) -> list[int]:
    return [p.pk for p in response.context["problems"]]


def test_the_queue_shows_open_problems_oldest_first_with_counts_per_state(client, it_named, queue):
    client.force_login(it_named)
    resp = client.get("/reports/problems/")
    assert resp.status_code == 200
    assert _ids(resp) == [queue["acked"].pk, queue["new"].pk, queue["formula"].pk]
    assert [(key, n) for key, _label, n in resp.context["tabs"]] == [
        ("open", 3),
        ("new", 2),
        ("acknowledged", 1),
        ("resolved", 1),
        ("all", 4),
    ]
    assert "بهرام صالحی" in resp.content.decode()  # the assignee by name, not "it_officer"
    assert ">it_officer<" not in resp.content.decode()
    assert _ids(client.get("/reports/problems/?status=new")) == [queue["new"].pk, queue["formula"].pk]
    assert _ids(client.get("/reports/problems/?status=resolved")) == [queue["done"].pk]
    assert _ids(client.get("/reports/problems/?status=all"))[-1] == queue["done"].pk


def test_the_queue_keeps_to_the_scope(client, origin_clerk, outsider, inspector, queue):
    client.force_login(origin_clerk)
    assert set(_ids(client.get("/reports/problems/?status=all"))) == {
        queue["new"].pk,
        queue["acked"].pk,
        queue["done"].pk,
    }
    client.force_login(outsider)
    assert _ids(client.get("/reports/problems/?status=all")) == []
    client.force_login(inspector)
    page = client.get("/reports/problems/").content.decode()
    assert 'name="action" value="acknowledge"' not in page  # not IT: no actions offered


def test_it_acknowledges_and_resolves_from_the_list_and_comes_back_to_it(client, it_named, queue):
    client.force_login(it_named)
    url = f"/reports/problems/{queue['new'].pk}/"
    resp = client.post(url, {"action": "acknowledge", "next": "/reports/problems/?status=new"})
    assert resp.status_code == 302 and resp["Location"] == "/reports/problems/?status=new"
    problem = SystemProblem.objects.get(pk=queue["new"].pk)
    assert problem.status == ProblemStatus.ACKNOWLEDGED and problem.assigned_to == it_named
    assert LogEntry.objects.get_for_object(problem).filter(actor=it_named).exists()
    resp = client.post(url, {"action": "resolve", "resolution": "اتصال دوباره برقرار شد", "next": "/reports/problems/"})
    assert resp.status_code == 302 and resp["Location"] == "/reports/problems/"
    assert SystemProblem.objects.get(pk=queue["new"].pk).status == ProblemStatus.RESOLVED
    # Somewhere else than this site is never where it goes back to.
    resp = client.post(
        f"/reports/problems/{queue['acked'].pk}/",
        {"action": "resolve", "resolution": "the link is back", "next": "https://evil.example/"},
    )
    assert resp["Location"] == f"/reports/problems/{queue['acked'].pk}/"


def test_an_empty_resolution_from_the_list_keeps_the_form_with_its_error(client, it_named, queue):
    client.force_login(it_named)
    resp = client.post(
        f"/reports/problems/{queue['new'].pk}/", {"action": "resolve", "resolution": " ", "next": "/reports/problems/"}
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    assert 'name="resolution"' in page and "Describe the resolution." in page and "is-invalid" in page
    assert SystemProblem.objects.get(pk=queue["new"].pk).status == ProblemStatus.NEW


def test_office_staff_may_not_acknowledge_or_resolve(client, origin_clerk, outsider, queue):
    client.force_login(origin_clerk)
    url = f"/reports/problems/{queue['new'].pk}/"
    assert client.post(url, {"action": "acknowledge"}).status_code == 403
    assert client.post(url, {"action": "resolve", "resolution": "x"}).status_code == 403
    client.force_login(outsider)
    assert client.post(url, {"action": "resolve", "resolution": "x"}).status_code == 404
    assert SystemProblem.objects.get(pk=queue["new"].pk).status == ProblemStatus.NEW


def _csv(response) -> list[list[str]]:
    assert response.streaming  # row by row as they are read, never built whole in memory
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def _xlsx(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_the_export_is_the_tab_with_formulas_neutralised(client, it_named, queue):
    client.force_login(it_named)
    resp = client.get("/reports/problems/?status=new&format=csv")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    rows = _csv(resp)
    assert [r[0] for r in rows[1:]] == [str(queue["new"].pk), str(queue["formula"].pk)]
    assert rows[2][12] == "'" + '=HYPERLINK("http://evil.example","x")'

    ws = _xlsx(exported(client, "/reports/problems/", {"status": "open", "format": "xlsx"}))
    values = [[c.value for c in row] for row in table(ws)]
    assert len(values) == 4 and not ws.sheet_view.rightToLeft  # an English page's sheet
    client.cookies["django_language"] = "fa"
    persian = exported(client, "/reports/problems/", {"status": "open", "format": "xlsx"})
    assert _xlsx(persian).sheet_view.rightToLeft  # a Persian page's sheet
    assert values[3][11].startswith("'=") and values[1][8] == "بهرام صالحی"
    assert values[0][3] == "Office" and values[1][3] == "Bazargan (BZG)"  # one cell, its name then its code
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)  # the title block's cells too


def test_the_xlsx_is_built_by_the_worker_and_its_page_names_the_tab(client, it_named, queue):
    client.force_login(it_named)
    with TestCase.captureOnCommitCallbacks() as callbacks:  # the build waits for the commit (here: for us)
        job = job_of(client.get("/reports/problems/", {"status": "resolved", "format": "xlsx"}))
    assert (job.kind, job.fmt, job.query, job.state, job.user) == (
        "problems",
        "xlsx",
        "status=resolved",
        "queued",
        it_named,
    )
    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "System problems" in page and "status: resolved" in page and "every 2s" in page
    assert 'href="/reports/problems/?status=resolved"' in page  # back to the tab it was asked from
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.state, job.rows) == ("done", 1) and re.fullmatch(
        r"system-problems-resolved_\d{4}-\d\d-\d\d_\d{4}\.xlsx", job.filename
    )
    data = b"".join(client.get(reverse("core:export-download", args=[job.pk])).streaming_content)
    rows = [[c.value for c in row] for row in table(_xlsx(data))]
    assert [r[0] for r in rows[1:]] == [queue["done"].pk] and rows[1][12] == "اتصال دوباره وصل شد"


def test_the_csv_and_the_xlsx_hold_the_same_rows(client, it_named, queue):
    client.force_login(it_named)
    for tab in ("open", "all"):
        streamed = _csv(client.get("/reports/problems/", {"status": tab, "format": "csv"}))
        built = _xlsx(exported(client, "/reports/problems/", {"status": tab, "format": "xlsx"}))
        cells = [["" if c.value is None else str(c.value) for c in row] for row in table(built)]
        # The CSV, for programs, gives the office's code and name apart; the XLSX «name (code)» in one cell.
        header, *rows = streamed
        expected = [header[:3] + header[4:], *([*r[:3], f"{r[4]} ({r[3]})", *r[5:]] for r in rows)]
        assert expected == cells and len(streamed) == 1 + (3 if tab == "open" else 4)


def test_the_csv_is_audited_as_an_export(client, it_named, queue):
    client.force_login(it_named)
    resp = client.get("/reports/problems/", {"status": "new", "format": "csv"})
    assert (
        resp["Content-Disposition"].startswith("attachment") and "system-problems-new_" in resp["Content-Disposition"]
    )
    assert resp["Cache-Control"] == "no-store"
    entry = LogEntry.objects.filter(additional_data__access="export").latest("pk")
    assert entry.actor == it_named and entry.additional_data["query"] == "status=new&format=csv"


def test_a_job_whose_tab_is_no_longer_one_fails_saying_so(it_named, queue):
    from core import exports

    job = ExportJob.objects.create(user=it_named, kind="problems", fmt="xlsx", language="en", query="status=closed")
    assert exports.build(job.pk) == "failed"
    job.refresh_from_db()
    assert "filters asked are not valid" in job.error and not job.file


def test_office_staff_export_their_offices_problems_as_they_did(client, origin_clerk, queue):
    """The page and its export were never the IT office's alone: each person exports the tab in their scope."""
    client.force_login(origin_clerk)
    expected = [str(queue["acked"].pk), str(queue["new"].pk)]  # Bazargan's open ones; Tehran's is not theirs
    assert [r[0] for r in _csv(client.get("/reports/problems/?format=csv"))[1:]] == expected
    built = _xlsx(exported(client, "/reports/problems/", {"format": "xlsx"}))
    assert [str(r[0].value) for r in table(built)[1:]] == expected


# A filter that is not one of the choices: the page says so beside the tabs, no problems, no file (400).


def refused_page(response, label: str) -> str:
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")  # the app's page, not a file
    html = response.content.decode()
    assert "<html" in html and 'id="filter-errors"' in html
    errors = html.split('id="filter-errors"', 1)[1].split("</div></div>", 1)[0]
    assert f"<strong>{label}</strong>: Select a valid choice." in errors
    return html


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ({"status": "closed"}, "status"),
        ({"status": "closed", "format": "csv"}, "status"),
        ({"status": "closed", "format": "xlsx"}, "status"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_a_problem_filter_that_is_not_valid_shows_no_problems_and_exports_none(client, it_named, queue, query, label):
    client.force_login(it_named)
    html = refused_page(client.get("/reports/problems/", query), label)
    assert not [pk for pk in (p.pk for p in queue.values()) if f'data-problem="{pk}"' in html]
    assert "Export CSV" not in html  # no export link for a list that is not shown
    assert not ExportJob.objects.exists()  # and no file asked of the worker


@pytest.mark.persian
def test_a_filters_error_is_in_the_pages_language(client, it_named, queue):
    client.force_login(it_named)
    response = client.get("/reports/problems/", {"status": "closed"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "یک گزینهٔ معتبر انتخاب کنید" in html and "یکی از گزینه‌های بالا را انتخاب کنید" in html


def test_anonymous_users_are_sent_to_log_in(client, queue):
    assert client.get("/reports/problems/").status_code == 302
    assert client.get("/reports/problems/?format=csv").status_code == 302


def test_the_dashboard_shows_the_queue_to_it(client, it_named, queue):
    client.force_login(it_named)
    assert 'data-panel="problems"' in client.get("/").content.decode()


# --- API ----------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user, name='test')[1]}")
    return api


def test_the_api_lists_counts_acknowledges_and_resolves(it_named, queue):
    api = _api(it_named)
    assert [p["id"] for p in api.get("/api/reports/problems/").json()["results"]] == [
        queue["acked"].pk,
        queue["new"].pk,
        queue["formula"].pk,
    ]
    assert api.get("/api/reports/problems/?status=bogus").status_code == 400
    assert api.get("/api/reports/problems/counts/").json() == {
        "open": 3,
        "new": 2,
        "acknowledged": 1,
        "resolved": 1,
        "all": 4,
    }
    resp = api.post(f"/api/reports/problems/{queue['new'].pk}/acknowledge/")
    assert resp.status_code == 200 and resp.json()["assigned_to"] == "بهرام صالحی"
    assert api.post(f"/api/reports/problems/{queue['new'].pk}/acknowledge/").status_code == 409
    bad = api.post(f"/api/reports/problems/{queue['new'].pk}/resolve/", {"resolution": ""}, format="json")
    assert bad.status_code == 400 and "resolution" in bad.json()["error"]["fields"]
    assert SystemProblem.objects.get(pk=queue["new"].pk).status == ProblemStatus.ACKNOWLEDGED
    ok = api.post(
        f"/api/reports/problems/{queue['new'].pk}/resolve/", {"resolution": "سامانه دوباره راه‌اندازی شد"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "resolved"


def test_the_api_takes_a_jalali_since(origin_clerk, bazargan):
    body = {
        "system": "ics",
        "symptom": "slow",
        "office": "BZG",
        "since": "۱۴۰۵/۰۹/۰۹ ۱۰:۰۰",
        "description": "سامانه بسیار کند است",
    }
    resp = _api(origin_clerk).post("/api/reports/problems/", body, format="json")
    assert resp.status_code == 201, resp.json()
    assert SystemProblem.objects.get().since == dt.datetime(2026, 11, 30, 10, 0, tzinfo=TEHRAN)
    body["since"] = "yesterday"
    bad = _api(origin_clerk).post("/api/reports/problems/", body, format="json")
    assert bad.status_code == 400 and "since" in bad.json()["error"]["fields"]
    assert SystemProblem.objects.count() == 1


@pytest.mark.parametrize("since", ["1900-01-01T10:00:00Z", "0852/05/16 10:00", "1389/12/29 10:00"])
def test_a_since_before_1390_is_a_400_naming_it(origin_clerk, bazargan, since):
    """Stored, it came back as ``1900-01-01T13:25:44+03:25:44`` (Tehran's offset before 1946), which
    is no RFC 3339 time: the API's own schema check failed on the list and on the answer (fuzzing)."""
    body = {"system": "ics", "symptom": "slow", "office": "BZG", "since": since, "description": "سامانه بسیار کند است"}
    bad = _api(origin_clerk).post("/api/reports/problems/", body, format="json")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["since"]
    assert SystemProblem.objects.count() == 0


def test_the_api_refuses_wrong_roles_and_outside_scope(origin_clerk, outsider, queue):
    url = f"/api/reports/problems/{queue['new'].pk}/"
    assert _api(origin_clerk).post(url + "acknowledge/").status_code == 403
    assert _api(origin_clerk).post(url + "resolve/", {"resolution": "x"}, format="json").status_code == 403
    assert _api(outsider).post(url + "acknowledge/").status_code == 404
    assert _api(outsider).get("/api/reports/problems/?status=all").json()["results"] == []
    ics = _api(UserFactory(username="ics", role=Role.INTEGRATION))
    assert ics.post(url + "acknowledge/").status_code == 403
    assert APIClient().get("/api/reports/problems/counts/").status_code in (401, 403)
    assert SystemProblem.objects.get(pk=queue["new"].pk).status == ProblemStatus.NEW


def test_the_xlsx_opens_with_its_title_tab_and_maker_above_the_table_as_the_other_exports_do(client, it_named, queue):
    client.force_login(it_named)
    before = format_jalali(timezone.now(), persian=False)
    ws = _xlsx(exported(client, "/reports/problems/", {"status": "new", "format": "xlsx"}))
    block = title_block(ws)
    assert block[:2] == [["System problems"], ["status", "new"]]
    assert block[2][0] == "made at" and block[2][1] in {before, format_jalali(timezone.now(), persian=False)}
    assert block[3:] == [["made by", "بهرام صالحی"]]
    assert ws.cell(1, 1).font.b  # the title stands out
    header, *rows = table(ws)
    assert header[0].value == "Number" and [r[0].value for r in rows] == [queue["new"].pk, queue["formula"].pk]

    client.cookies["django_language"] = "fa"
    block = title_block(_xlsx(exported(client, "/reports/problems/", {"format": "xlsx"})))
    assert block[:2] == [["مشکلات سامانه"], ["وضعیت", "باز"]] and block[3] == ["تهیه‌کننده", "بهرام صالحی"]


def test_the_exports_name_the_declarations_affected_by_their_serials(client, it_named, origin_clerk, bazargan, tehran):
    from tests.factories import DeclarationFactory

    first = DeclarationFactory(serial="1405-BZG-00000012", origin=bazargan, destination=tehran)
    second = DeclarationFactory(serial="1405-BZG-00000003", origin=bazargan, destination=tehran)
    problem = services.problem_report(
        by=origin_clerk,
        system=System.ICS,
        symptom=Symptom.ARRIVALS_NOT_VISIBLE,
        office=bazargan,
        since=timezone.now() - dt.timedelta(days=1),
        description="two arrivals are not visible in ICS",
        declarations=[first, second],
    )
    client.force_login(it_named)
    header, row = _csv(client.get("/reports/problems/", {"status": "new", "format": "csv"}))
    assert (header[-1], row[0], row[-1]) == (
        "Declarations affected",
        str(problem.pk),
        f"{second.serial}; {first.serial}",
    )
    sheet = [[c.value for c in r] for r in table(_xlsx(exported(client, "/reports/problems/", {"format": "xlsx"})))]
    assert (sheet[0][-1], sheet[1][-1]) == ("Declarations affected", f"{second.serial}; {first.serial}")
