"""Four queues, a worker per queue (as docs/operations.md deploys them): a month's return building on
the ``reports`` queue does not hold up the matching of a camera's plate read on ``recognition``."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from anpr import services as anpr_services
from anpr.models import MatchState, PlateMatch, PlateRead
from declarations.models import Status
from reports.models import BuildState, MonthlyReturn, ReturnBuild
from reports.tasks import build_monthly_return
from tests.anpr.conftest import camera_client
from tests.core.workers import Worker, forget_unacked, wait_for
from tests.factories import DeclarationFactory, VehicleFactory


def test_every_task_has_its_queue():
    from transit_monitor.celery import app

    app.loader.import_default_modules()
    route = app.amqp.router.route
    queue_of = {name: route({}, name)["queue"].name for name in app.tasks if not name.startswith("celery.")}
    assert {queue_of[t] for t in ("anpr.tasks.recognise_read", "anpr.tasks.match_reads")} == {"recognition"}
    assert {queue_of[t] for t in ("scans.tasks.compare_scans", "scans.tasks.make_previews")} == {"comparison"}
    reports = ("reports.tasks.build_monthly_return", "declarations.tasks.run_import", "anpr.tasks.train_model")
    assert {queue_of[t] for t in (*reports, "declarations.tasks.render_letter_pdf")} == {"reports"}
    assert queue_of["reports.tasks.sweep_stuck_jobs"] == queue_of["anpr.tasks.check_camera_health"] == "default"
    assert queue_of["scans.tasks.notify_scan_reused"] == "default"  # a notice, not behind the comparisons
    assert set(queue_of.values()) == {q.name for q in django_settings.CELERY_TASK_QUEUES}


@pytest.mark.redis
@pytest.mark.postgres
def test_a_long_return_does_not_delay_a_plate_reads_matching(transactional_db, settings, bazargan, tehran, west_az):
    from transit_monitor.celery import app

    app.control.purge()
    settings.ANPR_MATCH_IN_REQUEST_MAX = 0  # the read's matching goes to the worker, as a backlog's does
    # The return worker's build takes as long as the test (it pauses after its claim).
    reports = Worker(settings, queues="reports", pool="solo", concurrency=1, TASK_TEST_PAUSE="return=600")
    recognition = Worker(settings, queues="recognition", pool="solo", concurrency=1)
    try:
        build = build_monthly_return.delay(1404, 5, west_az.pk)
        wait_for(
            lambda: ReturnBuild.objects.filter(key=build.id, state=BuildState.BUILDING).exists(),
            "the return build started",
            reports,
        )
        vehicle = VehicleFactory(plate="26ب36913")
        declaration = DeclarationFactory(origin=bazargan, destination=tehran, vehicle=vehicle, status=Status.IN_TRANSIT)
        camera, token = anpr_services.camera_register(office=tehran, code="THR-5", direction="in")
        camera.token = token
        response = camera_client(camera).post(
            "/api/anpr/reads/",
            {"captured_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(), "plate": vehicle.plate},
            format="json",
        )
        assert response.status_code == 201, response.content
        wait_for(
            lambda: not PlateRead.objects.filter(match_state=MatchState.PENDING).exists(),
            "the read matched",
            recognition,
        )
        assert PlateMatch.objects.filter(declaration=declaration).count() == 1
        # ...while the return was still building.
        assert ReturnBuild.objects.get(key=build.id).state == BuildState.BUILDING
        assert not MonthlyReturn.objects.exists()
    finally:
        reports.kill()
        recognition.stop()
        app.control.purge()
        forget_unacked()
