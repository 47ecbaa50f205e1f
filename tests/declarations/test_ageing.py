"""Overdue declarations by days past their deadline: the dashboard's buckets, the list's age
filter, "most overdue first" and the reason filter."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from declarations.models import Status, UnsettledReason
from tests.factories import DeclarationFactory

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def overdue(bazargan, tehran):
    """In transit, past the deadline by 3 days, 7 days 23 h (still the first bucket), 8 days,
    30 days and 50 days; plus one not yet due and one settled long after its deadline."""
    now = timezone.now()

    def make(serial, past, status=Status.IN_TRANSIT, **kw):
        return DeclarationFactory(
            serial=serial,
            origin=bazargan,
            destination=tehran,
            status=status,
            departed_at=now - past - 5 * DAY,
            deadline=now - past,
            **kw,
        )

    return {
        "d3": make("A-3", 3 * DAY),
        "d7": make("A-7", 8 * DAY - dt.timedelta(hours=1)),
        "d8": make("A-8", 8 * DAY + dt.timedelta(minutes=5)),
        "d30": make("A-30", 30 * DAY),
        "d50": make("A-50", 50 * DAY),
        "not_due": make("A-ND", -2 * DAY),
        "settled": make("A-S", 60 * DAY, status=Status.SETTLED, settled_at=now),
    }


def _bucket_counts(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(r'data-age="(\w+)"[^>]*>[^<]*<strong data-count="(\d+)"', html)}


def _serials(html: str) -> list[str]:
    return re.findall(r'<tr data-serial="([^"]+)"', html)


def test_the_dashboard_counts_overdue_declarations_by_days_past_the_deadline(client, inspector, overdue):
    client.force_login(inspector)
    html = client.get(reverse("home")).content.decode()
    # 3 days and 7 days 23 hours are both "0–7"; 8 days is the next bucket; settled and not-due rows are not overdue.
    assert _bucket_counts(html) == {"d0_7": 2, "d8_28": 1, "d29_40": 1, "over_40": 1}
    assert f"{reverse('declarations:list')}?age=d8_28&amp;sort=deadline" in html


def test_a_bucket_of_the_dashboard_opens_the_list_of_its_declarations(client, inspector, overdue):
    client.force_login(inspector)
    html = client.get(reverse("declarations:list"), {"age": "d0_7", "sort": "deadline"}).content.decode()
    assert _serials(html) == ["A-7", "A-3"]  # the one further past its deadline first
    html = client.get(reverse("declarations:list"), {"age": "over_40"}).content.decode()
    assert _serials(html) == ["A-50"]


def test_most_overdue_first_lists_only_overdue_declarations_longest_first(client, hq, overdue):
    client.force_login(hq)
    html = client.get(reverse("declarations:list"), {"sort": "deadline"}).content.decode()
    assert _serials(html) == ["A-50", "A-30", "A-8", "A-7", "A-3"]


def test_most_overdue_first_pages_by_the_deadline(client, hq, bazargan, tehran):
    now = timezone.now()
    for i in range(30):
        DeclarationFactory(
            serial=f"P-{i:02d}",
            origin=bazargan,
            destination=tehran,
            status=Status.IN_TRANSIT,
            deadline=now - (i + 1) * DAY,
        )
    client.force_login(hq)
    first = client.get(reverse("declarations:list"), {"sort": "deadline"}).content.decode()
    assert _serials(first)[:3] == ["P-29", "P-28", "P-27"]
    after = re.search(r"after=([\w-]+)", first).group(1)
    rest = client.get(reverse("declarations:list"), {"sort": "deadline", "after": after}).content.decode()
    assert _serials(rest) == [f"P-{i:02d}" for i in range(4, -1, -1)]


def test_the_list_filters_by_the_recorded_reason(client, hq, bazargan, tehran):
    """The reason a declaration is unsettled now: one settled since keeps its reason as history, not in this list."""
    first, second = UnsettledReason.values[0], UnsettledReason.values[1]
    unsettled = {"origin": bazargan, "destination": tehran, "status": Status.UNSETTLED}
    DeclarationFactory(serial="R-1", unsettled_reason=first, **unsettled)
    DeclarationFactory(serial="R-2", unsettled_reason=second, **unsettled)
    DeclarationFactory(serial="R-3", unsettled_reason=second, **{**unsettled, "status": Status.SETTLED})
    client.force_login(hq)
    html = client.get(reverse("declarations:list"), {"reason": second}).content.decode()
    assert _serials(html) == ["R-2"]
    bad = client.get(reverse("declarations:list"), {"reason": "foo_bar"})
    assert bad.status_code == 400


def test_an_unknown_age_bucket_is_refused_beside_its_field(client, hq):
    client.force_login(hq)
    response = client.get(reverse("declarations:list"), {"age": "d1000"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
