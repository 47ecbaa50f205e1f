"""A real Celery worker is SIGKILLed in the middle of a plate recognition, a scan comparison and a
return build (each paused after its claim by the test-only TASK_TEST_PAUSE). Once the time limit has
passed, the sweeper queues the three again; a new worker does each once: one recognition, one
comparison verdict, one return with its three files; no row stays running, and the first messages,
delivered again, change nothing."""

import datetime as dt
import io
import os

import numpy as np
import pytest
from django.utils import timezone
from PIL import Image

from anpr import ingest
from anpr import services as anpr_services
from anpr.models import PlateRead, Recognition
from declarations import services as declaration_services
from declarations.models import TransitDeclaration
from reports import sweeper
from reports.models import BuildState, MonthlyReturn, ReturnBuild
from reports.tasks import build_monthly_return
from scans.models import ScanComparison, Stage
from tests.core.workers import Worker, forget_unacked, wait_for
from tests.factories import DeclarationFactory
from tests.scans.conftest import upload
from tests.scans.test_comparison_job import generated_pair

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
PAUSE = "recognition=600,comparison=600,return=600"  # longer than the test: only SIGKILL ends them


def _photo() -> bytes:
    rng = np.random.default_rng(5)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def _past_the_limit(model, **fields) -> None:
    """Hours pass: the dead claims are older than any time limit."""
    model.objects.update(**{k: timezone.now() - dt.timedelta(hours=8) for k in fields})


def test_jobs_of_a_killed_worker_run_again_once(
    transactional_db, settings, bazargan, tehran, west_az, origin_clerk, dest_clerk
):
    from transit_monitor.celery import app

    app.control.purge()
    first = Worker(settings, TASK_TEST_PAUSE=PAUSE)
    try:
        declaration = DeclarationFactory(origin=bazargan, destination=tehran)
        declaration_services.declaration_depart(
            declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
        )
        origin_png, dest_jpeg, _label = generated_pair(3, tampered=True)
        upload(declaration, Stage.ORIGIN, origin_clerk, origin_png)
        upload(declaration, Stage.DESTINATION, dest_clerk, dest_jpeg, name="dest.jpg")
        camera, _token = anpr_services.camera_register(office=tehran, code="THR-7", direction="in")
        (read,) = ingest.reads_ingest(
            camera=camera, items=[ingest.ReadInput(captured_at=timezone.now(), photo=_photo())]
        )
        build = build_monthly_return.delay(1404, 5, west_az.pk)

        comparison = ScanComparison.objects.get()
        wait_for(
            lambda: ScanComparison.objects.filter(status=ScanComparison.Status.RUNNING).exists()
            and ReturnBuild.objects.filter(key=build.id, state=BuildState.BUILDING).exists()
            and "recognition job pauses" in first.output(),
            "the three jobs claimed by the first worker",
            first,
        )
    finally:
        first.kill()
    assert PlateRead.objects.get(pk=read.id).recognition == Recognition.PENDING
    assert not MonthlyReturn.objects.exists()

    # The hard time limits pass; the sweeper (beat's job, called here) queues the three again.
    _past_the_limit(ScanComparison, started_at=1)
    _past_the_limit(ReturnBuild, started_at=1)
    PlateRead.objects.filter(pk=read.id).update(received_at=timezone.now() - dt.timedelta(hours=8))
    done = sweeper.sweep_all()
    assert done["scans"].get("requeued") == 1 and done["anpr"] == {"requeued": 1} and done["returns"] == {"requeued": 1}

    second = Worker(settings)
    try:
        wait_for(
            lambda: ScanComparison.objects.get(pk=comparison.pk).status == ScanComparison.Status.DONE
            and ReturnBuild.objects.get(key=build.id).state == BuildState.DONE
            and PlateRead.objects.get(pk=read.id).recognition != Recognition.PENDING,
            "the three jobs done by the second worker",
            second,
        )
        comparison.refresh_from_db()
        finished = comparison.finished_at
        snap = ReturnBuild.objects.get(key=build.id).result
        assert build.get(timeout=60) == snap.pk  # the status page's task id answers the return built
        # The first worker's messages delivered again (as Redis does after its visibility timeout).
        from anpr.tasks import recognise_read
        from scans.tasks import compare_scans

        compare_scans.delay(comparison.pk).get(timeout=60)
        recognise_read.delay(read.id).get(timeout=60)
        assert build_monthly_return.apply_async((1404, 5, west_az.pk), task_id=build.id).get(timeout=60) == snap.pk
    finally:
        second.stop()
        forget_unacked()  # the first worker's messages, redelivered by hand above

    assert ScanComparison.objects.get(pk=comparison.pk).finished_at == finished  # one verdict
    assert TransitDeclaration.objects.get(pk=declaration.pk).comparison_verdict == comparison.verdict
    assert MonthlyReturn.objects.count() == 1  # one return, its three files
    files = sorted(os.listdir(settings.MEDIA_ROOT / "returns"))
    assert len(files) == 3 and {f.rsplit(".", 1)[1] for f in files} == {"xlsx", "csv", "pdf"}
    read = PlateRead.objects.get(pk=read.id)
    assert read.recognition in (Recognition.DONE, Recognition.UNREADABLE, Recognition.MANUAL, Recognition.FAILED)
    assert not ScanComparison.objects.filter(status__in=["queued", "running"]).exists()
    assert not ReturnBuild.objects.exclude(state=BuildState.DONE).exists()
    assert not PlateRead.objects.filter(recognition=Recognition.PENDING).exists()
