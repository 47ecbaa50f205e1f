"""Submitting a return signs it for good: the form asks the signer to tick that they checked it
(«این گزارش ماهانه را بررسی کرده‌ام؛ …»); unticked, the page comes back (400) with the error beside the box and the
return stays a draft. The national return (headquarters) and a province's (its inspector) alike."""

import pytest
from django.conf import settings

from reports import services
from reports.models import ReturnStatus
from tests.days import months_back_month

pytestmark = pytest.mark.django_db

YEAR, MONTH = months_back_month()
# The submit form's body: the box ticked (every test that submits a return sends it).
CONFIRMED = {"confirmed": "on"}


@pytest.mark.parametrize("who", ["hq", "inspector"])
def test_an_unticked_confirmation_leaves_the_return_a_draft_and_says_so_beside_the_box(
    client, request, who, hq, west_az
):
    user = request.getfixturevalue(who)
    snap = services.return_build(year=YEAR, month=MONTH, province=None if who == "hq" else west_az, by=user)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    form = page.split('id="return-submit"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirmed"' in form and "این گزارش ماهانه را بررسی کرده‌ام" in form

    refused = client.post(f"/reports/returns/{snap.pk}/submit/")
    assert refused.status_code == 400
    snap.refresh_from_db()
    assert snap.status == ReturnStatus.DRAFT
    form = refused.content.decode().split('id="return-submit"', 1)[1].split("</form>", 1)[0]
    beside = form.split('name="confirmed"', 1)[1]
    assert "invalid-feedback" in beside and "تیک بزنید" in beside

    done = client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED)
    assert done.status_code == 302
    snap.refresh_from_db()
    assert (snap.status, snap.submitted_by) == (ReturnStatus.SUBMITTED, user)
