"""Once the destination recorded why an escalated declaration cannot be settled, the notice says that reason is
recorded (which, when, by whom) instead of asking for it again; a further reason is still offered, as a correction."""

import datetime as dt
import html as htmllib

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import services as declaration_services
from declarations.models import Status, TransitDeclaration
from scans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(done_comparison, dest_clerk):
    TransitDeclaration.objects.filter(pk=done_comparison.declaration_id).update(
        status=Status.ARRIVED, arrived_at=timezone.now() - dt.timedelta(hours=2)
    )
    services.comparison_review(comparison=done_comparison, by=dest_clerk, decision="escalate", remark="پالت کم است")
    declaration_services.declaration_record_unsettled(
        declaration=TransitDeclaration.objects.get(pk=done_comparison.declaration_id),
        by=dest_clerk,
        reason="scan_discrepancy",
    )
    return TransitDeclaration.objects.get(pk=done_comparison.declaration_id)


def _page(client, user, declaration) -> str:
    client.force_login(user)
    return htmllib.unescape(client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode())


def test_the_notice_says_the_reason_is_recorded_not_to_record_it(client, recorded, dest_clerk):
    page = _page(client, dest_clerk, recorded)
    notice = page.split('id="settlement-blocks"', 1)[1].split("</section>", 1)[0]
    assert "record why it cannot be settled" not in notice
    item = notice.split('data-block="scan_escalated"', 1)[1].split("</li>", 1)[0]
    assert "Why it cannot be settled is recorded: scan discrepancy" in item
    assert "مریم کریمی" in item


def test_a_further_reason_is_offered_as_a_correction_not_as_the_first(client, recorded, dest_clerk):
    page = _page(client, dest_clerk, recorded)
    form = page.split('data-action="record_unsettled"', 1)[1].split("</form>", 1)[0]
    assert "Record why it cannot be settled" not in form
    assert "Record another reason" in form


def test_a_reason_recorded_by_ics_names_ics_not_a_dash(client, done_comparison, dest_clerk):
    """No person recorded it: the notice says where it came from."""
    from declarations.models import Source

    TransitDeclaration.objects.filter(pk=done_comparison.declaration_id).update(
        status=Status.ARRIVED, arrived_at=timezone.now() - dt.timedelta(hours=2)
    )
    services.comparison_review(comparison=done_comparison, by=dest_clerk, decision="escalate", remark="پالت کم است")
    declaration_services.declaration_record_unsettled(
        declaration=TransitDeclaration.objects.get(pk=done_comparison.declaration_id),
        by=None,
        reason="scan_discrepancy",
        source=Source.ICS,
    )
    page = _page(client, dest_clerk, TransitDeclaration.objects.get(pk=done_comparison.declaration_id))
    item = page.split('id="settlement-blocks"', 1)[1].split('data-block="scan_escalated"', 1)[1].split("</li>", 1)[0]
    assert "by ICS export." in item and "by —" not in item
