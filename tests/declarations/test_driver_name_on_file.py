"""A typed driver name was silently replaced by the name stored for that national ID: registration now
refuses it beside the driver's name, naming the name on file, and the import refuses the row naming the
column; a name that differs only by spacing, a zero-width non-joiner or Arabic letters is the same name."""

import pytest

from declarations.importer import import_rows
from declarations.models import Driver, TransitDeclaration
from tests.declarations.test_importer import row
from tests.declarations.test_register import URL, _beside, _form

pytestmark = pytest.mark.django_db
NID = "0012345679"


@pytest.fixture
def on_file():
    return Driver.objects.create(name="حسن رضایی", national_id=NID)


def test_the_page_refuses_another_name_beside_the_driver_name(client, origin_clerk, bazargan, tehran, on_file):
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran, driver_name="علی کاظمی", driver_national_id=NID))
    assert response.status_code == 400
    assert not TransitDeclaration.objects.exists()
    beside = _beside(response.content.decode(), "driver_name")
    assert "حسن رضایی" in beside and "\u2068حسن رضایی\u2069" in beside
    assert Driver.objects.get(national_id=NID).name == "حسن رضایی"


def test_the_same_name_written_differently_is_the_driver_on_file(client, origin_clerk, bazargan, tehran, on_file):
    client.force_login(origin_clerk)
    response = client.post(URL, _form(bazargan, tehran, driver_name=" حسن  رضايي ", driver_national_id=NID))
    assert response.status_code == 302
    assert TransitDeclaration.objects.get().driver == on_file
    Driver.objects.filter(pk=on_file.pk).update(name="حسن\u200cرضایی")
    response = client.post(
        URL, _form(bazargan, tehran, serial="HAND-0002", driver_name="حسن رضایی", driver_national_id=NID)
    )
    assert response.status_code == 302


def test_the_import_refuses_the_row_naming_the_driver_name(bazargan, tehran, on_file):
    rows = [
        (2, row(serial="T-DR-1", route="", driver_name="علی کاظمی", driver_national_id=NID)),
        (3, row(serial="T-DR-2", route="", driver_name="حسن رضايي", driver_national_id=NID)),
    ]
    summary = import_rows(rows, source_ref="test")
    assert [(e.row, e.field) for e in summary.rejected] == [(2, "driver_name")]
    assert "حسن رضایی" in summary.rejected[0].message
    assert summary.created == 1
    assert TransitDeclaration.objects.get().driver == on_file
