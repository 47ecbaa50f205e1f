"""A task sent through the real Redis broker is run by a real worker process."""

import pytest

from declarations import tasks
from declarations.models import TransitDeclaration
from tests.factories import DeclarationFactory


def test_it_refreshes_flags_in_process(declaration, bazargan, tehran):
    twin = DeclarationFactory(origin=bazargan, destination=tehran, waybill_no=declaration.waybill_no)
    tasks.refresh_flags.delay([declaration.pk, twin.pk])
    assert TransitDeclaration.objects.filter(dup_waybill=True).count() == 2


@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_refreshes_flags_through_redis(celery_worker_process, bazargan, tehran):
    first = DeclarationFactory(origin=bazargan, destination=tehran, waybill_no="WB-SHARED")
    twin = DeclarationFactory(origin=bazargan, destination=tehran, waybill_no="WB-SHARED")
    result = tasks.refresh_flags.delay([first.pk, twin.pk])
    assert result.get(timeout=60) == 2
    assert set(TransitDeclaration.objects.filter(dup_waybill=True).values_list("pk", flat=True)) == {first.pk, twin.pk}
