"""No N+1: the home, list and detail pages run the same number of queries for 1 row or many."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.templatetags import ui
from declarations import services
from declarations.paging import PAGE_SIZE
from tests.factories import DeclarationFactory, GoodsFactory, VehicleFactory


def _queries(client, url):
    cache.clear()
    ui._model_choices.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["hq", "inspector", "dest_clerk"])
def test_home_and_list_query_counts_do_not_grow_with_rows(request, client, bazargan, tehran, persona):
    client.force_login(request.getfixturevalue(persona))
    for _ in range(PAGE_SIZE + 1):  # two pages already: the count is a query from the start
        DeclarationFactory(origin=bazargan, destination=tehran)
    home_1, list_1 = _queries(client, reverse("home")), _queries(client, reverse("declarations:list"))
    for i in range(30):
        DeclarationFactory(
            origin=bazargan,
            destination=tehran,
            vehicle=VehicleFactory(),
            status="in_transit",
            deadline=timezone.now() - dt.timedelta(hours=i + 1),
        )
    assert _queries(client, reverse("declarations:list")) == list_1
    assert _queries(client, reverse("home")) == home_1
    assert _queries(client, reverse("declarations:list") + "?signal=overdue") <= list_1


def test_detail_query_count_does_not_grow_with_goods_or_history(client, dest_clerk, origin_clerk, declaration):
    # Same state (arrived: the reason form and its detection are on the page) before and after.
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now() - dt.timedelta(hours=2))
    services.declaration_confirm_arrival(declaration=declaration, by=dest_clerk)
    client.force_login(dest_clerk)
    url = reverse("declarations:detail", args=[declaration.pk])
    before = _queries(client, url)
    for n in range(10):
        GoodsFactory(declaration=declaration, line_no=100 + n, serials=[f"SN{n:05d}"])
    for reason in ("duplicate_waybill", "document_discrepancy", "seal_discrepancy"):
        services.declaration_record_unsettled(declaration=declaration, by=dest_clerk, reason=reason)
    assert _queries(client, url) <= before


def test_home_panels_are_built_once_per_scope_until_a_declaration_moves(
    client, monkeypatch, inspector, outsider, declaration, origin_clerk, django_capture_on_commit_callbacks
):
    from declarations import hooks

    built = []
    monkeypatch.setattr(hooks, "dashboard_panels", [lambda request, scoped: built.append(request.user.username)])
    client.force_login(inspector)
    client.get(reverse("home"))
    client.get(reverse("home"))
    assert built == ["inspector"]  # the second visit reads the cached panels
    client.force_login(outsider)
    client.get(reverse("home"))
    assert built == ["inspector", "outsider"]  # another province: its own panels
    with django_capture_on_commit_callbacks(execute=True):
        services.declaration_depart(declaration=declaration, by=origin_clerk)  # Bazargan is in the inspector's province
    client.force_login(inspector)
    client.get(reverse("home"))
    assert built == ["inspector", "outsider", "inspector"]
