"""A job a dead worker (or a lost message) left behind is queued again by the sweeper, audited on its row,
and after JOB_MAX_ATTEMPTS marked failed with a reason a person reads and a system problem for the IT
office; a message delivered twice does the job once. (Eager Celery here: a re-queued job runs at the
commit; tests/core/test_worker_killed.py kills a real worker.)"""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from anpr import ingest
from anpr import services as anpr_services
from anpr.models import PlateRead, Recognition
from core import taskruns
from declarations import import_jobs
from declarations.models import ImportBatch, ImportState, TransitDeclaration
from notifications.models import Kind, Notification
from reports import sweeper
from reports.models import BuildState, MonthlyReturn, ReturnBuild, Symptom, SystemProblem
from reports.tasks import build_monthly_return
from scans.models import Scan, ScanComparison, Stage
from tests.days import months_back_month
from tests.declarations.test_importer import row
from tests.scans.conftest import departed, upload  # noqa: F401 - the fixture is used by name
from tests.scans.test_comparison_job import generated_pair

pytestmark = pytest.mark.django_db
LONG_AGO = dt.timedelta(hours=8)


def requeues(obj) -> list[dict]:
    entries = LogEntry.objects.get_for_object(obj).filter(action=LogEntry.Action.ACCESS)
    return [e.additional_data for e in entries if e.additional_data.get("access") == taskruns.REQUEUED]


@pytest.fixture
def stuck_comparison(departed, origin_clerk, dest_clerk):  # noqa: F811
    """A comparison a killed worker left "running" hours ago (on_commit never fired: not run yet)."""
    origin_png, dest_jpeg, _label = generated_pair(3, tampered=True)
    upload(departed, Stage.ORIGIN, origin_clerk, origin_png)
    upload(departed, Stage.DESTINATION, dest_clerk, dest_jpeg, name="dest.jpg")
    comparison = ScanComparison.objects.get()
    Scan.objects.update(preview_status=Scan.PreviewStatus.READY)  # only the comparison is stuck
    ScanComparison.objects.filter(pk=comparison.pk).update(
        status=ScanComparison.Status.RUNNING,
        started_at=timezone.now() - LONG_AGO,
        created_at=timezone.now() - LONG_AGO,
    )
    return comparison


