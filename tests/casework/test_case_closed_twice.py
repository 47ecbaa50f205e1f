"""Posting the outcome of a case already closed (a double click, a stale tab) answered 400 and the page
came back with no forms and no word of why: now it says the case was already closed, nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from casework import services as casework
from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def test_closing_a_closed_case_again_says_it_was_already_closed(client, bazargan, tehran, inspector):
    declaration = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=20),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )
    case = casework.case_open(
        declaration=declaration,
        by=inspector,
        file_number="1405-66",
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=5),
        cif_value="100",
        exchange_rate="650000",
    )
    casework.case_close(case=case, by=inspector, outcome="برائت", outcome_on=timezone.localdate())
    client.force_login(inspector)
    form = {"form": "close", "outcome": "محکومیت", "outcome_on": "1405/01/01", "close_declaration": "on"}
    response = client.post(f"/casework/cases/{case.pk}/", form, follow=True)
    assert response.status_code == 200
    assert "This case was already closed." in response.content.decode()
    with translation.override("fa"):
        assert translation.gettext("This case was already closed.") == "این پرونده پیش‌تر مختومه شده است"
    case.refresh_from_db()
    assert case.outcome == "برائت"
