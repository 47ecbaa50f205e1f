"""Headquarters looks a monthly return up in the audit trail by the number printed on it
(``/reports/audit/?object=WAZ-1404-05-v1``): it answered «رکوردی یافت نشد» though the return was built and
submitted, because the search matched only a declaration's serial or the rows' text."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from reports import services
from reports.audit import entries_for
from reports.models import MonthlyReturn

pytestmark = pytest.mark.django_db


def test_a_returns_number_brings_its_entries_and_no_others(inspector, hq, west_az):
    first = services.return_build(year=1404, month=5, province=west_az, by=inspector)
    services.return_submit(monthly_return=first, by=inspector)
    other = services.return_build(year=1404, month=4, province=west_az, by=inspector)
    kind = ContentType.objects.get_for_model(MonthlyReturn)

    for typed in (f"{west_az.code}-1404-05-v1", f"{west_az.code.lower()}-۱۴۰۴-۰۵-v۱"):
        found = list(entries_for(hq, {"object": typed}))
        assert found, typed
        assert {(e.content_type_id, e.object_pk) for e in found} == {(kind.pk, str(first.pk))}
    assert str(other.pk) not in {e.object_pk for e in entries_for(hq, {"object": f"{west_az.code}-1404-05-v1"})}
    assert list(entries_for(hq, {"object": f"{west_az.code}-1404-05-v9"})) == []
