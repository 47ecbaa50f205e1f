"""A comparison that could not run is no dead end: the destination and the IT office are told, the
scans page says why, and the offices of the declaration (or IT) run it again; a verdict is never
recomputed over."""

import pytest
from django.urls import reverse

import scans.comparison
from core.text import strip_isolates
from declarations import timeline
from notifications.models import Kind, Notification
from scans import services
from scans.models import ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


def _broken(*_a, **_k):
    raise RuntimeError("engine exploded")


@pytest.fixture
def failed(departed, origin_clerk, dest_clerk, monkeypatch):
    upload(departed, Stage.ORIGIN, origin_clerk)
    upload(departed, Stage.DESTINATION, dest_clerk, images.png(seed=2))
    with monkeypatch.context() as patched:
        patched.setattr(scans.comparison, "compare_scans", _broken)
        comparison = services.comparison_run(comparison_id=ScanComparison.objects.get().pk)
    assert comparison.status == ScanComparison.Status.FAILED
    return comparison


def test_the_destination_and_the_it_office_are_told_with_a_link_to_the_scans(
    it_officer, failed, departed, origin_clerk, dest_clerk
):
    told = Notification.objects.filter(kind=Kind.COMPARISON_FAILED)
    assert set(told.values_list("user_id", flat=True)) == {dest_clerk.pk, it_officer.pk}
    note = told.get(user=dest_clerk)
    assert strip_isolates(note.title) == departed.serial  # stored isolated, as an e-mail writes it
    assert note.url == reverse("scans:declaration", args=[departed.pk]) + f"#comparison-{failed.pk}"


def test_the_scans_page_says_why_and_a_run_again_gives_a_verdict(
    client, failed, departed, dest_clerk, django_capture_on_commit_callbacks
):
    client.force_login(dest_clerk)
    page = client.get(reverse("scans:declaration", args=[departed.pk])).content.decode()
    row = page.split(f'id="comparison-{failed.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "It could not run:" in row and "engine exploded" in row
    assert reverse("scans:retry", args=[failed.pk]) in row

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scans:retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == ScanComparison.Status.DONE and failed.verdict and failed.error == ""
    assert failed.retries == 1
    departed.refresh_from_db()
    assert departed.comparison_verdict == failed.verdict  # the declaration carries the verdict now
    (entry,) = [i for i in timeline.build(departed, dest_clerk) if i.kind == "scan_comparison_retried"]
    assert entry.title == "Scan comparison run again" and "engine exploded" in entry.detail
    assert entry.actor == (dest_clerk.get_full_name() or dest_clerk.username)


def test_a_run_again_that_fails_again_tells_again(failed, dest_clerk, monkeypatch):
    monkeypatch.setattr(scans.comparison, "compare_scans", _broken)
    services.comparison_retry(comparison=failed, by=dest_clerk)
    services.comparison_run(comparison_id=failed.pk)  # the job, as the worker runs it
    assert Notification.objects.filter(kind=Kind.COMPARISON_FAILED, user=dest_clerk).count() == 2


def test_a_verdict_is_never_run_again(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:retry", args=[done_comparison.pk]), follow=True)
    assert "Only a comparison that could not run is run again" in response.content.decode()
    done_comparison.refresh_from_db()
    assert done_comparison.status == ScanComparison.Status.DONE and done_comparison.retries == 0


def test_only_the_declarations_offices_or_it_may_run_it_again(client, failed, inspector, sarakhs, it_officer):
    from accounts.models import Role, User

    client.force_login(inspector)  # sees it, may not run it
    assert client.post(reverse("scans:retry", args=[failed.pk])).status_code == 403
    stranger = User.objects.create_user("srk-clerk", password="x", role=Role.OFFICE, office=sarakhs)
    client.force_login(stranger)  # does not see it at all
    assert client.post(reverse("scans:retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.status == ScanComparison.Status.FAILED and failed.retries == 0
    client.force_login(it_officer)
    assert client.post(reverse("scans:retry", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert failed.retries == 1
