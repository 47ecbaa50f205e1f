"""An escalated scan comparison withholds the settlement until headquarters or the province's inspector release
it: a later destination scan adds a comparison (evidence is never replaced) but does not lift the escalation,
and the block names the escalated comparison and links its viewer."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from declarations import serials
from declarations import services as declaration_services
from declarations.models import Review, Status, TransitDeclaration, Verdict
from declarations.serials import SettlementBlocked
from scans import services
from scans.models import ScanComparison, Stage
from tests.factories import UserFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def tehran_inspector(tehran_province):
    return UserFactory(username="thr_inspector", role=Role.INSPECTOR, province=tehran_province)


@pytest.fixture
def escalated_then_clean(done_comparison, dest_clerk):
    """Tehran escalated the suspicious comparison and recorded why it cannot settle; then it uploaded a second,
    clean destination scan, whose comparison (a match awaiting review) is now the current one."""
    declaration = TransitDeclaration.objects.get(pk=done_comparison.declaration_id)
    TransitDeclaration.objects.filter(pk=declaration.pk).update(
        status=Status.ARRIVED, arrived_at=timezone.now() - dt.timedelta(hours=2)
    )
    services.comparison_review(comparison=done_comparison, by=dest_clerk, decision="escalate", remark="پالت کم است")
    declaration_services.declaration_record_unsettled(
        declaration=TransitDeclaration.objects.get(pk=declaration.pk), by=dest_clerk, reason="scan_discrepancy"
    )
    dest = upload(declaration, Stage.DESTINATION, dest_clerk, images.png(seed=3))
    later = ScanComparison.objects.get(dest_scan=dest)
    later.status = ScanComparison.Status.DONE
    later.verdict = Verdict.CONSISTENT
    later.score = 0.001
    later.threshold = 0.004
    later.review = Review.PENDING
    later.finished_at = timezone.now()
    later.save()
    services._note_outcome(declaration.pk)
    return TransitDeclaration.objects.get(pk=declaration.pk)


def test_a_later_clean_scan_does_not_lift_the_escalation(escalated_then_clean, done_comparison, dest_clerk):
    declaration = escalated_then_clean
    assert declaration.comparison_review != Review.ESCALATED  # the current comparison is the clean one
    blocks = serials.standing_blocks(declaration)
    assert [b.key for b in blocks] == ["scan_escalated"]
    assert blocks[0].ref == f"scan_escalated:{done_comparison.pk}"
    assert blocks[0].url == reverse("scans:viewer", args=[done_comparison.pk])
    assert f"no. {done_comparison.pk}" in blocks[0].message
    with pytest.raises(SettlementBlocked) as exc:
        declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    assert "comparison_review" in exc.value.fields
    declaration.refresh_from_db()
    assert declaration.status == Status.UNSETTLED


def test_the_page_names_and_links_the_escalated_comparison(client, escalated_then_clean, done_comparison, dest_clerk):
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[escalated_then_clean.pk])).content.decode()
    assert 'data-block="scan_escalated"' in page
    notice = page.split('id="settlement-blocks"', 1)[1].split("</section>", 1)[0]
    assert f'href="{reverse("scans:viewer", args=[done_comparison.pk])}"' in notice


def test_the_inspector_releases_it_with_a_reason_then_it_settles(escalated_then_clean, tehran_inspector, dest_clerk):
    declaration = escalated_then_clean
    serials.settlement_override(
        declaration=declaration, by=tehran_inspector, reason="بار دوباره باز و شمارش شد، درست است"
    )
    assert serials.standing_blocks(declaration) == []
    declaration_services.declaration_settle(declaration=declaration, by=dest_clerk)
    declaration.refresh_from_db()
    assert declaration.status == Status.SETTLED


def test_a_later_escalation_is_not_covered_by_an_earlier_release(escalated_then_clean, tehran_inspector, dest_clerk):
    declaration = escalated_then_clean
    serials.settlement_override(
        declaration=declaration, by=tehran_inspector, reason="بار دوباره باز و شمارش شد، درست است"
    )
    later = ScanComparison.objects.filter(declaration=declaration).order_by("-pk").first()
    later.verdict = Verdict.SUSPICIOUS
    later.save()
    services.comparison_review(comparison=later, by=dest_clerk, decision="escalate", remark="این بار هم پالت کم است")
    assert [b.ref for b in serials.standing_blocks(declaration)] == [f"scan_escalated:{later.pk}"]


def test_the_scan_summary_names_the_escalated_comparison(client, escalated_then_clean, done_comparison, dest_clerk):
    """The summary row gives the current comparison's verdict and, beside it, the escalated one still blocking."""
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[escalated_then_clean.pk])).content.decode()
    row = page.split('id="scan-summary"', 1)[1].split("</dd>", 1)[0]
    assert f"Scan comparison no. {done_comparison.pk}: escalated as suspicious" in row
    assert f'href="{reverse("scans:viewer", args=[done_comparison.pk])}"' in row


def test_it_stays_on_the_suspicious_scan_tile(client, escalated_then_clean, tehran_inspector):
    """The inspector's «Scan suspicious» tile and its list keep the declaration: the escalation still withholds
    its settlement, though the current comparison is a clean one."""
    from declarations import monitoring

    declaration = escalated_then_clean
    assert declaration.scan_escalated
    assert monitoring.filter_signal(TransitDeclaration.objects.all(), "scan_suspicious").filter(pk=declaration.pk)
    assert "scan_suspicious" in [s.key for s in monitoring.signals_holding(declaration)]
    client.force_login(tehran_inspector)
    listed = client.get(reverse("declarations:list"), {"signal": "scan_suspicious"}).content.decode()
    assert reverse("declarations:detail", args=[declaration.pk]) in listed


def test_what_the_data_shows_names_the_escalation(escalated_then_clean):
    from declarations import detection
    from declarations.models import UnsettledReason

    (proposed,) = [
        p for p in detection.propose_reasons(escalated_then_clean) if p.reason == UnsettledReason.SCAN_DISCREPANCY
    ]
    assert "escalated" in proposed.evidence


def test_a_declaration_never_escalated_is_not_on_the_tile(done_comparison, dest_clerk):
    from declarations import monitoring

    services.comparison_review(
        comparison=done_comparison, by=dest_clerk, decision="accept", remark="بار بازرسی شد و درست بود"
    )
    declaration = TransitDeclaration.objects.get(pk=done_comparison.declaration_id)
    assert not declaration.scan_escalated
    assert not monitoring.filter_signal(TransitDeclaration.objects.all(), "scan_suspicious").filter(pk=declaration.pk)


def test_once_released_the_page_does_not_ask_to_record_a_reason(
    client, escalated_then_clean, done_comparison, tehran_inspector, dest_clerk
):
    """Under «Settlement released by an override» each block is named by what it was, with its link, not by the
    sentence that asked to resolve it."""
    serials.settlement_override(
        declaration=escalated_then_clean, by=tehran_inspector, reason="بار دوباره باز و شمارش شد، درست است"
    )
    client.force_login(dest_clerk)
    page = client.get(reverse("declarations:detail", args=[escalated_then_clean.pk])).content.decode()
    notice = page.split('id="settlement-blocks"', 1)[1].split("</ul>", 1)[0]
    assert "Settlement released by an override" in notice
    assert 'data-overridden="yes"' in notice
    assert "The scan comparison was escalated as suspicious" in notice
    assert "record why it cannot be settled" not in notice
    assert "may release the settlement" not in notice
    assert f'href="{reverse("scans:viewer", args=[done_comparison.pk])}"' in notice
