"""Big exports are built by the worker (core.exports): the link starts a job, its page shows progress
and then the download; the file is the one the request used to build; only the person who asked (and
the IT office) may take it; the person is told when it is ready or failed; files expire, jobs stay."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core import exports
from core.models import AuditTrailImmutable, ExportJob, OutboxJob
from declarations import exports as declaration_exports
from declarations.models import Status, TransitDeclaration
from notifications.models import Notification
from tests.export_jobs import ask, job_of
from tests.factories import DeclarationFactory
from tests.sheets import table_values

XLSX = reverse("declarations:export-xlsx")


def _sheet(data: bytes) -> list[tuple]:
    """The table below the title block, its header first."""
    return [tuple(row) for row in table_values(data)]


def test_asking_records_a_job_and_schedules_its_build_after_the_commit(client, hq, declaration, settings):
    client.force_login(hq)
    with TestCase.captureOnCommitCallbacks() as callbacks:  # not executed: the job waits for its build
        response = client.get(XLSX, {"status": "registered"})
    job = job_of(response)
    assert (job.user, job.kind, job.fmt, job.query, job.state) == (
        hq,
        "declarations",
        "xlsx",
        "status=registered",
        "queued",
    )
    assert len(callbacks) == 1  # the build, queued to run once the job is committed
    asked = LogEntry.objects.get(object_pk=str(job.pk), additional_data__access="export_requested")
    assert asked.additional_data["query"] == "status=registered"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html and "export-download" not in html  # polls until it is ready


def test_with_a_broker_the_build_goes_through_the_outbox(client, hq, declaration, settings):
    from transit_monitor.celery import app

    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # the autouse fixture puts it back
    client.force_login(hq)
    with TestCase.captureOnCommitCallbacks():  # committed, not published: no broker here
        job = job_of(client.get(XLSX))
    row = OutboxJob.objects.get(task="core.tasks.build_export")
    assert row.args == [job.pk]


def test_the_file_is_the_one_the_request_built_and_the_person_is_notified(client, hq, bazargan, tehran):
    arrived = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED)
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    job = ask(client, XLSX, {"status": "arrived"})
    job.refresh_from_db()
    assert (job.state, job.progress, job.rows) == ("done", 100, 1)
    assert job.sha256 and job.size and job.finished_at and job.filename.endswith(".xlsx")
    response = client.get(reverse("core:export-download", args=[job.pk]))
    assert response["Content-Disposition"].startswith("attachment") and response["Cache-Control"] == "no-store"
    data = b"".join(response.streaming_content)
    # What the synchronous export wrote for the same filters: the same header and rows.
    synchronous = io.BytesIO()
    qs = TransitDeclaration.objects.filter(status=Status.ARRIVED).order_by("-declared_at", "-pk")
    declaration_exports.write_xlsx(qs, synchronous, head=[])
    assert _sheet(data) == _sheet(synchronous.getvalue())
    assert _sheet(data)[1][0] == arrived.serial
    note = Notification.objects.get(user=hq, kind="export_ready", subject=f"export:{job.pk}")
    assert note.url == reverse("core:export-job", args=[job.pk])
    page = client.get(note.url).content.decode()
    assert reverse("core:export-download", args=[job.pk]) in page and "every 2s" not in page
    download = LogEntry.objects.filter(object_pk=str(job.pk), additional_data__access="export").first()
    assert download is not None and download.additional_data["query"] == "status=arrived"


def test_progress_is_written_as_the_rows_go(hq, bazargan, tehran, monkeypatch):
    for _i in range(5):
        DeclarationFactory(origin=bazargan, destination=tehran)
    monkeypatch.setattr(declaration_exports, "CHUNK", 2)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 0)
    seen: list[int] = []
    real = ExportJob.objects.filter

    def spy(*args, **kwargs):
        qs = real(*args, **kwargs)
        original = qs.update

        def update(**values):
            if "rows" in values:
                seen.append(values["progress"])
            return original(**values)

        qs.update = update
        return qs

    job = ExportJob.objects.create(user=hq, kind="declarations", fmt="xlsx", language="en")
    monkeypatch.setattr(ExportJob.objects, "filter", spy)
    assert exports.build(job.pk) == "done"
    job.refresh_from_db()
    assert seen and seen == sorted(seen) and max(seen) < 100  # 40, 80, 99: never 100 before the file is stored
    assert (job.progress, job.rows) == (100, 5)


def test_nobody_else_may_see_or_take_the_file_but_the_it_office(client, hq, it_officer, outsider, declaration):
    client.force_login(hq)
    job = ask(client, XLSX)
    for url in (reverse("core:export-job", args=[job.pk]), reverse("core:export-download", args=[job.pk])):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        client.force_login(it_officer)
        assert client.get(url).status_code == 200


def test_a_failed_build_says_so_and_tells_the_person(client, hq, declaration, monkeypatch):
    def broken(job, out, progress):
        raise RuntimeError("disk full")

    monkeypatch.setitem(exports._KINDS, "declarations", exports.Kind("declarations", "Declarations", broken))
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    assert job.state == "failed" and "workers' log" in job.error and not job.file
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "data-error" in html and "could not be built" in html and "every 2s" not in html
    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 404
    note = Notification.objects.get(user=hq, kind="export_failed")
    assert note.url == reverse("core:export-job", args=[job.pk])


def test_a_second_delivery_builds_nothing_again(client, hq, declaration):
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    assert exports.build(job.pk) == "done"
    assert ExportJob.objects.get(pk=job.pk).sha256 == job.sha256
    assert Notification.objects.filter(user=hq, kind="export_ready").count() == 1


def test_files_expire_after_the_days_kept_and_the_job_stays(client, hq, declaration, settings):
    settings.EXPORT_KEEP_DAYS = 7
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    storage, name = job.file.storage, job.file.name
    assert exports.expire(now=timezone.now() + dt.timedelta(days=6)) == 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert exports.expire(now=timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.state == "expired" and not job.file and job.sha256 and job.expired_at
    assert not storage.exists(name)
    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 404
    assert "was removed" in client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    with pytest.raises(AuditTrailImmutable):
        job.delete()
    with pytest.raises(AuditTrailImmutable):
        ExportJob.objects.all().delete()


def test_a_job_whose_message_was_lost_is_queued_again_and_one_that_never_ends_fails_saying_so(
    hq, declaration, settings
):
    from reports import sweeper

    long_ago = timezone.now() - dt.timedelta(seconds=settings.JOB_QUEUED_STALE_SECONDS + 60)
    lost = ExportJob.objects.create(user=hq, kind="declarations", fmt="xlsx", language="en", created_at=long_ago)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert sweeper.sweep_all()["exports"] == {"requeued": 1}
    lost.refresh_from_db()
    assert lost.state == "done" and lost.file

    settings.JOB_MAX_ATTEMPTS = 0
    dead = ExportJob.objects.create(
        user=hq,
        kind="declarations",
        fmt="xlsx",
        language="en",
        state="running",
        started_at=long_ago - dt.timedelta(hours=2),
    )
    assert exports.jobs_sweep() == {"failed": 1}
    dead.refresh_from_db()
    assert dead.state == "failed" and "never finished" in dead.error
    assert Notification.objects.filter(user=hq, kind="export_failed", subject=f"export:{dead.pk}").exists()


@pytest.mark.persian
def test_the_rows_of_a_ready_file_are_counted_in_persian_with_their_thousands_grouped(client, hq, bazargan, tehran):
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    job = ask(client, XLSX, {})
    ExportJob.objects.filter(pk=job.pk).update(rows=20016)
    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "۲۰٬۰۱۶" in page and "۲۰۰۱۶" not in page


@pytest.mark.persian
def test_a_job_given_up_says_how_often_it_was_started_in_persian_digits(client, hq, settings):
    """«متوقف شد: این کار 1 بار آغاز شد…» on the export's page: the count in Latin digits."""
    from reports import sweeper

    settings.JOB_MAX_ATTEMPTS = 0
    long_ago = timezone.now() - dt.timedelta(seconds=settings.JOB_QUEUED_STALE_SECONDS + 60)
    dead = ExportJob.objects.create(
        user=hq, kind="declarations", fmt="xlsx", language="fa", state="running", started_at=long_ago
    )
    assert sweeper.sweep_all()["exports"] == {"failed": 1}
    client.force_login(hq)
    page = client.get(reverse("core:export-job", args=[dead.pk])).content.decode()
    assert "متوقف شد: این کار ۱ بار آغاز شد و هرگز تمام نشد" in page


