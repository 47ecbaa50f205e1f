"""A file with its header and no row under it is refused beside the file field, as an empty file is, before
any batch or job: it was taken as a finished import of nothing (a batch of zeros and a «finished» notice)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from declarations.import_formats import ImportFileError, check_file
from declarations.models import ImportBatch
from notifications.models import Notification
from tests.declarations.test_importer import to_csv, to_xlsx

NO_ROWS = "فایل هیچ ردیف داده‌ای ندارد؛ زیر سرستون‌ها دست‌کم یک ردیف بیاورید."


@pytest.mark.persian
@pytest.mark.parametrize("name", ["export.csv", "export.xlsx"])
def test_a_header_without_rows_is_refused_beside_the_field(client, origin_clerk, name):
    # Built in the test, not in the parameters: an XLSX holds its build time, and xdist's workers must
    # collect the same test ids.
    data = to_csv([]) if name.endswith(".csv") else to_xlsx([])
    client.force_login(origin_clerk)
    response = client.post(reverse("declarations:import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert NO_ROWS in response.content.decode()
    assert not ImportBatch.objects.exists() and not Notification.objects.exists()


def test_the_check_reads_no_further_than_the_first_row():
    with translation.override("en"), pytest.raises(ImportFileError, match="no data rows"):
        check_file(to_csv([]) + b"\r\n\r\n", "export.csv")
    with translation.override("en"), pytest.raises(ImportFileError, match="no declarations"):
        check_file(b'{"declarations": []}', "export.json")