def test_a_comparison_left_running_by_a_dead_worker_is_queued_again_and_its_verdict_written_once(
    stuck_comparison, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = sweeper.sweep_all()
    assert done["scans"] == {"requeued": 1}
    comparison = ScanComparison.objects.get(pk=stuck_comparison.pk)
    assert comparison.status == ScanComparison.Status.DONE and comparison.verdict
    assert [r["kind"] for r in requeues(comparison)] == ["comparison"]
    assert TransitDeclaration.objects.get(pk=comparison.declaration_id).comparison_verdict == comparison.verdict
    # Swept again: nothing is stuck; the message delivered once more does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep_all()["scans"] == {}
    from scans.tasks import compare_scans

    finished = comparison.finished_at
    compare_scans.apply(args=(comparison.pk,))
    assert ScanComparison.objects.get(pk=comparison.pk).finished_at == finished


def test_a_live_claim_is_not_taken_over_but_a_dead_one_is(stuck_comparison):
    from scans import services

    ScanComparison.objects.filter(pk=stuck_comparison.pk).update(started_at=timezone.now())
    services.comparison_run(comparison_id=stuck_comparison.pk)  # a second delivery while it runs
    assert ScanComparison.objects.get(pk=stuck_comparison.pk).status == ScanComparison.Status.RUNNING
    ScanComparison.objects.filter(pk=stuck_comparison.pk).update(started_at=timezone.now() - LONG_AGO)
    services.comparison_run(comparison_id=stuck_comparison.pk)  # the redelivery after the worker died
    assert ScanComparison.objects.get(pk=stuck_comparison.pk).status == ScanComparison.Status.DONE


def test_a_job_that_never_finishes_is_failed_with_a_reason_and_the_it_office_is_told(
    stuck_comparison, it_officer, dest_clerk, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    t0 = timezone.now()
    outcomes = []
    for attempt in range(settings.JOB_MAX_ATTEMPTS + 2):
        # The re-queued message is lost each time (callbacks not run); each sweep comes hours later.
        with django_capture_on_commit_callbacks(execute=False):
            outcomes.append(sweeper.sweep_all(now=t0 + attempt * LONG_AGO)["scans"])
    assert outcomes == [{"requeued": 1}] * settings.JOB_MAX_ATTEMPTS + [{"failed": 1}, {}]
    comparison = ScanComparison.objects.get(pk=stuck_comparison.pk)
    assert comparison.status == ScanComparison.Status.FAILED
    assert "started 4 times and never finished" in comparison.error and "IT office" in comparison.error
    assert len(requeues(comparison)) == settings.JOB_MAX_ATTEMPTS
    problem = SystemProblem.objects.get(symptom=Symptom.JOB_FAILED)
    assert f"ScanComparison #{comparison.pk}" in problem.description
    assert list(problem.declarations.all()) == [comparison.declaration]
    assert Notification.objects.filter(user=it_officer, kind=Kind.PROBLEM_REPORTED).count() == 1
    # The destination, whose declaration now has no verdict, is told too (IT has its problem already).
    told = Notification.objects.filter(kind=Kind.COMPARISON_FAILED)
    assert list(told.values_list("user_id", flat=True)) == [dest_clerk.pk]


def test_a_sweep_soon_after_a_requeue_waits_for_the_new_message(stuck_comparison, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        assert sweeper.sweep_all()["scans"] == {"requeued": 1}
        assert sweeper.sweep_all()["scans"] == {"waiting": 1}  # queued again just now: not yet stuck
    assert ScanComparison.objects.get(pk=stuck_comparison.pk).status == ScanComparison.Status.QUEUED


def test_a_return_build_delivered_twice_makes_one_return_and_a_dead_build_is_finished(
    west_az, bazargan, tehran, django_capture_on_commit_callbacks
):
    year, month = months_back_month()
    first = build_monthly_return.apply(args=(year, month, west_az.pk), task_id="return-request-1").get()
    again = build_monthly_return.apply(args=(year, month, west_az.pk), task_id="return-request-1").get()
    assert first == again and MonthlyReturn.objects.count() == 1
    assert ReturnBuild.objects.get(key="return-request-1").result_id == first
    # A build whose worker died in the middle: the sweeper sends its message again, under its task id.
    ReturnBuild.objects.create(
        key="return-request-2",
        year=year,
        month=month,
        province=west_az,
        state=BuildState.BUILDING,
        started_at=timezone.now() - LONG_AGO,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep_all()["returns"] == {"requeued": 1}
    build = ReturnBuild.objects.get(key="return-request-2")
    assert build.state == BuildState.DONE and build.result.version == 2
    assert MonthlyReturn.objects.count() == 2


def test_a_read_left_awaiting_recognition_is_read_again(bazargan, django_capture_on_commit_callbacks):
    camera, _token = anpr_services.camera_register(office=bazargan, code="BZG-1", direction="out")
    at = timezone.now() - LONG_AGO
    (r,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, photo=b"\xff\xd8\xff")])
    PlateRead.objects.filter(pk=r.id).update(received_at=at, recognition=Recognition.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep_all()["anpr"] == {"requeued": 1}
    read = PlateRead.objects.get(pk=r.id)
    assert read.recognition != Recognition.PENDING and read.recognition_error  # the photo is no image
    assert len(requeues(read)) == 1


def test_an_import_left_running_is_run_again_and_the_importer_told_once(
    bazargan, tehran, origin_clerk, django_capture_on_commit_callbacks
):
    record = {**row(origin="BZG", destination="THR", route=""), "goods": [{"description": "گوشی", "quantity": "1"}]}
    batch = import_jobs.import_queue_records(records=[record], by=origin_clerk)
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, started_at=timezone.now() - LONG_AGO)
    with django_capture_on_commit_callbacks(execute=True):
        assert sweeper.sweep_all()["imports"] == {"requeued": 1}
    batch.refresh_from_db()
    assert batch.state == ImportState.DONE and batch.created == 1
    assert Notification.objects.filter(user=origin_clerk, kind=Kind.IMPORT_FINISHED).count() == 1


def test_a_message_given_back_twice_after_its_worker_died_is_dropped(stuck_comparison):
    """A job whose run kills its worker must not kill it for ever: the first redelivery runs, the
    second is dropped (the sweeper then takes over, a bounded number of times)."""
    from scans.tasks import compare_scans

    def delivered(times: int) -> bool:
        compare_scans.push_request(id="message-1", delivery_info={"redelivered": times > 0})
        try:
            return compare_scans.redelivered_too_often()
        finally:
            compare_scans.pop_request()

    assert [delivered(0), delivered(1), delivered(2), delivered(0)] == [False, False, True, False]
