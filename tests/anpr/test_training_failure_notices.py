"""A notice of a training run that failed before failures were recorded plainly kept the raw error as its
details; the data migration ``anpr 0016`` rewrites it as such a failure's notice is written now."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_noop

from anpr.models import TrainingRun
from notifications.messages import Message
from notifications.models import Kind, Notification
from notifications.services import notify

pytestmark = pytest.mark.django_db
migration = importlib.import_module("anpr.migrations.0016_plain_training_failure_notices")


def _failed_the_old_way(user, stored: str) -> TrainingRun:
    """A run and its notice as a failure was recorded before: the error as the outcome and the notice's body
    (``_tell`` gave the outcome itself when it was no recorded decision)."""
    run = TrainingRun.objects.create(
        options={}, started_by=user, state=TrainingRun.State.FAILED, active=False, progress=20, outcome=stored
    )
    notify(
        Kind.MODEL_TRAINED,
        [user],
        title=Message(gettext_noop("Plate-reader training failed")),
        url=reverse("anpr:training-run", args=[run.pk]),
        subject=f"training-run:{run.pk}",
        body=stored,
    )
    return run


def _notices(client, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(reverse("notifications:list")).content.decode()


@pytest.mark.parametrize(
    ("stored", "plain"),
    [
        ("ModuleNotFoundError: No module named 'torch'", "the IT office installs it with pip install -r"),
        ("RuntimeError: CUDA error: device-side assert triggered", "finds the details in the server log (training run"),
        (
            "RuntimeError: nothing to train on: no rendered plates and no reviewed crops",
            "nothing to train on: no rendered plates and no reviewed crops",
        ),
    ],
)
def test_an_old_notice_of_a_failed_run_reads_plainly_after_the_migration(client, it_officer, stored, plain):
    run = _failed_the_old_way(it_officer, stored)
    client.force_login(it_officer)
    assert "Error:" in _notices(client, "en")  # as it was shown before

    migration.plain_notices(apps, None)

    page = _notices(client, "en")
    assert plain in page and "Error:" not in page and "No module named" not in page
    if "server log" in plain:
        assert f"(training run {run.pk})" in page
    note = Notification.objects.get(user=it_officer, kind=Kind.MODEL_TRAINED)
    assert "Error" not in note.body  # the copy kept for the admin and the e-mail too
    run.refresh_from_db()
    assert run.outcome == stored  # the raw error stays with the run, for the admin


def test_it_reads_in_persian_and_leaves_other_notices_alone(client, it_officer):
    _failed_the_old_way(it_officer, "ModuleNotFoundError: No module named 'torch'")
    words = "a remark in a person's own words: CUDA ran out"
    notify(Kind.MODEL_TRAINED, [it_officer], title=Message("x"), url="/", subject="training-run:999999", body=words)
    migration.plain_notices(apps, None)
    migration.plain_notices(apps, None)  # twice: nothing more changes

    client.force_login(it_officer)
    page = _notices(client, "fa")
    assert "requirements-train.txt" in page and "ModuleNotFoundError" not in page
    assert Notification.objects.filter(body=words, body_msgid="").count() == 1
