"""A seal number holds Latin letters, digits and - / . only (the demo's «S1234567», «S-1»): registering one
like «<b>x</b>» is refused by the form, the import and the API alike (one check,
``import_validation.seal_numbers_problem``), naming the field and the bad seal."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from declarations.importer import import_records
from declarations.models import TransitDeclaration
from tests.declarations.test_register import _api_body, _beside, _form

pytestmark = pytest.mark.django_db
BAD = "<b>x</b>"


def test_the_form_refuses_it_beside_the_field(client, origin_clerk, bazargan, tehran):
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:register"), _form(bazargan, tehran, seals=f"S1, {BAD}"))
    assert response.status_code == 400
    beside = _beside(response.content.decode(), "seals")
    assert "seal number 2" in beside and "&lt;b&gt;x&lt;/b&gt;" in beside
    assert not TransitDeclaration.objects.exists()


def test_the_import_refuses_it(bazargan, tehran):
    summary = import_records([_api_body(seals=f"S1|{BAD}")])
    assert summary.created == 0 and [e.field for e in summary.rejected] == ["seals"]
    assert BAD in summary.rejected[0].message


def test_the_api_refuses_it_under_its_index(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(seals=["S1", BAD]), format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["seals"] and BAD in str(fields["seals"])
    assert not TransitDeclaration.objects.exists()


@pytest.mark.parametrize("seal", ["S1234567", "S-1", "IR/1404/77", "A.12-B"])
def test_real_seals_pass(origin_clerk, bazargan, tehran, seal):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    response = api.post("/api/declarations/", _api_body(seals=[seal]), format="json")
    assert response.status_code == 201, response.json()
    assert TransitDeclaration.objects.get().seal_numbers == [seal]


@pytest.mark.persian
def test_the_persian_refusal_names_the_marks_a_seal_may_hold_and_ends_its_sentence():
    """It ended «… فقط حروف لاتین، رقم و - / . دارد», the marks loose in the sentence and no full stop."""
    from django.utils import translation

    from declarations.import_validation import seal_numbers_problem

    with translation.override("fa"):
        message = str(seal_numbers_problem(["S-1", "<b>x</b>"]))
    assert message.startswith("شمارهٔ پلمپ ۲") and message.endswith("رقم و نشانه‌های «-»، «/» و «.» می‌آید.")
