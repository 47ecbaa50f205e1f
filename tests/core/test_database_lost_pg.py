"""The database connection is lost in the middle of a settlement (its server process terminated with
pg_terminate_backend from another connection, after the declaration's row was written and before its
event): the page answers 503 in the app's layout, the API its JSON error body, both with Retry-After;
the transaction was rolled back, so nothing is half-written. A task that loses its connection in the
middle of a job is retried by the worker and does the job once."""

import datetime as dt

import psycopg2
import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from declarations.models import DeclarationEvent, Status, TransitDeclaration
from scans.models import ScanComparison, Stage
from tests.core.workers import Worker, wait_for

pytestmark = pytest.mark.postgres


def terminate(pids: list[int]) -> None:
    """From a connection of its own, as an operator (or a failover) would."""
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432
    )
    other.autocommit = True
    with other.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    other.close()


@pytest.fixture
def lost_after_the_declaration_is_written():
    """The request's connection is terminated once the declaration's row is written."""

    def cut(sender, instance, **kwargs):
        terminate([connection.connection.get_backend_pid()])

    post_save.connect(cut, sender=TransitDeclaration, dispatch_uid="test.cut")
    yield
    post_save.disconnect(dispatch_uid="test.cut", sender=TransitDeclaration)
    connection.close()  # the test's own connection was the one cut: the next query opens a new one


@pytest.fixture
def arrived(transactional_db, declaration):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED, departed_at=timezone.now() - dt.timedelta(hours=3)
    )
    return declaration


def _nothing_written(declaration) -> None:
    connection.close()
    assert TransitDeclaration.objects.get(pk=declaration.pk).status == Status.ARRIVED
    assert not DeclarationEvent.objects.filter(declaration=declaration, kind="settle").exists()


def test_a_page_answers_503_in_the_layout_and_nothing_is_half_written(arrived, dest_clerk, request):
    client = Client(raise_request_exception=False)
    client.force_login(dest_clerk)
    request.getfixturevalue("lost_after_the_declaration_is_written")
    response = client.post(reverse("declarations:action", args=[arrived.pk, "settle"]), {"settle-remarks": "ok"})
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert 'id="error-message"' in page and "nothing was saved" in page and "<nav" in page
    post_save.disconnect(dispatch_uid="test.cut", sender=TransitDeclaration)
    _nothing_written(arrived)


def test_the_api_answers_503_json_and_nothing_is_half_written(arrived, dest_clerk, request):
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(dest_clerk)
    request.getfixturevalue("lost_after_the_declaration_is_written")
    response = api.post(f"/api/declarations/{arrived.pk}/settle/", {}, format="json")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "database_unavailable"
    post_save.disconnect(dispatch_uid="test.cut", sender=TransitDeclaration)
    _nothing_written(arrived)


@pytest.mark.redis
def test_a_task_that_loses_its_connection_is_retried_and_does_the_job_once(
    transactional_db, settings, declaration, origin_clerk, dest_clerk
):
    from declarations import services as declaration_services
    from tests.scans.conftest import upload
    from tests.scans.test_comparison_job import generated_pair
    from transit_monitor.celery import app

    app.control.purge()
    # The worker pauses after each claim: the test cuts its connection during the first pause.
    worker = Worker(settings, pool="solo", concurrency=1, TASK_TEST_PAUSE="comparison=15")
    try:
        declaration_services.declaration_depart(  # the destination's scan is taken after the truck left
            declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=30)
        )
        origin_png, dest_jpeg, _label = generated_pair(4, tampered=False)
        upload(declaration, Stage.ORIGIN, origin_clerk, origin_png)
        upload(declaration, Stage.DESTINATION, dest_clerk, dest_jpeg, name="dest.jpg")
        wait_for(
            lambda: ScanComparison.objects.filter(status=ScanComparison.Status.RUNNING).exists(),
            "the comparison claimed",
            worker,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminate([pid for (pid,) in cursor.fetchall()])
        wait_for(
            lambda: ScanComparison.objects.filter(status=ScanComparison.Status.DONE).exists(),
            "the comparison done after its retry",
            worker,
        )
        assert "transient error, retry 0" in worker.output()
    finally:
        worker.stop()
    comparison = ScanComparison.objects.get()
    assert comparison.verdict and comparison.finished_at
    assert TransitDeclaration.objects.get(pk=declaration.pk).comparison_verdict == comparison.verdict
