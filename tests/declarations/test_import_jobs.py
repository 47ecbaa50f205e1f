"""An import runs in the worker: the upload answers at once with the batch waiting, its page asks
the status part until the worker has finished, then shows the summary with each rejected row; the
importer is notified. The worker is played here by calling its service, as the task does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import OutboxJob
from declarations import import_jobs
from declarations.models import ImportBatch, ImportState, TransitDeclaration
from notifications.models import Kind, Notification
from reports.models import SystemProblem
from tests.declarations.test_importer import row, to_csv

GOOD = {"origin": "BZG", "destination": "THR", "route": ""}


class _Outbox:
    """The import jobs waiting in the outbox, as ``[(args, kwargs)]`` (read when looked at)."""

    def _jobs(self) -> list[tuple[tuple, dict]]:
        rows = OutboxJob.objects.filter(task="declarations.tasks.run_import").order_by("id")
        return [(tuple(job.args), job.kwargs) for job in rows]

    def __iter__(self):
        return iter(self._jobs())

    def __getitem__(self, index):
        return self._jobs()[index]

    def __eq__(self, other):
        return self._jobs() == other


@pytest.fixture
def queued_only():
    """A broker and a worker that has not run the job yet: it waits in the outbox (this test's
    transaction never commits, so it is never published)."""
    from transit_monitor.celery import app

    app.conf.CELERY_TASK_ALWAYS_EAGER = False  # the autouse fixture puts it back
    return _Outbox()


@pytest.fixture
def api():
    return APIClient()


def _upload(client, rows):
    return client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.csv", to_csv(rows))})


def test_the_upload_answers_at_once_and_the_status_part_shows_the_result_when_the_worker_has_run(
    client, bazargan, tehran, origin_clerk, queued_only
):
    client.force_login(origin_clerk)
    response = _upload(client, [row(**GOOD), row(serial="T140400000002", **{**GOOD, "plate": "bad"})])
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("declarations:import-batch", args=[batch.pk])
    assert batch.state == ImportState.QUEUED and batch.by == origin_clerk
    assert not TransitDeclaration.objects.exists()  # nothing imported in the request
    assert [args for args, _kwargs in queued_only] == [(batch.pk,)]

    page = client.get(response["Location"]).content.decode()
    status_url = reverse("declarations:import-status", args=[batch.pk])
    assert f'hx-get="{status_url}"' in page and 'data-state="queued"' in page
    assert "data-count" not in page

    import_jobs.import_batch_run(batch_id=batch.pk)  # what the worker does with the message

    part = client.get(status_url).content.decode()
    assert 'data-state="done"' in part and "hx-get" not in part  # ended: it asks no more
    assert 'data-count="created">1<' in part and 'data-count="rejected">1<' in part
    rejected = part.split('<tr data-row="3">', 1)[1].split("</tr>", 1)[0]
    assert 'data-field="plate">plate<' in rejected  # row 3, the plate column in words, and why
    assert TransitDeclaration.objects.filter(serial="T140400000001").exists()
    note = Notification.objects.get(user=origin_clerk, kind=Kind.IMPORT_FINISHED)
    assert note.url == reverse("declarations:import-batch", args=[batch.pk]) and note.title == "export.csv"
    assert "1 created" in note.body and "1 rejected" in note.body


def test_while_the_worker_runs_the_part_shows_how_far_it_is(client, bazargan, tehran, origin_clerk, queued_only):
    client.force_login(origin_clerk)
    _upload(client, [row(**GOOD)])
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.RUNNING, total=2000, processed=800)
    part = client.get(reverse("declarations:import-status", args=[batch.pk])).content.decode()
    assert 'data-state="running"' in part and "hx-get" in part
    assert '<progress class="d-block w-100 mt-2" max="2000" value="800"' in part
    assert 'data-progress="800/2000"' in part and "800 of 2000 declarations processed" in part


def test_without_a_broker_the_upload_shows_the_summary_itself(client, bazargan, tehran, origin_clerk):
    client.force_login(origin_clerk)
    response = _upload(client, [row(**GOOD)])
    body = response.content.decode()
    assert response.status_code == 200
    status_url = reverse("declarations:import-status", args=[ImportBatch.objects.get().pk])
    assert 'data-state="done"' in body and 'data-count="created">1<' in body and f'hx-get="{status_url}"' not in body
    assert ImportBatch.objects.get().state == ImportState.DONE
    assert Notification.objects.filter(user=origin_clerk, kind=Kind.IMPORT_FINISHED).count() == 1


def test_a_message_delivered_twice_imports_once(bazargan, tehran, origin_clerk, queued_only, client):
    client.force_login(origin_clerk)
    _upload(client, [row(**GOOD)])
    batch = ImportBatch.objects.get()
    assert import_jobs.import_batch_run(batch_id=batch.pk) is not None
    assert import_jobs.import_batch_run(batch_id=batch.pk) is None
    assert Notification.objects.filter(kind=Kind.IMPORT_FINISHED).count() == 1


def test_a_stored_file_changed_before_the_worker_reads_it_is_not_imported(
    client, bazargan, tehran, origin_clerk, queued_only
):
    client.force_login(origin_clerk)
    _upload(client, [row(**GOOD)])
    batch = ImportBatch.objects.get()
    with open(batch.file.path, "ab") as fh:
        fh.write(to_csv([row(serial="T140400000009", **GOOD)]).split(b"\n", 1)[1])
    import_jobs.import_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == ImportState.FAILED and "SHA-256" in batch.error
    assert not TransitDeclaration.objects.exists()
    part = client.get(reverse("declarations:import-status", args=[batch.pk])).content.decode()
    assert "The import failed" in part and "hx-get" not in part
    assert SystemProblem.objects.filter(alert_key=f"file:{batch.file.name}").exists()


def test_a_batch_is_its_importers_own(client, bazargan, tehran, origin_clerk, dest_clerk, inspector, queued_only):
    client.force_login(origin_clerk)
    _upload(client, [row(**GOOD)])
    batch = ImportBatch.objects.get()
    client.force_login(dest_clerk)  # may import, but not see another's batch (its rows, its reasons)
    assert client.get(reverse("declarations:import-batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("declarations:import-status", args=[batch.pk])).status_code == 404
    client.force_login(inspector)
    assert client.get(reverse("declarations:import-status", args=[batch.pk])).status_code == 403


def test_a_file_unreadable_as_a_whole_is_refused_in_the_request_and_never_stored(
    client, bazargan, tehran, origin_clerk, queued_only
):
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("e.csv", b"a,b\n1,2\n")})
    body = response.content.decode()
    assert response.status_code == 400 and "lacks the column" in body
    assert 'class="invalid-feedback d-block" role="alert"' in body.split('id="id_file"', 1)[1].split("</form>")[0]
    assert not ImportBatch.objects.exists() and queued_only == []


def test_the_api_answers_202_with_a_status_url_and_the_status_then_gives_the_summary(
    api, bazargan, tehran, origin_clerk, queued_only
):
    api.force_authenticate(origin_clerk)
    record = {**row(**GOOD), "goods": [{"description": "گوشی", "quantity": "10", "unit": "عدد"}]}
    response = api.post("/api/declarations/import/", [record, {"serial": ""}], format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["state"] == "queued" and response["Location"] == body["status_url"]
    assert api.get(body["status_url"]).json()["state"] == "queued"
    import_jobs.import_batch_run(batch_id=body["batch"])
    done = api.get(body["status_url"]).json()
    assert done["state"] == "done" and done["created"] == 1 and done["processed"] == done["total"] == 2
    # the empty record: each column it lacks, all of row 2
    assert [(r["row"], r["field"]) for r in done["rejected"]] == [
        (2, name) for name in ("serial", "declared_at", "origin", "destination", "plate", "goods")
    ]
    assert TransitDeclaration.objects.get().origin == bazargan


@pytest.mark.persian
def test_the_rejected_rows_are_explained_in_persian_when_the_worker_runs_them(
    client, bazargan, tehran, origin_clerk, queued_only
):
    client.force_login(origin_clerk)
    _upload(client, [row(serial="T140400000001", **{**GOOD, "origin": "XXX"})])
    (_args, kwargs), batch = queued_only[0], ImportBatch.objects.get()
    import_jobs.import_batch_run(batch_id=batch.pk, **kwargs)
    part = client.get(reverse("declarations:import-status", args=[batch.pk])).content.decode()
    assert "کد گمرک" in part and "شناخته نیست" in part and ">۲</td>" in part


def test_a_missing_hs_code_is_named_as_missing_not_quoted_as_none(bazargan, tehran):
    from declarations.importer import import_records

    record = {k: v for k, v in row(**GOOD).items() if k != "hs_code"}
    [error] = import_records([{**record, "goods": [{"description": "گوشی", "quantity": "1"}]}]).rejected
    assert (error.field, error.message) == ("hs_code", "the HS code is missing (4–12 digits)")


def test_a_csv_line_that_cannot_be_read_is_refused_naming_the_file_and_line_not_a_server_error(
    client, bazargan, tehran, origin_clerk
):
    client.force_login(origin_clerk)
    one_line = SimpleUploadedFile("notes.txt", b"x" * 2 * 1024 * 1024)
    response = client.post(reverse("declarations:import"), {"file": one_line})
    body = response.content.decode()
    assert response.status_code == 400
    assert "&#x27;notes.txt&#x27;, line 1: a field is longer than 131072 characters" in body
    # Deeper in the file, found by the worker: the batch fails, nothing of the file is written.
    good = to_csv([row(serial="T140400000001", **GOOD)])
    deep = good + b'T140400000002,"' + b"y" * 200_000 + b'"\n'
    response = client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.csv", deep)})
    assert response.status_code == 400
    assert "&#x27;export.csv&#x27;, line 3: a field is longer than" in response.content.decode()
    assert ImportBatch.objects.get().state == ImportState.FAILED and not TransitDeclaration.objects.exists()


def test_an_image_or_other_binary_file_is_told_it_is_no_csv_xlsx_or_json_export(client, bazargan, tehran, origin_clerk):
    import io

    from PIL import Image

    client.force_login(origin_clerk)
    for fmt, name in (("JPEG", "photo.jpg"), ("PNG", "scan.csv")):
        image = io.BytesIO()
        Image.new("RGB", (40, 40), "red").save(image, fmt)
        response = client.post(reverse("declarations:import"), {"file": SimpleUploadedFile(name, image.getvalue())})
        body = response.content.decode()
        assert response.status_code == 400
        assert f"&#x27;{name}&#x27; is not a CSV, XLSX or JSON export" in body
        assert "lacks the column" not in body and "not UTF-8" not in body
    assert not ImportBatch.objects.exists()


@pytest.mark.persian
def test_a_plate_that_is_none_is_explained_in_persian_in_the_rejected_rows(
    client, bazargan, tehran, origin_clerk, queued_only
):
    client.force_login(origin_clerk)
    _upload(client, [row(serial="T140400000001", **{**GOOD, "plate": "!!!??", "plate_country": "TR"})])
    (_args, kwargs), batch = queued_only[0], ImportBatch.objects.get()
    import_jobs.import_batch_run(batch_id=batch.pk, **kwargs)
    part = client.get(reverse("declarations:import-status", args=[batch.pk])).content.decode()
    assert "«\u2066!!!??\u2069» پلاک خارجی نیست" in part and "is not a foreign plate" not in part
