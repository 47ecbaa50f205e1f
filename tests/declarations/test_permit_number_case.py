"""A permit number typed in lower case is the same number: stored with upper-case Latin letters, so
«tp-6800» is refused while «TP-6800» is recorded, on the API and the page alike."""

import pytest
from rest_framework.test import APIClient

from declarations.models import TrafficPermit
from tests.declarations.test_permit_number_digits import _api, _foreign, _page

pytestmark = pytest.mark.django_db


def test_a_lower_case_number_on_the_api_is_refused_while_the_upper_case_one_exists(
    client, origin_clerk, bazargan, tehran
):
    a, b, c = (_foreign(bazargan, tehran, plate) for plate in ("34ABC123", "34ABC124", "34ABC125"))
    api = APIClient()
    api.force_authenticate(origin_clerk)
    assert _api(api, a, "TP-6800").status_code == 201
    again = _api(api, b, "tp-6800")
    assert again.status_code == 400 and "permit_no" in again.json()["error"]["fields"]
    client.force_login(origin_clerk)
    on_the_page = _page(client, c, bazargan, tehran, "Tp-6800")
    assert on_the_page.status_code == 400 and "Permit TP-6800 is already recorded." in on_the_page.content.decode()
    assert list(TrafficPermit.objects.values_list("permit_no", flat=True)) == ["TP-6800"]


def test_a_lower_case_number_is_stored_upper_case(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    created = _api(api, _foreign(bazargan, tehran, "34ABC123"), "tp-۶۸۰۰")
    assert created.status_code == 201 and created.json()["permit_no"] == "TP-6800"
