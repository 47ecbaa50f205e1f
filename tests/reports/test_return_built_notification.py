"""Whoever asks for a monthly return is told on their bell when it is ready, with a link to it; the monthly
schedule's builds, which nobody asked for, tell nobody."""

import pytest

from core.dates import month_label
from notifications.models import Kind, Notification
from reports import tasks
from reports.models import MonthlyReturn
from tests.days import months_back_month


@pytest.mark.persian
def test_the_person_who_asked_for_a_return_is_told_when_it_is_ready(client, west_az, inspector):
    year, month = months_back_month()
    pk = tasks.build_monthly_return.delay(year, month, west_az.pk, inspector.pk).get()
    snap = MonthlyReturn.objects.get(pk=pk)
    note = Notification.objects.get(user=inspector, kind=Kind.RETURN_BUILT)
    assert note.title == f"{month_label(year, month)} · {west_az.name} · نسخهٔ ۱"  # «مرداد ۱۴۰۴ · …»
    assert note.url == f"/reports/returns/{snap.pk}/"
    client.force_login(inspector)
    assert client.get(note.url).status_code == 200  # the link opens the return
    # A second version is a second notice.
    tasks.build_monthly_return.delay(year, month, west_az.pk, inspector.pk).get()
    assert Notification.objects.filter(user=inspector, kind=Kind.RETURN_BUILT).count() == 2


def test_a_scheduled_build_tells_nobody(west_az):
    tasks.build_monthly_return.delay(*months_back_month(), west_az.pk).get()
    assert MonthlyReturn.objects.count() == 1
    assert not Notification.objects.filter(kind=Kind.RETURN_BUILT).exists()
