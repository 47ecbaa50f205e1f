"""``allowed_actions`` offered ``settle`` while a block withheld it (settle then 409 ``settlement_blocked``): it
is offered only when nothing withholds it or an override covers it; the page shows the settle form with what
withholds it and its button off."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations import serials
from tests.declarations.test_arrival_serials import DECLARED, arrived  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _detail(user, declaration) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    return api.get(f"/api/declarations/{declaration.pk}/").json()


def test_settle_is_not_offered_while_a_block_stands_and_is_again_once_overridden(arrived, dest_clerk, hq):  # noqa: F811
    assert "settle" in _detail(dest_clerk, arrived)["allowed_actions"]
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    body = _detail(dest_clerk, arrived)
    assert body["settlement_blocks"] and "settle" not in body["allowed_actions"]
    assert "record_unsettled" in body["allowed_actions"]  # what it can do instead
    serials.settlement_override(declaration=arrived, by=hq, reason="released by HQ letter 77")
    body = _detail(dest_clerk, arrived)
    assert all(b["overridden"] for b in body["settlement_blocks"]) and "settle" in body["allowed_actions"]


def test_the_pages_settle_button_is_off_while_a_block_stands(client, arrived, dest_clerk):  # noqa: F811
    client.force_login(dest_clerk)
    url = reverse("declarations:detail", args=[arrived.pk])
    form = client.get(url).content.decode().split('data-action="settle"', 1)[1].split("</form>", 1)[0]
    assert "disabled" not in form
    serials.arrival_serials_record(declaration=arrived, values=DECLARED[:2], by=dest_clerk)
    form = client.get(url).content.decode().split('data-action="settle"', 1)[1].split("</form>", 1)[0]
    assert 'id="settle-blocked"' in form and 'disabled aria-describedby="settle-blocked"' in form
