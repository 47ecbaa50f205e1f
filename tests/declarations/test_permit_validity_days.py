"""A permit's validity on the permit list reads in days past two days («۱۳۷ روز پیش منقضی شده», not
«۳۳۰۷ ساعت …») and in hours under them («۵ ساعت تا انقضا»)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from declarations import permits
from declarations.models import TrafficPermit
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


def _permit(no, bazargan, tehran, *, issued_hours_ago, allowed_hours):
    return TrafficPermit.objects.create(
        permit_no=no,
        vehicle=VehicleFactory(),
        entry_office=bazargan,
        exit_office=tehran,
        allowed_hours=allowed_hours,
        issued_at=timezone.now() - dt.timedelta(hours=issued_hours_ago, minutes=30),
    )


def test_validity_counts_days_past_two_days_only():
    assert permits.Validity("expired", hours_over=3307).days_over == 137
    assert permits.Validity("expired", hours_over=47).days_over is None
    assert permits.Validity("valid", hours_left=100).days_left == 4
    assert permits.Validity("expiring", hours_left=5).days_left is None


def test_the_list_shows_days_for_long_ago_and_far_ahead_and_hours_when_near(client, hq, bazargan, tehran):
    _permit("TP-OLD", bazargan, tehran, issued_hours_ago=3307 + 96, allowed_hours=96)
    _permit("TP-FAR", bazargan, tehran, issued_hours_ago=1, allowed_hours=24 * 10)
    _permit("TP-NEAR", bazargan, tehran, issued_hours_ago=91, allowed_hours=96)
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.get(reverse("declarations:permits")).content.decode()
    assert "۱۳۷ روز پیش منقضی شده" in html
    assert "ساعت پیش منقضی" not in html
    assert "معتبر، ۹ روز باقی‌مانده" in html
    assert "۴ ساعت و ۲۹ دقیقه تا انقضا" in html  # 4 h 30 min less the moment the page took


def test_a_remaining_time_is_never_rounded_up(client, hq, bazargan, tehran):
    """6 h 13 min left read «۷ ساعت تا انقضا»: the hours are counted whole, the minutes said beside them."""
    permit = _permit("TP-613", bazargan, tehran, issued_hours_ago=0, allowed_hours=24)
    now = permit.expires_at - dt.timedelta(hours=6, minutes=13, seconds=20)
    shown = permits.validity(permit, now)
    assert (shown.state, shown.hours_left, shown.minutes_left) == ("expiring", 6, 13)
    assert permits.validity(permit, permit.expires_at - dt.timedelta(minutes=40)).hours_left == 0
    TrafficPermit.objects.filter(pk=permit.pk).update(
        issued_at=timezone.now() - dt.timedelta(hours=24) + dt.timedelta(hours=6, minutes=13, seconds=50)
    )
    client.force_login(hq)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    html = client.get(reverse("declarations:permits")).content.decode()
    assert "۶ ساعت و ۱۳ دقیقه تا انقضا" in html and "۷ ساعت" not in html
