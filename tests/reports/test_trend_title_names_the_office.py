"""The trend page's title names what it draws: for office staff, whose figures are their office's part of the
province's returns, the office after the province; for an inspector, the province alone."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def _title(client, user) -> str:
    client.force_login(user)
    html = client.get("/reports/trend/").content.decode()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_office_staff_see_their_office_in_the_title(client, origin_clerk):
    assert _title(client, origin_clerk) == "روند ماه‌به‌ماه — آذربایجان غربی — گمرک بازرگان"


def test_an_inspector_sees_the_province_alone(client, inspector, bazargan):
    assert _title(client, inspector) == "روند ماه‌به‌ماه — آذربایجان غربی"
