"""Identifiers inside right-to-left pages keep their order on screen (issue 11, item 20).

innerText gives the logical order of the characters, which is right even when the screen shows
``BZG-00010056-1404``: the order a reader sees is measured instead, by where the browser lays
out the serial's first and last parts (``Range.getBoundingClientRect``).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework import services as casework
from declarations.models import Status
from reports import services as report_services
from scans import services as scan_services
from scans.models import ScanComparison, Stage
from tests.browser.conftest import login
from tests.factories import DeclarationFactory, VehicleFactory
from tests.scans import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

SERIAL = "1404-BZG-00010056"

# For every text node under the selector holding the serial: is its year (first part) laid out
# left of its number (last part)? (A page script, run through the DevTools protocol: no eval in the page.)
ORDER_JS = """([selector, serial]) => {
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, at = node.data.indexOf(serial);
      if (at < 0) continue;
      const part = (start, end) => {
        const r = document.createRange();
        r.setStart(node, start); r.setEnd(node, end);
        return r.getBoundingClientRect();
      };
      const first = part(at, at + 4), last = part(at + serial.length - 8, at + serial.length);
      out.push(first.left < last.left);
    }
  }
  return out;
}"""


def serial_in_order(page, selector) -> str:
    """ "" when every copy of the serial under ``selector`` reads in order, else what is wrong."""
    found = page.evaluate(ORDER_JS, [selector, SERIAL])
    if not found:
        return "not found (other digits?)"
    return "" if all(found) else "reversed"


@pytest.fixture
def story(bazargan, tehran, origin_clerk, dest_clerk, it_officer):
    now = timezone.now()
    d = DeclarationFactory(
        serial=SERIAL,
        origin=bazargan,
        destination=tehran,
        vehicle=VehicleFactory(plate="36ت56358"),
        status=Status.IN_TRANSIT,
        departed_at=now - dt.timedelta(days=20),
        deadline=now - dt.timedelta(days=10),
    )
    letter = casework.letter_draft(declaration=d, by=origin_clerk)
    casework.letter_send(letter=letter, by=origin_clerk)
    case = casework.case_open(
        declaration=d,
        by=origin_clerk,
        file_number="9/1405",
        authority="دادگاه انقلاب",
        opened_on=timezone.localdate(),
        cif_value=Decimal("1000"),
        exchange_rate=Decimal("820000"),
    )
    problem = report_services.problem_report(
        by=origin_clerk,
        system="ics",
        symptom="arrivals_not_visible",
        office=bazargan,
        since=now - dt.timedelta(hours=5),
        description="وصول‌ها دیده نمی‌شوند",
        declarations=[d],
    )
    (origin_scan,) = scan_services.scan_upload(
        declaration=d,
        stage=Stage.ORIGIN,
        scanner_id="NUC-7",
        captured_at=now - dt.timedelta(days=19),
        files=[SimpleUploadedFile("o.png", images.png())],
        by=origin_clerk,
    )
    (dest_scan,) = scan_services.scan_upload(
        declaration=d,
        stage=Stage.DESTINATION,
        scanner_id="NUC-8",
        captured_at=now - dt.timedelta(hours=2),
        files=[SimpleUploadedFile("d.png", images.png(seed=2))],
        by=dest_clerk,
    )
    comparison = ScanComparison.objects.get(origin_scan=origin_scan, dest_scan=dest_scan)
    ScanComparison.objects.filter(pk=comparison.pk).update(status=ScanComparison.Status.DONE)
    return {"declaration": d, "letter": letter, "case": case, "problem": problem, "comparison": comparison}


def test_serials_keep_their_order_on_every_page(live_server, new_page, story, hq):
    d = story["declaration"]
    page = new_page()
    login(page, live_server, "hq")
    base = live_server.url
    pages = [
        (f"/scans/declaration/{d.pk}/", "main h1"),
        (f"/scans/comparison/{story['comparison'].pk}/", "main h1"),
        (f"/casework/letters/{story['letter'].pk}/", "main dl"),
        (f"/casework/letters/{story['letter'].pk}/", "main h2"),  # the subject
        (f"/casework/letters/{story['letter'].pk}/", "main ol li"),  # the body
        ("/casework/letters/", "main table"),
        (f"/casework/cases/{story['case'].pk}/", "main dl"),
        ("/casework/cases/", "main table"),
        (f"/reports/problems/{story['problem'].pk}/", "main dl"),
        (f"/declarations/{d.pk}/", "main h1"),
        ("/declarations/", "#results table"),
    ]
    wrong = []
    for path, selector in pages:
        page.goto(base + path)
        problem = serial_in_order(page, selector)
        if problem:
            wrong.append(f"{path} {selector}: {problem}")
    assert not wrong, f"serial shown as BZG-00010056-1404 on: {wrong}"


def test_a_plate_in_a_letter_is_in_persian_digits(live_server, new_page, story, hq):
    page = new_page()
    login(page, live_server, "hq")
    page.goto(f"{live_server.url}/casework/letters/{story['letter'].pk}/")
    body = page.locator("main ol").inner_text()
    assert "۳۶ ت ۵۶۳ - ایران ۵۸" in body
    prose = re.sub("\u2066[^\u2069]*\u2069", "", body)  # isolated identifiers (a waybill) keep their digits
    assert "36" not in prose and "58" not in prose


def test_a_serial_typed_into_the_search_box_reads_left_to_right(live_server, new_page, story, hq):
    page = new_page()
    login(page, live_server, "hq")
    page.goto(f"{live_server.url}/declarations/")
    box = page.locator("#id_q")
    box.fill(SERIAL)
    assert box.evaluate("el => el.matches(':dir(ltr)')")
    box.fill("بازرگان")  # Persian text in the same box stays right to left
    assert box.evaluate("el => el.matches(':dir(rtl)')")


def test_the_planned_route_reads_from_origin_to_destination(live_server, new_page, story, hq):
    """In a Persian line the origin stands right of the destination, the arrow pointing to it."""
    page = new_page()
    login(page, live_server, "hq")
    page.goto(f"{live_server.url}/declarations/{story['declaration'].pk}/")
    # The route names its offices (گمرک بازرگان ← گمرک تهران), each isolated.
    places = page.locator("dd bdi", has_text="بازرگان").first, page.locator("dd bdi", has_text="تهران").first
    origin, destination = (p.bounding_box()["x"] for p in places)
    assert origin > destination
