"""Each figure of the dashboard's scan compliance panel opens the declaration list of exactly the
declarations it counts: same scope, same window (the list's ``?compliance=`` filter)."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.utils import timezone

from declarations import evidence
from declarations import services as declaration_services
from declarations.models import Review, Verdict
from scans import services
from scans.models import ScanComparison, Stage
from tests.factories import DeclarationFactory, OfficeFactory, UserFactory
from tests.scans import images
from tests.scans.conftest import upload

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<a href="([^"]+)" data-figure="(\w+)"[^>]*>([\d,]+)</a>')


def _trip(origin, destination, by_origin, by_dest, *, departed_days_ago, scan_after_h=None, arrive=False):
    """A declaration departed (and scanned, and arrived) through the services, at the times given."""
    departed_at = timezone.now() - dt.timedelta(days=departed_days_ago)
    declaration = DeclarationFactory(
        origin=origin, destination=destination, declared_at=departed_at - dt.timedelta(hours=2)
    )
    declaration_services.declaration_depart(declaration=declaration, by=by_origin, at=departed_at)
    declaration.refresh_from_db()
    if scan_after_h is not None:
        upload(declaration, Stage.ORIGIN, by_origin, at=departed_at + dt.timedelta(hours=scan_after_h))
    if arrive:
        declaration_services.declaration_confirm_arrival(
            declaration=declaration, by=by_dest, at=departed_at + dt.timedelta(days=1), unseen_reason="camera off"
        )
        declaration.refresh_from_db()
    return declaration


def _finish(comparison: ScanComparison, verdict: str) -> None:
    """The comparison's result as the worker leaves it (the algorithm itself is tested elsewhere)."""
    comparison.status = ScanComparison.Status.DONE
    comparison.verdict = verdict
    comparison.review = Review.PENDING
    comparison.finished_at = timezone.now()
    comparison.save()
    evidence.note_comparison(declaration_id=comparison.declaration_id, verdict=verdict)


@pytest.fixture
def urmia(west_az):
    return OfficeFactory(code="URM", name_fa="گمرک ارومیه", name_en="Urmia", province=west_az)


@pytest.fixture
def journeys(bazargan, urmia, tehran, origin_clerk):
    """From Bazargan to Urmia (both in West Azerbaijan): scanned in time and reviewed; scanned late, its
    comparison awaiting review; never scanned, arrived; scanned in time, still on the road; departed 40 days
    ago (outside the window). One to Tehran, scanned late (Bazargan's departure; Tehran's arrival is not
    West Azerbaijan's)."""
    urmia_clerk = UserFactory(role=origin_clerk.role, office=urmia)
    thr_clerk = UserFactory(role=origin_clerk.role, office=tehran)
    reviewed = _trip(bazargan, urmia, origin_clerk, urmia_clerk, departed_days_ago=10, scan_after_h=1, arrive=True)
    late = _trip(bazargan, urmia, origin_clerk, urmia_clerk, departed_days_ago=9, scan_after_h=10, arrive=True)
    _trip(bazargan, urmia, origin_clerk, urmia_clerk, departed_days_ago=8, arrive=True)
    _trip(bazargan, urmia, origin_clerk, urmia_clerk, departed_days_ago=3, scan_after_h=2)
    _trip(bazargan, urmia, origin_clerk, urmia_clerk, departed_days_ago=40, scan_after_h=1, arrive=True)
    _trip(bazargan, tehran, origin_clerk, thr_clerk, departed_days_ago=5, scan_after_h=30, arrive=True)
    for declaration, seed in ((reviewed, 2), (late, 3)):
        upload(declaration, Stage.DESTINATION, urmia_clerk, images.png(seed=seed))
    _finish(ScanComparison.objects.get(declaration=reviewed), Verdict.CONSISTENT)
    _finish(ScanComparison.objects.get(declaration=late), Verdict.SUSPICIOUS)
    services.comparison_review(
        comparison=ScanComparison.objects.get(declaration=reviewed),
        by=urmia_clerk,
        decision="accept",
        remark="همان تصویر، بار دیده شد",
    )


def _figures(client) -> dict[tuple[str, str], tuple[int, str]]:
    page = client.get("/").content.decode()
    panel = page[page.index('data-panel="scan-compliance"') :].split("</section>", 1)[0]
    figures = {}
    for row in re.findall(r'<tr data-office="(\w+)">(.*?)</tr>', panel, re.S):
        office, cells = row
        for href, figure, number in FIGURE.findall(cells):
            figures[(office, figure)] = (int(number.replace(",", "")), html_lib.unescape(href))
    return figures


def _listed(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, response.content.decode()[:2000]
    return int(re.search(r'data-count="(\d+)"', response.content.decode()).group(1))


@pytest.mark.parametrize("who", ["inspector", "hq"])
def test_each_figure_opens_the_list_of_as_many_declarations(client, request, journeys, who, settings):
    settings.SIGNAL_ORIGIN_SCAN_HOURS = 4
    client.force_login(request.getfixturevalue(who))
    figures = _figures(client)
    expected = {
        ("BZG", "departed"): 5,  # the one 40 days ago is outside the window
        ("BZG", "origin_scanned_in_time"): 2,
        ("BZG", "origin_not_in_time"): 3,  # scanned 10 h and 30 h after departure, and never
        ("URM", "arrived"): 3,
        ("URM", "reviewed"): 1,
        ("URM", "not_reviewed"): 2,  # awaiting review, and no scan at all
    }
    assert {key: figures[key][0] for key in expected} == expected
    if who == "inspector":  # Tehran is not West Azerbaijan's
        assert "THR" not in {office for office, _figure in figures}
    else:
        assert figures[("THR", "arrived")][0] == 1 and figures[("THR", "not_reviewed")][0] == 1
    assert len(figures) >= 8  # every figure of every row is a link ("—" where there is nothing to count)
    for (office, figure), (number, href) in figures.items():
        assert _listed(client, href) == number, (office, figure, href)


def test_a_figure_links_to_its_office_side_and_window(client, hq, journeys):
    client.force_login(hq)
    figures = _figures(client)
    departed, arrived = figures[("BZG", "departed")][1], figures[("URM", "not_reviewed")][1]
    assert "origin=BZG" in departed and "compliance=departed" in departed and "window_from=" in departed
    assert "destination=URM" in arrived and "compliance=not_reviewed" in arrived and "window_to=" in arrived
