"""The IT office sees, read-only, the follow-up jobs waiting for the broker (and those sent), and the
archived monthly partitions; an inspector sees neither."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import OutboxJob, PartitionArchive

pytestmark = pytest.mark.django_db


def test_it_sees_what_waits_for_the_broker_and_cannot_change_it(client, it_officer):
    OutboxJob.objects.create(task="scans.tasks.compare_scans", args=[7], attempts=3, last_error="Connection refused")
    OutboxJob.objects.create(task="anpr.tasks.match_reads", args=[[1]], sent_at=timezone.now())
    it_officer.is_staff = True
    it_officer.save()
    client.force_login(it_officer)
    page = client.get("/admin/core/outboxjob/", {"state": "waiting"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "scans.tasks.compare_scans" in body and "Connection refused" in body
    assert "anpr.tasks.match_reads" not in body  # sent: not in the waiting filter
    job = OutboxJob.objects.get(task="scans.tasks.compare_scans")
    assert client.post(f"/admin/core/outboxjob/{job.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboxJob.objects.filter(pk=job.pk).exists()


def test_it_sees_the_archived_partitions(client, it_officer):
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    PartitionArchive.objects.create(
        table="anpr_plateread", partition="anpr_plateread_p2020_01", range_start=start,
        range_end=start + dt.timedelta(days=31), rows=12, size_bytes=345, sha256="a" * 64,
        file="archive/anpr_plateread_p2020_01.csv.gz", kept_in_database=False,
    )  # fmt: skip
    it_officer.is_staff = True
    it_officer.save()
    client.force_login(it_officer)
    assert "anpr_plateread_p2020_01" in client.get("/admin/core/partitionarchive/").content.decode()


def test_an_inspector_sees_neither(client, inspector):
    inspector.is_staff = True
    inspector.save()
    client.force_login(inspector)
    for url in ("/admin/core/outboxjob/", "/admin/core/partitionarchive/"):
        assert client.get(url).status_code in (302, 403)  # the admin's login page, or refused
