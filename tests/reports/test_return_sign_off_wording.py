"""The sign-off box on a return's page calls it «گزارش ماهانه», as the rest of the app does: never «بازگشت»
("coming back"), neither in the box's label (national return and a province's) nor in the error when unticked."""

import pytest
from django.conf import settings

from reports import services
from tests.days import months_back_month

pytestmark = pytest.mark.django_db

YEAR, MONTH = months_back_month()


def _form(html: str) -> str:
    return html.split('id="return-submit"', 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize(
    ("who", "label"),
    [
        ("hq", "این گزارش ماهانه را بررسی کرده‌ام؛ پس از نهایی شدن تغییر نمی‌کند."),
        ("inspector", "این گزارش ماهانه را بررسی کرده‌ام؛ پس از ارسال به ستاد تغییر نمی‌کند."),
    ],
    ids=["hq", "inspector"],
)
def test_the_sign_off_box_and_its_error_call_it_the_monthly_return(client, request, who, label, hq, west_az):
    user = request.getfixturevalue(who)
    snap = services.return_build(year=YEAR, month=MONTH, province=None if who == "hq" else west_az, by=user)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"

    form = _form(client.get(f"/reports/returns/{snap.pk}/").content.decode())
    assert label in form
    assert "بازگشت" not in form

    refused = _form(client.post(f"/reports/returns/{snap.pk}/submit/").content.decode())
    assert "برای تأیید این‌که گزارش ماهانه را بررسی کرده‌اید این گزینه را تیک بزنید" in refused
    assert "بازگشت" not in refused
