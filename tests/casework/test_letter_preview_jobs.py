"""A draft letter's preview PDF, as its writer takes it: the link lands on the export's page (built by the
worker, never in the request), which names the draft; the file is the draft as it stands; the person is told
when it is ready. Only those who may see the draft get it, as before."""

import datetime as dt
import re

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from casework import letters
from casework import services as casework
from core.models import ExportJob
from declarations.models import Status
from notifications.models import Notification
from tests.export_jobs import ask, job_of
from tests.factories import DeclarationFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(bazargan, tehran, origin_clerk):
    overdue = DeclarationFactory(
        serial="T1404-PRV-0001",
        origin=bazargan,
        destination=tehran,
        status=Status.IN_TRANSIT,
        deadline=timezone.now() - dt.timedelta(days=8),
    )
    letter = casework.letter_draft(declaration=overdue, by=origin_clerk)
    return casework.letter_update_draft(letter=letter, by=origin_clerk, subject="پیگیری فوری محموله", body="بند یک")


def _url(letter) -> str:
    return reverse("casework:letter_pdf", args=[letter.pk])


def _filters(html: str) -> list[str]:
    block = html.split("data-filters", 1)[1].split("</d", 1)[0]
    spans = re.findall(r'<span class="d-inline-block me-3">(.*?)</span>', block, re.S)
    return [re.sub(r"<[^>]+>", "", s).replace("\u2066", "").replace("\u2069", "").strip() for s in spans]


def test_the_preview_link_lands_on_the_exports_page_and_renders_nothing_in_the_request(
    client, draft, origin_clerk, monkeypatch
):
    monkeypatch.setattr(letters, "render_letter_pdf", lambda *a, **k: pytest.fail("rendered in the request"))
    client.force_login(origin_clerk)
    with TestCase.captureOnCommitCallbacks():  # the build is queued, not run
        job = job_of(client.get(_url(draft)))
    assert (job.kind, job.fmt, job.state) == ("letter-draft", "pdf", "queued")

    html = client.get(reverse("core:export-job", args=[job.pk])).content.decode()
    assert "Draft follow-up letter" in html
    assert f'href="{reverse("casework:letter", args=[draft.pk])}"' in html  # back to the letter
    assert _filters(html) == ["declaration: T1404-PRV-0001", f"to office: {draft.to_office}"]


def test_the_worker_builds_the_draft_and_tells_the_writer(client, draft, origin_clerk, dest_clerk, it_officer):
    client.force_login(origin_clerk)
    job = ask(client, _url(draft))
    job.refresh_from_db()
    assert job.state == "done"  # named as every export is: what, when (Jalali), the declaration
    assert re.fullmatch(r"letter-draft_1[34]\d\d-\d\d-\d\d_\d{4}_T1404-PRV-0001\.pdf", job.filename), job.filename
    download = reverse("core:export-download", args=[job.pk])
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert "پیگیری فوری محموله" in pdf_text(b"".join(response.streaming_content))
    told = Notification.objects.get(user=origin_clerk)
    assert told.url == reverse("core:export-job", args=[job.pk]) and "Draft follow-up letter" in told.title
    draft.refresh_from_db()
    assert not draft.pdf  # a draft is never kept with the letter

    client.force_login(dest_clerk)  # a draft to Tehran is Bazargan's own until sent
    assert client.get(_url(draft)).status_code == 404
    assert client.get(download).status_code == 404
    assert ExportJob.objects.filter(user=dest_clerk).count() == 0
    client.force_login(it_officer)
    assert client.get(download).status_code == 200


def test_a_draft_sent_before_its_preview_is_built_is_not_previewed(client, draft, origin_clerk):
    client.force_login(origin_clerk)
    with TestCase.captureOnCommitCallbacks() as queued:
        job = job_of(client.get(_url(draft)))
    casework.letter_send(letter=draft, by=origin_clerk)

    for run in queued:
        run()

    job.refresh_from_db()
    assert job.state == "failed" and not job.file and "sent since" in job.error


def test_clicking_the_preview_again_answers_the_built_one_and_tells_once(client, draft, origin_clerk):
    """An outside walk: each click on «پیش‌نمایش PDF» built the draft again and told its writer again (48 on the
    bell). The same draft, unchanged, answers the preview already built; an edit makes a new one."""
    client.force_login(origin_clerk)
    first = ask(client, _url(draft))
    for _ in range(3):
        assert ask(client, _url(draft)).pk == first.pk
    assert ExportJob.objects.count() == 1
    assert Notification.objects.filter(user=origin_clerk).count() == 1

    casework.letter_update_draft(letter=draft, by=origin_clerk, subject="پیگیری فوری محموله", body="بند دو")
    edited = ask(client, _url(draft))
    assert edited.pk != first.pk and ExportJob.objects.count() == 2
    edited.refresh_from_db()
    response = client.get(reverse("core:export-download", args=[edited.pk]))
    assert "بند دو" in pdf_text(b"".join(response.streaming_content))
    assert Notification.objects.filter(user=origin_clerk).count() == 2
