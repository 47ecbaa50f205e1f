"""On a phone (390 px) a report page does not scroll sideways: each table wider than a label and a figure sits in
the app's scrolling box (``.table-wrap``, static/css/app.css), which scrolls on its own."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from core.dates import jalali_month_bounds, jalali_month_of, previous_jalali_month
from declarations import services as declaration_services
from declarations.models import Status
from reports import services
from tests.factories import DeclarationFactory

pytestmark = pytest.mark.django_db


class _Tables(HTMLParser):
    """Each table of a page: its id, its widest row's cell count, whether a ``.table-wrap`` holds it."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # open tags, and whether each is a scrolling box
        self.tables: list[dict] = []
        self.open: list[dict] = []
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "meta", "link", "hr", "col"):
            return
        attrs = dict(attrs)
        self.stack.append((tag, "table-wrap" in (attrs.get("class") or "").split()))
        if tag == "table":
            table = {"id": attrs.get("id", ""), "columns": 0, "wrapped": any(box for _t, box in self.stack[:-1])}
            self.tables.append(table)
            self.open.append(table)
        elif tag == "tr":
            self.cells = 0
        elif tag in ("td", "th") and self.open:
            self.cells += 1
            self.open[-1]["columns"] = max(self.open[-1]["columns"], self.cells)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if tag == "table" and self.open:
            self.open.pop()


def _wide_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return [t for t in parser.tables if t["columns"] > 2]


def test_the_return_pages_wide_tables_scroll_in_their_own_box(client, hq, bazargan, tehran, west_az):
    year, month = previous_jalali_month(*jalali_month_of(timezone.now()))
    start = jalali_month_bounds(year, month)[0]
    arrived = DeclarationFactory(
        origin=bazargan,
        destination=tehran,
        declared_at=start + dt.timedelta(days=1),
        departed_at=start + dt.timedelta(days=1, hours=2),
        arrived_at=start + dt.timedelta(days=3),
        status=Status.ARRIVED,
    )
    snap = services.return_submit(
        monthly_return=services.return_build(year=year, month=month, province=None, by=hq), by=hq
    )
    declaration_services.declaration_settle(declaration=arrived, by=None, at=start + dt.timedelta(days=19))
    client.force_login(hq)
    html = client.get(f"/reports/returns/{snap.pk}/").content.decode()
    wide = _wide_tables(html)
    assert {t["id"] for t in wide} >= {"provinces", "case-milestones", "late-changes-list"}  # 7, 6 and 5 columns
    assert [t["id"] for t in wide if not t["wrapped"]] == []
    assert [t for t in _wide_tables(client.get("/reports/").content.decode()) if not t["wrapped"]] == []


def test_the_inspection_pages_tables_scroll_in_their_own_box(client, inspector, bazargan):
    client.force_login(inspector)
    html = client.get("/reports/inspections/").content.decode()
    wide = _wide_tables(html)
    assert {t["id"] for t in wide} >= {"schedule", "inspections"}
    assert [t["id"] for t in wide if not t["wrapped"]] == []
