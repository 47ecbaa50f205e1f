"""Images the comparison could not align have no change map. The viewer says so where the overlay would
be (the stored overlay is the origin image alone: shown, it read as "no change"), and the destination
accepts such a comparison only with a remark saying it compared the two images by eye."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import InvalidInput
from declarations import evidence
from declarations.models import DeclarationEvent, Review, Verdict
from scans import services
from scans.models import ScanComparison

pytestmark = pytest.mark.django_db

BY_EYE = "دو تصویر کنار هم مقایسه شد؛ در تصویر مقصد بستهٔ اضافه‌ای دیده نشد."


@pytest.fixture
def unaligned(done_comparison, departed):
    """Tehran's scan could not be aligned to Bazargan's: no verdict, no regions, awaiting review."""
    ScanComparison.objects.filter(pk=done_comparison.pk).update(
        verdict=Verdict.UNREGISTERED, score=None, boxes=[], registered=False
    )
    evidence.note_comparison(declaration_id=departed.pk, verdict=Verdict.UNREGISTERED)
    done_comparison.refresh_from_db()
    return done_comparison


def _viewer(client, comparison) -> str:
    return client.get(reverse("scans:viewer", args=[comparison.pk])).content.decode()


def test_the_overlay_pane_says_there_is_no_change_map_and_shows_both_images(client, unaligned, dest_clerk):
    client.force_login(dest_clerk)
    page = _viewer(client, unaligned)
    assert reverse("scans:heatmap", args=[unaligned.pk]) not in page
    assert 'data-pane="overlay"' not in page
    assert 'data-pane="no-change-map"' in page
    assert "No change map: the two images could not be aligned" in page
    assert "Compare the origin and destination images" in page
    assert 'data-pane="origin"' in page and 'data-pane="destination"' in page
    assert "Show changed regions" not in page
    assert "Required to accept: say that you compared the two images side by side" in page


def test_an_aligned_comparison_keeps_its_overlay(client, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = _viewer(client, done_comparison)
    assert reverse("scans:heatmap", args=[done_comparison.pk]) in page and 'data-pane="overlay"' in page
    assert "no-change-map" not in page and "Required to accept" not in page


def test_accepting_it_without_a_remark_is_refused_beside_the_remark(client, unaligned, dest_clerk):
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[unaligned.pk]), {"decision": "accept", "remark": " "})
    assert response.status_code == 400
    remark_field = response.content.decode().split('name="remark"', 1)[1].split("</div>", 2)[:2]
    assert "compare the origin and destination images side by side" in "".join(remark_field)
    unaligned.refresh_from_db()
    assert unaligned.review == Review.PENDING


def test_the_service_refuses_it_too(unaligned, dest_clerk):
    with pytest.raises(InvalidInput) as raised:
        services.comparison_review(comparison=unaligned, by=dest_clerk, decision="accept")
    assert "remark" in raised.value.fields
    unaligned.refresh_from_db()
    assert unaligned.review == Review.PENDING


def test_the_api_refuses_it(unaligned, dest_clerk):
    api = APIClient()
    api.force_authenticate(dest_clerk)
    response = api.post(reverse("scans-api-review", args=[unaligned.pk]), {"decision": "accept"}, format="json")
    assert response.status_code == 400
    unaligned.refresh_from_db()
    assert unaligned.review == Review.PENDING


def test_accepted_with_a_remark_it_says_the_images_were_compared_by_eye(client, unaligned, dest_clerk, inspector):
    client.force_login(dest_clerk)
    response = client.post(reverse("scans:review", args=[unaligned.pk]), {"decision": "accept", "remark": BY_EYE})
    assert response.status_code == 302
    unaligned.refresh_from_db()
    assert unaligned.review == Review.ACCEPTED and unaligned.review_remark == BY_EYE
    event = DeclarationEvent.objects.get(declaration_id=unaligned.declaration_id, kind="scan_review_accept")
    assert event.data["by_eye"] is True and BY_EYE in event.message
    assert event.message_msgid.startswith("Scan comparison accepted after comparing the images by eye")
    client.force_login(inspector)
    assert BY_EYE in _viewer(client, unaligned)


def test_an_aligned_comparison_is_still_accepted_without_a_remark(done_comparison, dest_clerk):
    ScanComparison.objects.filter(pk=done_comparison.pk).update(verdict=Verdict.CONSISTENT, score=0.001)
    services.comparison_review(comparison=done_comparison, by=dest_clerk, decision="accept")
    done_comparison.refresh_from_db()
    assert done_comparison.review == Review.ACCEPTED
    event = DeclarationEvent.objects.get(declaration_id=done_comparison.declaration_id, kind="scan_review_accept")
    assert event.data["by_eye"] is False


@pytest.mark.persian
def test_it_reads_in_persian(client, unaligned, dest_clerk):
    client.force_login(dest_clerk)
    page = _viewer(client, unaligned)
    assert "نقشهٔ تغییرات وجود ندارد" in page
    response = client.post(reverse("scans:review", args=[unaligned.pk]), {"decision": "accept", "remark": ""})
    assert "کنار هم" in response.content.decode()
