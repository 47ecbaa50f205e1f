"""The returns list names its last column for what it holds: a count of unsettled serials, not the serials."""

import pytest

from reports import services

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_list_header_says_it_is_a_count(client, hq):
    services.return_build(year=1404, month=5, province=None, by=hq)
    client.force_login(hq)
    page = client.get("/reports/").content.decode()
    assert "<th>تعداد سریال‌های تسویه‌نشده</th>" in page
