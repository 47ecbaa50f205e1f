"""A closed case's statutory steps left undone stayed live: the pending tab listed them (one marked
overdue under «pending» while the overdue tab counted none) and the case page showed them pending or
overdue. Closing a case waives them («no longer due: case … was closed»): kept as records, out of the
pending and overdue lists and counts, never told as late."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from casework import smuggling
from casework.models import CaseMilestone, CaseStatus
from declarations.models import Status, UnsettledReason
from notifications.models import Kind, Notification
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(bazargan, tehran, inspector):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=40),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    found = timezone.now() - dt.timedelta(days=3)
    return casework.case_open(
        declaration=declaration,
        by=inspector,
        file_number="1405-55",
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=3),
        discovered_at=found,
        cif_value="1000",
        exchange_rate="700000",
    )


def _tab(client, state):
    return client.get(f"/casework/milestones/?state={state}").content.decode()


def test_closing_a_case_waives_its_undone_steps_and_they_leave_the_pending_and_overdue_tabs(case, inspector, client):
    client.force_login(inspector)
    assert "1405-55" in _tab(client, "pending") and 'class="table-danger"' in _tab(client, "pending")
    casework.case_close(
        case=case, by=inspector, outcome="برائت", outcome_on=timezone.localdate(), close_declaration=True
    )

    rows = CaseMilestone.objects.filter(case=case)
    assert rows.count() == 4  # kept as records
    assert all(m.waived_at is not None and "was closed" in m.waived_note for m in rows)
    assert CaseMilestone.objects.pending().count() == 0 and CaseMilestone.objects.overdue(timezone.now()).count() == 0
    pending, overdue = _tab(client, "pending"), _tab(client, "overdue")
    assert "1405-55" not in pending and "1405-55" not in overdue
    assert "pending (0)" in pending and "overdue (0)" in pending
    assert smuggling.milestones_run() == 0
    assert not Notification.objects.filter(kind=Kind.MILESTONE_OVERDUE).exists()
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "No longer due: case" in page and 'class="table-danger"' not in page


def test_a_case_closed_before_the_rule_owes_nothing_either(case, inspector, client):
    """Cases closed earlier kept their steps live: the tabs and the case page agree they are not overdue."""
    type(case).objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, outcome="برائت", outcome_on=timezone.localdate()
    )
    client.force_login(inspector)
    pending = _tab(client, "pending")
    assert "1405-55" not in pending and "pending (0)" in pending
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert 'class="table-danger"' not in page
