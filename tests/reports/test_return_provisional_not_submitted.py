"""A provisional return (built before its month ended, figures «قطعی نیست») is never submitted to headquarters:
sent, it stood as the month's official figures and the trend plotted the unfinished month from it, even in
place of a newer final draft."""

import pytest
from django.utils import timezone

from core.dates import jalali_month_of, month_label, previous_jalali_month
from core.errors import IllegalTransition
from reports import services
from reports.models import MonthlyReturn, ReturnStatus
from tests.reports.test_return_submit_confirmed import CONFIRMED


@pytest.fixture
def running():
    return jalali_month_of(timezone.now())


def test_the_service_refuses_to_submit_a_provisional_return_and_says_why(running, inspector, west_az):
    year, month = running
    snap = services.return_build(year=year, month=month, province=west_az, by=inspector, provisional=True)
    with pytest.raises(IllegalTransition, match="A provisional return cannot be submitted"):
        services.return_submit(monthly_return=snap, by=inspector)
    snap.refresh_from_db()
    assert snap.status == ReturnStatus.DRAFT and snap.submitted_at is None


def test_the_page_shows_the_button_disabled_with_the_reason(client, running, inspector, west_az):
    year, month = running
    snap = services.return_build(year=year, month=month, province=west_az, by=inspector, provisional=True)
    client.force_login(inspector)
    page = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    assert 'id="return-submit"' not in page  # no form to post
    refused = page.split('id="return-submit-refused"', 1)[1].split("</div>", 1)[0]
    assert "disabled" in refused and "A provisional return cannot be submitted" in refused

    # Posted anyway (a page left open, a crafted form): refused with the reason, nothing sent.
    page = client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED, follow=True).content.decode()
    assert "A provisional return cannot be submitted" in page
    assert MonthlyReturn.objects.get(pk=snap.pk).status == ReturnStatus.DRAFT


@pytest.mark.persian
def test_the_reason_reads_in_persian(client, running, inspector, west_az):
    year, month = running
    snap = services.return_build(year=year, month=month, province=west_az, by=inspector, provisional=True)
    client.force_login(inspector)
    page = client.post(f"/reports/returns/{snap.pk}/submit/", CONFIRMED, follow=True).content.decode()
    assert "گزارش موقت را نمی‌توان ارسال کرد" in page


def test_the_trend_never_plots_a_provisional_return(client, running, hq, west_az):
    """Submitted or not, a provisional return is no month's figures; an ended month's final draft is plotted
    even beside a provisional version submitted before it (as data built earlier may hold)."""
    year, month = running
    last = previous_jalali_month(year, month)
    now = services.return_build(year=year, month=month, province=west_az, by=hq, provisional=True)
    client.force_login(hq)
    assert client.get("/api/reports/trend/", {"province": "WAZ"}).json()["labels"] == []

    early = services.return_build(year=last[0], month=last[1], province=west_az, by=hq)
    # A provisional version of the last month, submitted before this fix: the final draft built after it counts.
    MonthlyReturn.objects.filter(pk=early.pk).update(provisional=True, status=ReturnStatus.SUBMITTED)
    final = services.return_build(year=last[0], month=last[1], province=west_az, by=hq)
    final.figures = {**final.figures, "closing": 7}
    final.save(update_fields=["figures"])
    trend = client.get("/api/reports/trend/", {"province": "WAZ"}).json()
    assert trend["labels"] == [month_label(last[0], last[1], persian=False)] and trend["series"]["closing"] == [7]
    assert now.pk  # the running month's provisional draft: not plotted
