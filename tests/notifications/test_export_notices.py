"""The notice that an export is ready (or failed) says so once: its kind says what happened («خروجی‌ای که
خواستید آماده است»), its title which export («مشکلات سامانه»), in the reader's language; the body gives the
file or why it failed."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from core import exports
from core.models import ExportJob
from notifications import services
from notifications.models import Kind

pytestmark = pytest.mark.django_db


def _notices(client, language: str) -> list[str]:
    """Each notice of the list as a person reads it, "kind: title", tags left out."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(reverse("notifications:list"), {"show": "all"}).content.decode()
    lines = re.findall(r'<a class="fw-semibold"[^>]*>(.*?)</a>: <bdi data-title>(.*?)</bdi>', html, re.S)
    return [f"{kind}: {re.sub(r'<[^>]+>', '', title)}" for kind, title in lines]


def _problems_export(user) -> ExportJob:
    job = ExportJob.objects.create(user=user, kind="problems", fmt="xlsx", language="fa", query="status=open")
    exports.build(job.pk)
    job.refresh_from_db()
    return job


def test_a_ready_export_is_announced_once_in_persian_and_in_english(client, it_officer):
    job = _problems_export(it_officer)
    assert job.state == "done"
    client.force_login(it_officer)

    assert _notices(client, "fa") == ["خروجی‌ای که خواستید آماده است: مشکلات سامانه"]
    assert _notices(client, "en") == ["An export you asked for is ready: System problems"]


def test_a_failed_export_is_announced_once_with_why(client, it_officer, monkeypatch):
    from reports import problems

    def broken(job, out, progress):
        raise exports.ExportRefused("The filters asked are not valid.")

    monkeypatch.setattr(problems, "build_xlsx", broken)
    job = _problems_export(it_officer)
    assert job.state == "failed"
    client.force_login(it_officer)

    assert _notices(client, "fa") == ["خروجی‌ای که خواستید ساخته نشد: مشکلات سامانه"]
    assert _notices(client, "en") == ["An export you asked for could not be built: System problems"]
    assert "The filters asked are not valid." in client.get(reverse("notifications:list")).content.decode()


def test_the_email_subject_says_it_once(it_officer):
    it_officer.email = "it@example.ir"
    it_officer.save()
    services.set_email_kinds(it_officer, [Kind.EXPORT_READY])
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _problems_export(it_officer)

    assert [m.subject for m in mail.outbox] == ["خروجی‌ای که خواستید آماده است: مشکلات سامانه"]