def _locked_at(monkeypatch, times: int | None, *, module=None, name: str = "") -> list[int]:
    """The build's step ``module.name`` meets SQLite's «database is locked» ``times`` times (always, None)
    before it works, as when another export writes at the same second; the calls are counted.

    The task's retries run as the worker runs them: Celery's eager mode gives a retry to the next try
    (its count one more, no wait) only when it does not propagate the task's exceptions to the caller."""
    from django.db import OperationalError

    from transit_monitor.celery import app

    monkeypatch.setitem(app.conf, "CELERY_TASK_EAGER_PROPAGATES", False)

    real, calls = getattr(module, name), []

    def locked(*args, **kwargs):
        calls.append(1)
        if times is None or len(calls) <= times:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, locked)
    return calls


def test_a_build_that_meets_a_locked_database_once_is_built_by_its_retry(client, hq, bazargan, tehran, monkeypatch):
    DeclarationFactory(origin=bazargan, destination=tehran)
    calls = _locked_at(monkeypatch, 1, module=declaration_exports, name="write_xlsx")
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    assert (job.state, job.progress, job.rows, job.error) == ("done", 100, 1, "") and len(calls) == 2
    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 200
    assert Notification.objects.filter(user=hq, kind="export_ready").count() == 1
    assert not Notification.objects.filter(user=hq, kind="export_failed").exists()


