"""The return page's action buttons (submit or finalise, build a new version) wear the app's one button style
and stand apart from the «تراز» heading, not a plain browser button against it."""

import datetime as dt

import pytest

from core.dates import jalali_month_bounds
from declarations.models import Status
from reports import services
from reports.models import LateChange
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db
S, E = jalali_month_bounds(1404, 7)  # Mehr 1404


def _buttons(page: str) -> list[str]:
    return [chunk.split(">")[0] for chunk in page.split("<button")[1:]]


@pytest.mark.persian
def test_the_finalise_and_build_again_buttons_are_styled(client, bazargan, tehran, hq):
    d = DeclarationFactory(
        origin=bazargan, destination=tehran, declared_at=S + dt.timedelta(days=1), status=Status.REGISTERED
    )
    snap = services.return_build(year=1404, month=7, province=None, by=hq)
    client.force_login(hq)

    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    form = page[page.index('id="return-submit"') :].split("</form>")[0]
    assert 'class="mb-4"' in page[: page.index('id="return-submit"')].rsplit("<form", 1)[1]
    assert 'class="btn btn-primary"' in form and "نهایی کردن" in form

    sent = services.return_submit(monthly_return=snap, by=hq)
    LateChange.objects.create(
        monthly_return=sent, declaration=d, serial=d.serial, what="created", status=d.status,
        at=S + dt.timedelta(days=2), source="web",
    )  # fmt: skip
    page = client.get(f"/reports/returns/{sent.pk}/").content.decode()
    assert "ساخت نسخهٔ جدید" in page
    assert all('class="' in b for b in _buttons(page[page.index("<main") :])), _buttons(page)
