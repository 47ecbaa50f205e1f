"""A return's page said «وضعیت ارقام: قطعی (پایان ماه) · پیش‌نویس»: «final» and «draft» side by side, the draft
read as part of the figures' standing. The return's own state is named as such, first, and the figures' standing
after it: «وضعیت گزارش: پیش‌نویس · وضعیت ارقام: قطعی (پایان ماه)»."""

import re

import pytest

from tests.reports.test_return_agreement import aban_return  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.persian]


def test_the_returns_state_and_the_figures_standing_are_each_named(client, aban_return, hq):  # noqa: F811
    client.force_login(hq)
    page = client.get(f"/reports/returns/{aban_return.pk}/").content.decode()
    line = re.sub(r"<[^>]+>", "", re.search(r'<span id="return-number">.*?</p>', page, re.S)[0])
    assert "وضعیت گزارش: پیش‌نویس · وضعیت ارقام: قطعی (پایان ماه)" in line
    assert "(پایان ماه) · پیش‌نویس" not in line
