"""Right after a declaration is registered by hand, the page's «Status from» named the declared time
(08:00) as the time of its status, not when it was registered (09:56): it names when it was recorded."""

import datetime as dt

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone

from core.dates import TEHRAN
from declarations.models import TransitDeclaration
from tests.declarations.test_register import URL, _form

pytestmark = pytest.mark.django_db


def test_the_status_is_dated_when_it_was_registered(client, origin_clerk, bazargan, tehran):
    declared = (timezone.now() - dt.timedelta(hours=2)).astimezone(TEHRAN)
    typed = jdatetime.datetime.fromgregorian(datetime=declared).strftime("%Y/%m/%d %H:%M")
    client.force_login(origin_clerk)
    before = timezone.now()
    response = client.post(URL, _form(bazargan, tehran, declared_at=typed))
    assert response.status_code == 302
    d = TransitDeclaration.objects.get(serial="HAND-0001")
    assert before <= d.status_changed_at <= timezone.now()
    page = client.get(reverse("declarations:detail", args=[d.pk])).content.decode()
    status_from = page.split("Status from", 1)[1].split("</dd>", 1)[0]
    assert d.status_changed_at.astimezone(TEHRAN).strftime("%H:%M") in status_from
    assert declared.strftime("%H:%M") not in status_from


def test_the_status_time_reads_date_then_time_on_an_english_page(client, inspector, declaration):
    """«Status from: demo data — 09:35 1405/08/15»: after a source in Persian the time jumped before the date;
    the date and time are isolated left to right on an English page, right to left on a Persian one."""
    at = dt.datetime(2026, 11, 6, 6, 5, tzinfo=dt.UTC)  # 1405/08/15 09:35 in Tehran
    TransitDeclaration.objects.filter(pk=declaration.pk).update(status_changed_at=at, status_source_ref="بارگذاری دستی")
    client.cookies["django_language"] = "en"
    client.force_login(inspector)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    status_from = page.split("Status from", 1)[1].split("</dd>", 1)[0]
    assert '<bdi dir="ltr">1405/08/15 09:35</bdi>' in status_from
    client.cookies["django_language"] = "fa"
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert '<bdi dir="rtl">۱۴۰۵/۰۸/۱۵ ۰۹:۳۵</bdi>' in page
