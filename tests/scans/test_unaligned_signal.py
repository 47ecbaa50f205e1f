"""A comparison that could not align the two images has no verdict: it is no evidence of tampering, but
the truck's scan is unverified until the destination looks at the images itself. The inspector sees it
as a warning of its own on the dashboard (leading to the rows, beside the suspicious ones), the
destination is told as it is of a suspicious one, and the signal ends with the review."""

import re

import cv2
import numpy as np
import pytest
from django.urls import reverse

from declarations import detection, monitoring
from declarations.models import Review, TransitDeclaration, UnsettledReason, Verdict
from notifications.models import Kind, Notification
from scans import services
from scans.models import ScanComparison, Stage
from tests.scans import images
from tests.scans.conftest import upload
from tests.scans.test_comparison_job import generated_pair

pytestmark = pytest.mark.django_db


def _tile(client, key: str) -> tuple[int, str, str]:
    """The dashboard tile of a signal: its count, where it leads, its severity class."""
    html = client.get(reverse("home")).content.decode()
    tile = re.search(rf'<a class="signal-tile ([^"]*)" href="([^"]*)" data-signal="{key}">(.*?)</a>', html, re.S)
    assert tile is not None, f"no tile for {key}"
    count = int(re.search(r'data-count="(\d+)"', tile.group(3)).group(1))
    return count, tile.group(2).replace("&amp;", "&"), tile.group(1)