def test_a_locked_database_while_the_file_is_stored_does_not_leave_the_job_running(
    client, hq, bazargan, tehran, monkeypatch, settings
):
    """The tester's case: the first try had claimed the job, and its retry found it claimed and built nothing."""
    DeclarationFactory(origin=bazargan, destination=tehran)
    calls = _locked_at(monkeypatch, 1, module=exports, name="file_sha256")
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    assert (job.state, job.rows) == ("done", 1) and len(calls) == 2
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert reverse("core:export-download", args=[job.pk]) in html and "every 2s" not in html
    # The first try's file, stored before its row could say so, is not left behind.
    assert sorted(p.name for p in (settings.MEDIA_ROOT / "exports").rglob("*") if p.is_file()) == [
        job.file.name.rsplit("/", 1)[-1]
    ]


def test_a_database_locked_at_every_try_fails_the_job_saying_so_and_tells_the_person(
    client, hq, declaration, monkeypatch
):
    from core.tasks import build_export

    calls = _locked_at(monkeypatch, None, module=declaration_exports, name="write_xlsx")
    client.force_login(hq)
    job = ask(client, XLSX)
    job.refresh_from_db()
    assert job.state == "failed" and not job.file and len(calls) == build_export.max_retries + 1
    assert "busy or unreachable" in job.error and "Ask for the file again" in job.error
    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "busy or unreachable" in html and "every 2s" not in html
    note = Notification.objects.get(user=hq, kind="export_failed")
    assert note.url == reverse("core:export-job", args=[job.pk])


def test_the_csv_of_the_list_is_built_by_the_worker_as_the_xlsx_is(client, hq, bazargan, tehran):
    """A country's list as CSV is minutes of work: never built in the request that asks for it."""
    import csv

    arrived = DeclarationFactory(origin=bazargan, destination=tehran, status=Status.ARRIVED)
    DeclarationFactory(origin=bazargan, destination=tehran)
    client.force_login(hq)
    job = ask(client, reverse("declarations:export-csv"), {"status": "arrived"})
    job.refresh_from_db()
    assert (job.state, job.fmt, job.progress, job.rows) == ("done", "csv", 100, 1)
    assert job.filename.startswith("declarations_") and job.filename.endswith(".csv")
    page = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert reverse("core:export-download", args=[job.pk]) in page
    response = client.get(reverse("core:export-download", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())  # spreadsheet programs read the Persian text as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Serial", "Declared at"] and [r[0] for r in rows[1:]] == [arrived.serial]
    note = Notification.objects.get(user=hq, kind="export_ready", subject=f"export:{job.pk}")
    assert note.url == reverse("core:export-job", args=[job.pk])


def test_a_double_click_on_an_export_goes_to_the_job_already_asked(client, hq, declaration):
    """Three clicks on the same export while it is queued made three jobs building the same file."""
    client.force_login(hq)
    url = reverse("declarations:export-csv")
    with TestCase.captureOnCommitCallbacks():  # not executed: the first job is still queued
        jobs = {job_of(client.post(f"{url}?status=in_transit")).pk for _ in range(3)}
    assert len(jobs) == 1 and ExportJob.objects.count() == 1
    # Other filters, or the first once it is built, make a new job.
    with TestCase.captureOnCommitCallbacks():
        other = job_of(client.post(f"{url}?status=registered"))
    assert other.pk not in jobs
    ExportJob.objects.filter(pk__in=jobs).update(state="done")
    with TestCase.captureOnCommitCallbacks():
        again = job_of(client.post(f"{url}?status=in_transit"))
    assert again.pk not in jobs and ExportJob.objects.count() == 3


def test_a_progress_write_refused_by_a_locked_database_does_not_stop_the_file(hq, bazargan, tehran, monkeypatch):
    """Under `make run` (SQLite) the rows are read in one open statement; once the web server writes, a write on
    that connection is refused at once until the read ends. The walk's exports then stayed «running» for an hour:
    the progress write failed the build, and giving the job back failed the same way."""
    from django.db import OperationalError

    for _i in range(5):
        DeclarationFactory(origin=bazargan, destination=tehran)
    monkeypatch.setattr(declaration_exports, "CHUNK", 2)
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 0)
    real = ExportJob.objects.filter
    refused: list[dict] = []

    def locked(*args, **kwargs):
        qs = real(*args, **kwargs)
        original = qs.update

        def update(**values):
            if "rows" in values:
                refused.append(values)
                raise OperationalError("database is locked")
            return original(**values)

        qs.update = update
        return qs

    job = ExportJob.objects.create(user=hq, kind="declarations", fmt="xlsx", language="en")
    monkeypatch.setattr(ExportJob.objects, "filter", locked)
    assert exports.build(job.pk, last_try=False) == "done"
    job.refresh_from_db()
    assert refused and (job.state, job.progress, job.rows) == ("done", 100, 5)
