"""Asking for an export that the worker builds (``core.exports``), as a person does: the page's link
starts a job and lands on its page; the file is downloaded from there (tasks run eagerly in tests)."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from core.models import ExportJob


def job_of(response) -> ExportJob:
    """The job a click on an export link started (the answer redirects to its page)."""
    assert response.status_code == 302, response.status_code
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    assert response["Location"] == reverse("core:export-job", args=[pk])
    return ExportJob.objects.get(pk=pk)


def ask(client, url: str, params=None) -> ExportJob:
    """Click an export link: the job is recorded, and its build runs after the commit (here, at once)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url, params or {})
    return job_of(response)


def exported(client, url: str, params=None) -> bytes:
    """The file an export link gives, once its job has run."""
    job = ask(client, url, params)
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.error)
    response = client.get(reverse("core:export-download", args=[job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def download(client, url: str, params=None):
    """What an export link gives once its job has run, as a response with its content read (the file
    served from the job's page: Content-Type and Content-Disposition as the request used to answer)."""
    from django.http import HttpResponse

    job = ask(client, url, params)
    job.refresh_from_db()
    assert job.state == "done", (job.state, job.error)
    served = client.get(reverse("core:export-download", args=[job.pk]))
    assert served.status_code == 200, served.status_code
    response = HttpResponse(b"".join(served.streaming_content), status=served.status_code)
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        response[header] = served[header]
    return response