@pytest.fixture
def unaligned(departed, origin_clerk, dest_clerk, django_capture_on_commit_callbacks, settings):
    """Bazargan scanned the truck; Tehran's scan is noise the comparison cannot align to it."""
    settings.DASHBOARD_RECOUNT_SECONDS = 0
    origin_png, _dest, _label = generated_pair(7, False)
    noise = cv2.GaussianBlur(np.random.default_rng(0).random((240, 640)).astype(np.float32), (0, 0), 2)
    noise_png = images.encode((noise * 255).astype(np.uint8), "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.ORIGIN, origin_clerk, origin_png)
    with django_capture_on_commit_callbacks(execute=True):
        upload(departed, Stage.DESTINATION, dest_clerk, noise_png, name="dest.png")
    comparison = ScanComparison.objects.get()
    assert comparison.status == ScanComparison.Status.DONE, comparison.error
    assert comparison.verdict == Verdict.UNREGISTERED and comparison.review == Review.PENDING
    return comparison


def test_the_inspector_sees_it_as_a_warning_leading_to_the_declaration(client, unaligned, inspector):
    client.force_login(inspector)
    count, href, css = _tile(client, "scan_unaligned")
    assert count == 1 and "sev-warning" in css
    assert _tile(client, "scan_suspicious")[0] == 0  # no evidence of tampering
    assert _tile(client, "scan_not_reviewed")[0] == 1
    rows = client.get(href).content.decode()
    assert reverse("declarations:detail", args=[unaligned.declaration_id]) in rows
    page = client.get(reverse("declarations:detail", args=[unaligned.declaration_id])).content.decode()
    assert "Scan images could not be compared" in page


def test_the_signal_ends_once_the_destination_has_reviewed_the_images(
    client, unaligned, inspector, dest_clerk, django_capture_on_commit_callbacks
):
    client.force_login(inspector)
    assert _tile(client, "scan_unaligned")[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.comparison_review(
            comparison=unaligned, by=dest_clerk, decision="accept", remark="دو تصویر کنار هم مقایسه شد."
        )
    assert _tile(client, "scan_unaligned")[0] == 0
    assert not monitoring.filter_signal(TransitDeclaration.objects.for_user(inspector), "scan_unaligned").exists()


def test_the_destination_is_told_as_of_a_suspicious_comparison(unaligned, origin_clerk, dest_clerk, inspector):
    note = Notification.objects.get(user=dest_clerk)
    assert note.kind == Kind.SCAN_UNALIGNED
    assert note.url == reverse("scans:viewer", args=[unaligned.pk])
    assert not Notification.objects.filter(user__in=[origin_clerk, inspector]).exists()


def test_escalated_on_review_it_is_proposed_as_a_scan_discrepancy(unaligned, dest_clerk):
    declaration = TransitDeclaration.objects.get(pk=unaligned.declaration_id)
    assert not [p for p in detection.propose_reasons(declaration) if p.reason == UnsettledReason.SCAN_DISCREPANCY]
    services.comparison_review(comparison=unaligned, by=dest_clerk, decision="escalate", remark="بار جابه‌جا شده")
    declaration.refresh_from_db()
    (proposed,) = [p for p in detection.propose_reasons(declaration) if p.reason == UnsettledReason.SCAN_DISCREPANCY]
    assert "escalated" in proposed.evidence


@pytest.mark.persian
def test_it_reads_in_persian(client, unaligned, inspector, dest_clerk):
    client.force_login(inspector)
    html = client.get(reverse("home")).content.decode()
    tile = html.split('data-signal="scan_unaligned"', 1)[1].split("</a>", 1)[0]
    assert "مقایسهٔ تصویرهای اسکن ممکن نشد" in tile
    client.force_login(dest_clerk)
    listed = client.get(reverse("notifications:list")).content.decode()
    assert "مقایسهٔ تصویرهای اسکن ممکن نشد" in listed


def test_escalated_it_stays_on_the_dashboard_as_an_escalated_suspicious_one_does(
    client, unaligned, inspector, dest_clerk, django_capture_on_commit_callbacks
):
    client.force_login(inspector)
    with django_capture_on_commit_callbacks(execute=True):
        services.comparison_review(comparison=unaligned, by=dest_clerk, decision="escalate", remark="بار جابه‌جا شده")
    assert _tile(client, "scan_unaligned")[0] == 0  # reviewed: no longer awaiting the destination's look
    count, href, css = _tile(client, "scan_suspicious")
    assert count == 1 and "sev-danger" in css  # a person found the images to differ
    rows = client.get(href).content.decode()
    assert reverse("declarations:detail", args=[unaligned.declaration_id]) in rows
    page = client.get(reverse("declarations:detail", args=[unaligned.declaration_id])).content.decode()
    assert "Scan suspicious" in page


def test_its_stored_overlay_is_not_served_as_a_change_map(client, unaligned, dest_clerk, inspector):
    """The overlay stored is the origin image alone: served at the change map's address it reads as "no
    change". The address answers not found, in the app's page; the file stays, as evidence does."""
    assert unaligned.heatmap and unaligned.heatmap.storage.exists(unaligned.heatmap.name)
    for user in (dest_clerk, inspector):
        client.force_login(user)
        response = client.get(reverse("scans:heatmap", args=[unaligned.pk]))
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
    assert unaligned.heatmap.storage.exists(unaligned.heatmap.name)


@pytest.fixture
def second_dest_clerk(tehran):
    from accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="dest_clerk_2", role=Role.OFFICE, office=tehran)


def _open_notices(client, user) -> tuple[int, int]:
    client.force_login(user)
    page = client.get(reverse("notifications:list")).content.decode()
    counts = re.search(r'id="notification-counts" data-open="(\d+)" data-unread="(\d+)"', page)
    return int(counts.group(1)), int(counts.group(2))


@pytest.mark.parametrize("decision", ["accept", "escalate"])
def test_once_reviewed_the_notice_to_review_it_is_done_for_every_clerk_told(
    client, second_dest_clerk, unaligned, dest_clerk, decision
):
    assert Notification.objects.filter(kind=Kind.SCAN_UNALIGNED).count() == 2
    assert _open_notices(client, dest_clerk) == (1, 1) and _open_notices(client, second_dest_clerk) == (1, 1)
    services.comparison_review(comparison=unaligned, by=dest_clerk, decision=decision, remark="دو تصویر مقایسه شد.")
    assert _open_notices(client, dest_clerk) == (0, 0)
    assert _open_notices(client, second_dest_clerk) == (0, 0)
    listed = client.get(reverse("notifications:list") + "?show=all").content.decode()
    assert 'data-kind="scan_unaligned"' in listed and " · done " in listed  # kept, listed as done
