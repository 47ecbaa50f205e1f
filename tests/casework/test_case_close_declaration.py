"""The case page's outcome form offers «close the declaration too» only to those who may close the
declaration (headquarters, the province's inspector: the close service's own check). The destination office
was offered the box; ticked, the save failed with «You may not close …» above the form. When the box is
ticked and the declaration cannot be closed, the outcome is refused beside the box and nothing is written."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from casework.models import CaseStatus
from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsettled(bazargan, tehran):
    return DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        status=Status.UNSETTLED,
        arrived_at=timezone.now() - dt.timedelta(days=20),
        unsettled_reason=UnsettledReason.SEAL_DISCREPANCY,
    )


def _open(declaration, by, file_number="9909981234"):
    return casework.case_open(
        declaration=declaration,
        by=by,
        file_number=file_number,
        authority="تعزیرات حکومتی",
        opened_on=timezone.localdate() - dt.timedelta(days=5),
        cif_value="100",
        exchange_rate="650000",
    )


def _outcome(client, case, **extra):
    today = timezone.localdate().strftime("%Y-%m-%d")
    form = {"form": "close", "outcome": "برائت", "outcome_on": _jalali(today), **extra}
    return client.post(f"/casework/cases/{case.pk}/", form)


def _jalali(iso: str) -> str:
    import jdatetime

    return jdatetime.date.fromgregorian(date=dt.date.fromisoformat(iso)).strftime("%Y/%m/%d")


def test_the_destination_office_is_not_offered_the_box_and_closes_the_case(client, unsettled, inspector, dest_clerk):
    case = _open(unsettled, inspector)
    client.force_login(dest_clerk)
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert 'id="case-close-form"' in page and 'name="close_declaration"' not in page

    response = _outcome(client, case)
    case.refresh_from_db()
    unsettled.refresh_from_db()
    assert response.status_code == 302 and case.status == CaseStatus.CLOSED
    assert unsettled.status == Status.UNSETTLED


def test_the_inspector_is_offered_the_box_and_closes_both(client, unsettled, inspector):
    case = _open(unsettled, inspector)
    client.force_login(inspector)
    assert 'name="close_declaration"' in client.get(f"/casework/cases/{case.pk}/").content.decode()
    response = _outcome(client, case, close_declaration="on")
    case.refresh_from_db()
    unsettled.refresh_from_db()
    assert response.status_code == 302 and case.status == CaseStatus.CLOSED and unsettled.status == Status.CLOSED


def test_a_declaration_that_cannot_be_closed_refuses_the_outcome_beside_the_box(client, unsettled, inspector):
    case = _open(unsettled, inspector)
    other = _open(unsettled, inspector, file_number="9909985555")  # still open: the declaration cannot close
    client.force_login(inspector)
    response = _outcome(client, case, close_declaration="on")
    assert response.status_code == 400
    box = response.content.decode().split('id="id_close_declaration"', 1)[1].split("</div>\n  </div>", 1)[0]
    assert 'class="invalid-feedback d-block"' in box and "still open" in box
    case.refresh_from_db()
    unsettled.refresh_from_db()
    other.refresh_from_db()
    assert case.status == CaseStatus.OPEN and not case.outcome and unsettled.status == Status.UNSETTLED
