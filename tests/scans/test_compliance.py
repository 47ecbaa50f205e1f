"""Compliance per office on a hand-built set: origin scans in time, comparisons reviewed."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from declarations.models import Review, Status, TransitDeclaration, Verdict
from scans import panels
from scans.selectors import compliance
from tests.factories import DeclarationFactory, OfficeFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
START = dt.datetime(2025, 1, 1, tzinfo=UTC)
END = dt.datetime(2025, 2, 1, tzinfo=UTC)
IN = dt.datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def departed(origin, destination, at, scan_after_h=None, **kw):
    return DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.IN_TRANSIT,
        departed_at=at,
        origin_scan_at=None if scan_after_h is None else at + dt.timedelta(hours=scan_after_h),
        **kw,
    )


def arrived(origin, destination, at, verdict="", review=""):
    return DeclarationFactory(
        origin=origin,
        destination=destination,
        status=Status.ARRIVED,
        departed_at=at - dt.timedelta(days=2),
        arrived_at=at,
        comparison_verdict=verdict,
        comparison_review=review,
    )


@pytest.fixture
def hand_built(bazargan, tehran, sarakhs):
    no_scanner = OfficeFactory(code="NOS", has_scanner=False, province=bazargan.province)
    departed(bazargan, tehran, IN, scan_after_h=1)  # in time
    departed(bazargan, tehran, IN, scan_after_h=-0.5)  # scanned at the gate before leaving: in time
    departed(bazargan, tehran, IN, scan_after_h=4)  # exactly at the limit: in time
    departed(bazargan, tehran, IN, scan_after_h=10)  # late
    departed(bazargan, tehran, IN)  # never scanned
    departed(bazargan, tehran, START - dt.timedelta(hours=1), scan_after_h=1)  # before the period
    departed(bazargan, tehran, END, scan_after_h=1)  # end is exclusive
    departed(no_scanner, tehran, IN)  # an office without a scanner is not counted
    # Arrivals come from Sarakhs (they departed two days before arriving, all inside the period).
    arrived(sarakhs, tehran, IN, Verdict.CONSISTENT, Review.ACCEPTED)
    arrived(sarakhs, tehran, IN, Verdict.SUSPICIOUS, Review.ESCALATED)
    arrived(sarakhs, tehran, IN, Verdict.SUSPICIOUS, Review.PENDING)
    arrived(sarakhs, tehran, IN)  # no comparison at all
    arrived(sarakhs, tehran, END + dt.timedelta(days=1), Verdict.CONSISTENT, Review.ACCEPTED)  # after
    arrived(sarakhs, bazargan, IN, Verdict.CONSISTENT, Review.ACCEPTED)  # BZG as destination
    return no_scanner


def test_it_counts_per_office(settings, hand_built, bazargan, tehran, sarakhs):
    settings.SIGNAL_ORIGIN_SCAN_HOURS = 4
    figures = compliance(TransitDeclaration.objects.all(), START, END)
    bzg = figures[bazargan.pk]
    assert (bzg["departed"], bzg["origin_scanned"], bzg["origin_scanned_in_time"]) == (5, 4, 3)
    assert bzg["origin_scan_share"] == pytest.approx(3 / 5)
    assert (bzg["arrived"], bzg["reviewed"], bzg["review_share"]) == (1, 1, 1.0)
    thr = figures[tehran.pk]
    assert (thr["departed"], thr["origin_scan_share"]) == (0, None)
    assert (thr["arrived"], thr["compared"], thr["reviewed"]) == (4, 3, 2)
    assert thr["review_share"] == 0.5 and thr["office_code"] == "THR"
    assert hand_built.pk not in figures
    assert (figures[sarakhs.pk]["departed"], figures[sarakhs.pk]["origin_scanned"]) == (6, 0)


def test_the_window_is_a_parameter(hand_built, bazargan):
    figures = compliance(TransitDeclaration.objects.all(), START, END, within_hours=12)
    assert figures[bazargan.pk]["origin_scanned_in_time"] == 4


def test_it_respects_the_queryset_it_is_given(hand_built, bazargan, tehran, outsider, inspector):
    assert compliance(TransitDeclaration.objects.for_user(outsider).filter(origin=bazargan), START, END) == {}
    scoped = compliance(TransitDeclaration.objects.for_user(inspector), START, END)
    assert scoped[bazargan.pk]["departed"] == 5


def test_it_runs_two_queries(hand_built, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # origin side, destination side, office names
        compliance(TransitDeclaration.objects.all(), START, END)


@pytest.mark.persian
def test_the_dashboard_panel_lists_the_offices_in_scope(hand_built, dest_clerk, monkeypatch):
    monkeypatch.setattr(panels.timezone, "now", lambda: IN + dt.timedelta(days=5))
    request = RequestFactory().get("/")
    request.user = dest_clerk
    panel = panels.compliance_panel(request, TransitDeclaration.objects.for_user(dest_clerk))
    codes = [row["office_code"] for row in panel.context["compliance_rows"]]
    assert codes == ["THR"]  # Sarakhs is the other end of these declarations, not the clerk's office
    html = render_to_string(panel.template, panel.context)
    assert "گمرک تهران" in html and "۵۰" in html  # 2 of 4 reviewed = 50%, Persian digits


def test_the_panel_figures_are_cached(hand_built, dest_clerk, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(panels.timezone, "now", lambda: IN + dt.timedelta(days=5))
    request = RequestFactory().get("/")
    request.user = dest_clerk
    scoped = TransitDeclaration.objects.for_user(dest_clerk)
    first = panels.compliance_panel(request, scoped)
    with django_assert_num_queries(1):  # the office filter for a non-national user; no COUNT
        again = panels.compliance_panel(request, scoped)
    assert again.context == first.context


def test_only_what_passed_since_the_scanner_went_into_service_is_counted(bazargan, tehran):
    """As the origin-scan-missing signal: departures and arrivals before the office's scanner went into
    service could not have been scanned, so they are not in its share either."""
    since = IN - dt.timedelta(days=1)
    bazargan.scanner_since = since
    bazargan.save(update_fields=["scanner_since"])
    tehran.scanner_since = since
    tehran.save(update_fields=["scanner_since"])
    departed(bazargan, tehran, since - dt.timedelta(days=3))  # before the scanner: not counted
    departed(bazargan, tehran, IN, scan_after_h=1)
    arrived(bazargan, tehran, since - dt.timedelta(hours=5))  # before the scanner: not counted
    arrived(bazargan, tehran, IN, Verdict.CONSISTENT, Review.ACCEPTED)
    rows = compliance(TransitDeclaration.objects.all(), START, END)
    assert rows[bazargan.pk]["departed"] == 1 and rows[bazargan.pk]["origin_scanned_in_time"] == 1
    assert rows[tehran.pk]["arrived"] == 1 and rows[tehran.pk]["reviewed"] == 1


@pytest.mark.persian
def test_the_panel_names_the_watched_offices_without_a_scanner(hand_built, bazargan, inspector, dest_clerk, khorasan):
    hand_built.name_fa = "گمرک بی‌اسکنر"
    hand_built.save(update_fields=["name_fa"])
    quiet = OfficeFactory(code="URM", name_fa="گمرک ارومیه", has_scanner=False, province=bazargan.province)
    OfficeFactory(code="FAR", name_fa="گمرک دوردست", has_scanner=False, province=khorasan)  # another province
    request = RequestFactory().get("/")
    request.user = inspector
    panel = panels.compliance_panel(request, TransitDeclaration.objects.for_user(inspector))
    html = render_to_string(panel.template, panel.context)
    line = html.split("data-offices-without-scanner>", 1)[1].split("</p>", 1)[0]
    assert line.startswith("بدون دستگاه اسکن:")
    assert "گمرک بی‌اسکنر</span>، <span" in line and quiet.name_fa in line
    assert "گمرک دوردست" not in line and "گمرک بازرگان" not in line

    # the destination's clerk watches one office, which has a scanner: no such line
    request.user = dest_clerk
    panel = panels.compliance_panel(request, TransitDeclaration.objects.for_user(dest_clerk))
    assert "data-offices-without-scanner" not in render_to_string(panel.template, panel.context)
