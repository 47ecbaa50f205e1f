"""«An export you asked for is ready» is dealt with once the file is taken: downloading it through the
app closes that notification (the asker's, no one else's), so the bell does not fill up with files
already downloaded (bazargan's reached 24). A file refused (altered on disk) leaves it open."""

import pytest
from django.urls import reverse

from core import exports
from core.models import ExportJob
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def _problems_export(user) -> ExportJob:
    job = ExportJob.objects.create(user=user, kind="problems", fmt="xlsx", language="fa", query="status=open")
    exports.build(job.pk)
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.error)
    return job


def _ready(user, job) -> Notification:
    return Notification.objects.get(user=user, kind=Kind.EXPORT_READY, subject=f"export:{job.pk}")


def test_downloading_the_file_closes_its_ready_notification(client, it_officer):
    job, other = _problems_export(it_officer), _problems_export(it_officer)
    client.force_login(it_officer)
    assert Notification.objects.filter(user=it_officer).open().count() == 2

    response = client.get(reverse("core:export-download", args=[job.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)

    note = _ready(it_officer, job)
    assert note.done_at is not None and note.read_at is not None
    assert _ready(it_officer, other).done_at is None  # the other file, not downloaded: still open
    page = client.get(reverse("notifications:list")).content.decode()
    assert page.count("data-notification=") == 1


def test_someone_else_downloading_it_leaves_the_askers_notification(client, it_officer, hq):
    """The IT office sees everyone's exports and may take the file: the asker has not."""
    job = _problems_export(hq)
    client.force_login(it_officer)

    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 200
    assert _ready(hq, job).done_at is None


def test_a_file_refused_leaves_the_notification_open(client, it_officer):
    job = _problems_export(it_officer)
    with job.file.open("wb") as f:
        f.write(b"altered")
    client.force_login(it_officer)

    assert client.get(reverse("core:export-download", args=[job.pk])).status_code == 409
    assert _ready(it_officer, job).done_at is None
