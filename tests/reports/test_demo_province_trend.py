"""The demo's inspector opened the trend page to «No returns built yet.»: the demo built the national returns only,
and a province's trend draws from its own. The seed builds the last months' returns for each demo inspector's
province, by that inspector (the last three months), so their trend, and their offices' staff's, draws those months."""

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from reports import demo
from reports.models import MonthlyReturn
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def _note(html: str) -> str:
    return html.split('id="trend-note"', 1)[1].split("</p>", 1)[0]


def test_the_demo_inspectors_trend_has_the_demo_months(client, bazargan, tehran, inspector, origin_clerk):
    now = timezone.now()
    DeclarationFactory(origin=bazargan, destination=tehran, declared_at=now - dt.timedelta(days=70))
    months = demo._trend_months(now)[: demo.PROVINCE_TREND_MONTHS]
    assert len(months) >= 2

    demo.province_returns_demo(rng=np.random.default_rng(1), now=now)

    built = MonthlyReturn.objects.filter(province=inspector.province)
    assert sorted(built.values_list("year", "month")) == sorted(months)
    assert set(built.values_list("built_by", flat=True)) == {inspector.pk}
    for reader in (inspector, origin_clerk):
        client.force_login(reader)
        html = client.get(reverse("reports:trend")).content.decode()
        assert f"{len(months)} months" in _note(html)
