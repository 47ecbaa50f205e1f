"""For «1405/13/01» the camera read API said «… مانند ۱۴۰۵/۰۵/۱۲ ۱۰:۳۰ وارد کنید» (the shape to type) while the
forms say there is no such day (``core.forms.no_such_day``): every API date field, and the declarations'
import and API, now refuse a well-shaped date of no such day in the forms' words."""

import pytest

from anpr.models import PlateRead
from core.text import strip_isolates
from declarations.importer import import_rows
from tests.anpr.conftest import bzg_camera, camera_client  # noqa: F401 (a fixture)
from tests.declarations.test_importer import row

pytestmark = pytest.mark.django_db
LRI, PDI = "\u2066", "\u2069"
SAID = f"«{LRI}1405/13/01 10:30{PDI}» تاریخ شمسی نیست: چنین روزی در تقویم نیست"


@pytest.mark.persian
def test_the_camera_read_api_says_there_is_no_such_day(bzg_camera):  # noqa: F811
    client = camera_client(bzg_camera)
    response = client.post(
        "/api/anpr/reads/",
        {"captured_at": "1405/13/01 10:30", "plate": "12ب34567"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fa",
    )
    assert response.status_code == 400
    assert strip_isolates(SAID) in response.json()["error"]["fields"]["captured_at"][0]  # the JSON is plain text
    assert not PlateRead.objects.exists()


def test_the_api_keeps_the_example_for_a_value_of_another_shape(bzg_camera):  # noqa: F811
    client = camera_client(bzg_camera)
    response = client.post("/api/anpr/reads/", {"captured_at": "yesterday", "plate": "12ب34567"}, format="json")
    assert "like" in response.json()["error"]["fields"]["captured_at"][0]


@pytest.mark.persian
def test_the_import_says_so_too(bazargan, tehran):
    summary = import_rows([(2, row(serial="T-DAY-1", route="", declared_at="1405/13/01 10:30"))], source_ref="test")
    ((error,),) = [[e for e in summary.rejected if e.field == "declared_at"]]
    assert SAID in error.message


@pytest.mark.persian
def test_an_api_date_field_says_so():
    from rest_framework.exceptions import ValidationError

    from core.api import JalaliDateField

    with pytest.raises(ValidationError) as refused:
        JalaliDateField().run_validation("1405/13/01")
    assert f"«{LRI}1405/13/01{PDI}» تاریخ شمسی نیست: چنین روزی در تقویم نیست" in str(refused.value.detail[0])


@pytest.mark.persian
def test_the_list_filters_date_box_says_so():
    from django import forms

    from declarations.filters import JalaliDateField

    with pytest.raises(forms.ValidationError) as refused:
        JalaliDateField().clean("1405/13/01")
    assert f"«{LRI}1405/13/01{PDI}» تاریخ شمسی نیست: چنین روزی در تقویم نیست" in refused.value.messages[0]
