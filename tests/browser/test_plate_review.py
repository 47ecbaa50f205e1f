"""The page where a person reads a plate from the photo, on a phone (390 px wide)."""

import datetime as dt

import pytest
from django.utils import timezone

from anpr import ingest, review, services, sightings
from anpr.models import PlateRead, Recognition
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

# The widths (px) of the error box at which the plate in it, between its isolates, is laid out on more than
# one line (a page script, run through the DevTools protocol: no eval in the page).
PLATE_LINES_JS = """() => {
  const box = document.querySelector("[data-plate-form] .alert-danger");
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  let node = null, start = -1, end = -1;
  while (walker.nextNode()) {
    start = walker.currentNode.data.indexOf("\\u2067");
    if (start >= 0) { node = walker.currentNode; end = node.data.indexOf("\\u2069", start); break; }
  }
  if (!node) return null;
  const range = document.createRange();
  range.setStart(node, start); range.setEnd(node, end + 1);
  const broken = [];
  for (let width = 120; width <= box.parentElement.clientWidth; width += 2) {
    box.style.width = width + "px";
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    if (tops.size > 1) broken.push(width);
  }
  box.style.width = "";
  return broken;
}"""


def test_the_second_reviewers_message_never_breaks_the_plate_on_a_phone(
    live_server, new_page, tehran, dest_clerk, hq, tmp_path
):
    camera, _token = services.camera_register(office=tehran, code="THR-CAM-01", direction="in")
    at = timezone.now() - dt.timedelta(hours=1)
    (item,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34567")])
    PlateRead.objects.filter(pk=item.id).update(recognition=Recognition.MANUAL)
    sightings.reads_match(read_ids=[item.id])
    read = PlateRead.objects.get(pk=item.id)

    page = new_page(390, 844)
    login(page, live_server, "dest_clerk")
    page.goto(f"{live_server.url}/anpr/reads/{read.pk}/review/")
    review.read_label(read=read, by=hq, plate="45ج71248")  # the first reviewer saves meanwhile
    page.fill("#id_two", "۱۲")
    page.select_option("#id_letter", "ب")
    page.fill("#id_three", "۳۴۵")
    page.fill("#id_province", "۶۷")
    page.click("[data-plate-form] button[type=submit]")
    alert = page.locator("[data-plate-form] .alert-danger")
    alert.wait_for()
    assert "۴۵ ج ۷۱۲ - ایران ۴۸" in alert.inner_text().replace("\u00a0", " ").replace("\u2060", "")
    page.screenshot(path=str(tmp_path / "conflict-390.png"), full_page=True)
    assert page.evaluate(PLATE_LINES_JS) == []


def test_choosing_a_foreign_plate_opens_its_section_at_the_country_box(live_server, new_page, tehran, dest_clerk):
    camera, _token = services.camera_register(office=tehran, code="THR-CAM-01", direction="in")
    at = timezone.now() - dt.timedelta(hours=1)
    (item,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34567")])
    sightings.reads_match(read_ids=[item.id])

    page = new_page()
    login(page, live_server, "dest_clerk")
    page.goto(f"{live_server.url}/anpr/reads/{item.id}/review/")
    section = page.locator('details[data-opens-for="foreign"]')
    assert section.get_attribute("open") is None
    page.check('input[name=kind][value="foreign"]')
    page.wait_for_function("() => document.querySelector('details[data-opens-for=\"foreign\"]').open")
    assert page.evaluate("() => document.activeElement.id") == "id_foreign_country"
    page.check('input[name=kind][value="IR"]')  # an Iranian kind leaves it as it is
    assert section.get_attribute("open") is not None


def test_a_part_typed_wrong_still_shows_what_was_typed_in_its_box(live_server, new_page, tehran, dest_clerk):
    """The red frame of a refused part took the room of Bootstrap's error icon, so «ab» in the narrow two-digit
    box showed as «ıb»: the whole of what was typed stays visible beside its error."""
    camera, _token = services.camera_register(office=tehran, code="THR-CAM-01", direction="in")
    at = timezone.now() - dt.timedelta(hours=1)
    (item,) = ingest.reads_ingest(camera=camera, items=[ingest.ReadInput(captured_at=at, plate_raw="12ب34567")])
    sightings.reads_match(read_ids=[item.id])

    page = new_page()
    login(page, live_server, "dest_clerk")
    page.goto(f"{live_server.url}/anpr/reads/{item.id}/review/")
    page.fill("#id_two", "ab")
    page.select_option("#id_letter", "ج")
    page.fill("#id_three", "abc")
    page.fill("#id_province", "ab")
    page.click("[data-plate-form] button[type=submit]")
    page.locator("#id_two.is-invalid").wait_for()
    for box in ("#id_two", "#id_three", "#id_province"):
        assert page.input_value(box) in {"ab", "abc"}
        # the text's width fits inside the box's content area: nothing hidden under the padding
        assert page.evaluate(
            f"() => {{ const e = document.querySelector('{box}'); return e.scrollWidth <= e.clientWidth; }}"
        ), box
