"""The import's table of refused rows names each row's serial beside its row number, isolated as every serial is
(the serial filter), when the row has one: a clerk correcting an ICS export of 300 rows finds the declaration by
its serial, not by counting lines. A row whose serial is itself what is wrong shows none (its message quotes it).
A bad row still does not stop the good rows of the export."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.offices_data import ensure_offices
from declarations.models import ImportBatch, TransitDeclaration
from tests.declarations.test_importer import row, to_csv

SERIAL_BDI = '<bdi dir="ltr" class="ident ident-serial">{}</bdi>'


@pytest.fixture
def offices(db):
    return ensure_offices()


def _table(client, user, rows) -> tuple[ImportBatch, dict[str, str]]:
    client.force_login(user)
    client.post(reverse("declarations:import"), {"file": SimpleUploadedFile("export.csv", to_csv(rows))})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("declarations:import-batch", args=[batch.pk])).content.decode()
    table = page.split('id="rejected-rows"', 1)[1].split("</table>", 1)[0]
    return batch, dict(re.findall(r'<tr data-row="(\d+)">(.*?)</tr>', table, re.S))


@pytest.mark.parametrize("language", ["en", pytest.param("fa", marks=pytest.mark.persian)])
def test_each_refused_row_is_named_by_its_serial_beside_its_row(client, offices, origin_clerk, language):
    rows = [
        row(serial="T140400000002", route=""),
        row(serial="T140400000003", route="", plate="ABC"),  # row 3: a plate that is none
        row(serial="T140400000004", route="", origin="SRK", destination="YZD"),  # row 4: not the clerk's
        row(serial="T1 bad!", route=""),  # row 5: the serial itself is wrong
    ]
    batch, table = _table(client, origin_clerk, rows)
    assert sorted(table) == ["3", "4", "5"], table
    assert SERIAL_BDI.format("T140400000003") in table["3"], table["3"]
    assert SERIAL_BDI.format("T140400000004") in table["4"], table["4"]
    assert "ident-serial" not in table["5"], table["5"]
    assert [(e["row"], e.get("serial")) for e in batch.report["rejected"]] == [
        (3, "T140400000003"),
        (4, "T140400000004"),
        (5, None),
    ]
    # Decision kept: the good row is imported all the same.
    assert list(TransitDeclaration.objects.values_list("serial", flat=True)) == ["T140400000002"]
