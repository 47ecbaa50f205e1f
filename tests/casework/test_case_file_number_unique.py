"""A judicial file number names one case: opening a second case under «1405-11045» (another declaration,
another way of writing the authority) was accepted and the case list showed two «1405-11045» rows. It is
refused beside the file number, naming the case that holds it; the number typed in Persian digits, in
another case or with other spacing is the same number."""

import datetime as dt

import pytest
from django.utils import timezone

from casework import services as casework
from casework.models import JudicialCase
from core.errors import InvalidInput
from declarations.models import Status
from tests.core.test_form_style import beside
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_overdue(bazargan, tehran):
    late = timezone.now() - dt.timedelta(days=8)
    return (
        DeclarationFactory(
            serial="1405-BZG-00011045", origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=late
        ),
        DeclarationFactory(origin=bazargan, destination=tehran, status=Status.IN_TRANSIT, deadline=late),
    )


def _open(declaration, by, file_number, authority="دادسرای عمومی"):
    return casework.case_open(
        declaration=declaration,
        by=by,
        file_number=file_number,
        authority=authority,
        opened_on=timezone.localdate() - dt.timedelta(days=1),
        cif_value="100",
        exchange_rate="650000",
    )


@pytest.mark.parametrize("typed", ["1405-11045", "۱۴۰۵-۱۱۰۴۵", " 1405-11045 ", "١٤٠٥-١١٠٤٥"])
def test_a_file_number_held_by_another_case_is_refused(two_overdue, inspector, typed):
    first, second = two_overdue
    _open(first, inspector, "1405-11045")
    with pytest.raises(InvalidInput) as refused:
        _open(second, inspector, typed, authority="دادسرای عمومی و انقلاب بازرگان")
    assert refused.value.fields == {"file_number": "duplicate"}
    assert "1405-BZG-00011045" in str(refused.value)
    assert JudicialCase.objects.count() == 1


def test_letters_in_another_case_are_the_same_number(two_overdue, inspector):
    first, second = two_overdue
    _open(first, inspector, "1405-bzg-77")
    with pytest.raises(InvalidInput):
        _open(second, inspector, "1405-BZG-77")


@pytest.mark.persian
def test_the_form_shows_it_beside_the_file_number(client, two_overdue, inspector):
    first, second = two_overdue
    _open(first, inspector, "1405-11045")
    client.force_login(inspector)
    response = client.post(
        f"/casework/cases/new/{second.pk}/",
        {
            "file_number": "۱۴۰۵-۱۱۰۴۵",
            "authority": "تعزیرات حکومتی",
            "opened_on": "1404/05/10",
            "cif_value": "100",
            "currency": "USD",
            "exchange_rate": "650000",
            "duties": "0",
            "fees": "0",
        },
    )
    assert response.status_code == 400
    block = beside(response.content.decode(), "id_file_number", "پیش‌تر به پروندهٔ اظهارنامهٔ")
    assert "1405-BZG-00011045" in block
    assert JudicialCase.objects.count() == 1


@pytest.mark.persian
def test_one_submit_names_the_taken_number_and_the_bad_date_together(client, two_overdue, inspector):
    first, second = two_overdue
    _open(first, inspector, "1405-11045")
    client.force_login(inspector)
    response = client.post(
        f"/casework/cases/new/{second.pk}/",
        {
            "file_number": "1405-11045",
            "authority": "تعزیرات حکومتی",
            "opened_on": "1405/13/01",
            "cif_value": "100",
            "currency": "USD",
            "exchange_rate": "650000",
            "duties": "0",
            "fees": "0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "1405-BZG-00011045" in beside(html, "id_file_number", "پیش‌تر به پروندهٔ اظهارنامهٔ")
    beside(html, "id_opened_on")
    assert JudicialCase.objects.count() == 1
