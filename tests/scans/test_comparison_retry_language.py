"""Why a comparison could not run, on the scans page and on the timeline once it is run again, reads in the
reader's language: the sweeper's reason for giving up (stored in the site's Persian) is written as a message
in the reader's language; an exception's own text (the library's words) is quoted as recorded, set apart from
the sentence, never embedded in it as though it were the reader's."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

import scans.comparison
from declarations import timeline
from reports import sweeper
from scans import services
from scans.models import ScanComparison, Stage
from tests.core.test_job_sweeper import LONG_AGO, stuck_comparison  # noqa: F401
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def _retried(declaration, user) -> str:
    (entry,) = [i for i in timeline.build(declaration, user) if i.kind == "scan_comparison_retried"]
    return str(entry.detail)


def _broken(*_a, **_k):
    raise RuntimeError("engine exploded")


@pytest.mark.persian
def test_an_exceptions_text_is_quoted_as_recorded(departed, origin_clerk, dest_clerk, monkeypatch):
    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    with monkeypatch.context() as patched:
        patched.setattr(scans.comparison, "compare_scans", _broken)
        failed = services.comparison_run(comparison_id=ScanComparison.objects.get().pk)
    assert failed.status == ScanComparison.Status.FAILED and not failed.error_message
    services.comparison_retry(comparison=failed, by=dest_clerk)
    assert _retried(departed, dest_clerk) == (
        "مقایسه تصاویر اسکن که انجام نشده بود دوباره اجرا شد؛ خطای آن، همان‌گونه که ثبت شده بود: "
        "«<bdi>engine exploded</bdi>»"
    )
    with translation.override("en"):
        assert _retried(departed, dest_clerk) == (
            "Scan comparison run again after it could not run; its error as recorded: “<bdi>engine exploded</bdi>”"
        )


@pytest.mark.persian  # the site's language: Persian, as the sweeper writes its reason
def test_the_sweepers_reason_reads_in_the_readers_language(
    client,
    departed,
    stuck_comparison,  # noqa: F811
    dest_clerk,
    django_capture_on_commit_callbacks,
):
    t0 = timezone.now()
    for attempt in range(settings.JOB_MAX_ATTEMPTS + 1):
        with django_capture_on_commit_callbacks(execute=False):
            sweeper.sweep_all(now=t0 + attempt * LONG_AGO)
    failed = ScanComparison.objects.get(pk=stuck_comparison.pk)
    assert failed.status == ScanComparison.Status.FAILED and "۴" in failed.error  # stored in Persian

    client.force_login(dest_clerk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    row = page.split(f'id="comparison-{failed.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "It could not run: <bdi>Stopped: the job was started 4 times and never finished (queued since 1405/" in row
    assert "۴" not in row

    with django_capture_on_commit_callbacks(execute=False):
        services.comparison_retry(comparison=failed, by=dest_clerk)
    failed.refresh_from_db()
    assert failed.error == "" and failed.error_message == {}
    with translation.override("en"):
        english = _retried(departed, dest_clerk)
    assert english.startswith(
        "Scan comparison run again after it could not run: Stopped: the job was started 4 times and never "
        "finished (queued since 1405/"
    )
    assert "«" not in english and "۴" not in english and "متوقف" not in english
    with translation.override("fa"):
        persian = _retried(departed, dest_clerk)
    assert persian.startswith("مقایسه تصاویر اسکن که انجام نشده بود دوباره اجرا شد: ") and "۴" in persian
