"""The notification list in pages: every notification reachable, the real total shown, the filters kept."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

PER_PAGE = 30


@pytest.fixture
def many(inspector):
    """Five more export notices than a page (one of them done), and a return notice the kind filter leaves out."""
    rows = [
        Notification(user=inspector, kind=Kind.EXPORT_READY, title=f"export number {i:03d}", url="/exports/")
        for i in range(PER_PAGE + 5)
    ]
    rows[0].done_at = timezone.now()
    rows.append(Notification(user=inspector, kind=Kind.RETURN_BUILT, title="return", url="/reports/"))
    return Notification.objects.bulk_create(rows)


def test_every_notification_of_the_filter_is_on_one_of_its_pages_with_the_real_total(client, inspector, many):
    wanted = {n.pk for n in many if n.kind == Kind.EXPORT_READY}
    client.force_login(inspector)
    query = {"show": "all", "kind": Kind.EXPORT_READY}
    first = client.get(reverse("notifications:list"), query).content.decode()
    assert re.search(r'data-total="(\d+)"', first).group(1) == str(PER_PAGE + 5)
    assert "show=all&amp;kind=export_ready&amp;page=2" in first
    second = client.get(reverse("notifications:list"), {**query, "page": 2}).content.decode()
    on_first = {int(pk) for pk in re.findall(r'data-notification="(\d+)"', first)}
    on_second = {int(pk) for pk in re.findall(r'data-notification="(\d+)"', second)}
    assert len(on_first) == PER_PAGE and len(on_second) == 5
    assert on_first | on_second == wanted  # the done one too (show=all), not the return notice


@pytest.mark.persian
def test_the_pages_are_numbered_in_persian(client, inspector, many):
    client.force_login(inspector)
    page = client.get(reverse("notifications:list"), {"show": "all", "page": 2}).content.decode()
    assert "صفحهٔ ۲ از ۲" in page and ">۱</a>" in page and "۳۶ مورد در مجموع" in page
