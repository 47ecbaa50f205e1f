"""The arrival form asks the destination clerk whether the seals are intact or broken: two answers, none
chosen for them. A box left unticked recorded «seals not intact» for a clerk who never reported broken seals,
and the declaration was offered a seal discrepancy as its reason for not settling."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations import detection, services
from declarations.models import ArrivalConfirmation, Status, TransitDeclaration, UnsettledReason

pytestmark = pytest.mark.django_db
FIELD = "confirm_arrival-seals_intact"


@pytest.fixture
def in_transit(declaration, origin_clerk):
    TransitDeclaration.objects.filter(pk=declaration.pk).update(seal_numbers=["S1", "S3"])
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=3))
    declaration.refresh_from_db()
    return declaration


def _confirm(client, d, **extra):
    data = {"confirm_arrival-unseen_reason": "camera down", **{f"confirm_arrival-{k}": v for k, v in extra.items()}}
    return client.post(reverse("declarations:action", args=[d.pk, "confirm_arrival"]), data)


def _seals_field(html: str) -> str:
    """The arrival form's seals question: its fieldset, with the errors shown beside it."""
    form = html.split('data-action="confirm_arrival"', 1)[1]
    return (
        form.split(f'name="{FIELD}"', 1)[0].rsplit("<fieldset", 1)[1]
        + form.split(f'name="{FIELD}"', 1)[1].split("</fieldset>", 1)[0]
    )


def test_the_page_asks_with_two_answers_and_none_chosen(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    html = client.get(reverse("declarations:detail", args=[in_transit.pk])).content.decode()
    form = html.split('data-action="confirm_arrival"', 1)[1].split("</form>", 1)[0]
    radios = [part.split(">", 1)[0] for part in form.split('<input type="radio"')[1:]]
    assert [('value="intact"' in r, 'value="broken"' in r) for r in radios] == [(True, False), (False, True)]
    assert all(f'name="{FIELD}"' in r and "checked" not in r for r in radios)


def test_no_answer_is_refused_beside_the_question_and_nothing_is_recorded(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = _confirm(client, in_transit, seal_numbers_found="S1 S3")
    assert response.status_code == 400
    assert "Choose whether the seals are intact or broken." in _seals_field(response.content.decode())
    in_transit.refresh_from_db()
    assert in_transit.status == Status.IN_TRANSIT
    assert not ArrivalConfirmation.objects.filter(declaration=in_transit).exists()


def test_intact_records_intact_seals_and_proposes_no_seal_discrepancy(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    assert _confirm(client, in_transit, seals_intact="intact").status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.status == Status.ARRIVED and in_transit.arrival.seals_intact is True
    reasons = [p.reason for p in detection.propose_reasons(in_transit)]
    assert UnsettledReason.SEAL_DISCREPANCY not in reasons


def test_broken_records_broken_seals_shown_on_the_page(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = _confirm(client, in_transit, seals_intact="broken", seal_numbers_found="S1")
    assert response.status_code == 302
    in_transit.refresh_from_db()
    assert in_transit.arrival.seals_intact is False and in_transit.arrival.seal_numbers_found == ["S1"]
    assert "seals not intact" in client.get(response.url).content.decode()
    reasons = [p.reason for p in detection.propose_reasons(in_transit)]
    assert UnsettledReason.SEAL_DISCREPANCY in reasons


def test_intact_with_other_numbers_is_refused_beside_the_question_with_the_answer_kept(client, dest_clerk, in_transit):
    client.force_login(dest_clerk)
    response = _confirm(client, in_transit, seals_intact="intact", seal_numbers_found="S1;S9")
    assert response.status_code == 400
    field = _seals_field(response.content.decode())
    assert "differ from the declared ones" in field
    assert 'value="intact" checked' in field  # what the clerk chose stays chosen
    assert not ArrivalConfirmation.objects.filter(declaration=in_transit).exists()
