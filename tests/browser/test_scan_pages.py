"""The scan pages in Chromium, as the offices' staff use them (the page's own script included)."""

import pytest
from django.urls import reverse

from tests.browser.conftest import login
from tests.scans.conftest import departed, done_comparison  # noqa: F401 (the scans' fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_scans_page_with_its_comparisons_fits_a_phone(live_server, new_page, done_comparison, dest_clerk):  # noqa: F811
    page = new_page(390, 844)
    login(page, live_server, "dest_clerk")
    page.goto(f"{live_server.url}/scans/declaration/{done_comparison.declaration_id}/")
    assert page.locator("#scan-comparisons table tbody tr").count() == 1
    # The comparisons table scrolls inside its box; the page itself does not slide sideways.
    assert page.evaluate(PAGE_OVERFLOW) <= 0


def _choose_and_upload(page, name: str, data: bytes):
    page.set_input_files(
        "#scan-upload-form input[name=files]", files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )
    page.click("#scan-upload-form button[type=submit]")


def test_a_capture_time_refused_by_the_server_is_shown_beside_its_field(
    live_server, new_page, declaration, origin_clerk
):
    from django.utils.translation import gettext, override

    from scans.models import Scan
    from tests.scans import images

    page = new_page()
    login(page, live_server, "origin_clerk")
    page.goto(f"{live_server.url}/scans/declaration/{declaration.pk}/")
    page.fill("#scan-upload-form input[name=scanner_id]", "NUC-7")
    page.fill("#scan-upload-form input[name=captured_at]", "1499/01/01 10:00")  # decades ahead
    _choose_and_upload(page, "truck.png", images.png())
    beside = page.locator("#scan-upload-form input[name=captured_at] ~ .invalid-feedback")
    beside.wait_for()
    # The form refuses it with the other fields' errors (cc0ce2e), naming the time as typed.
    with override("fa"):
        assert beside.inner_text() == gettext("The time %(at)s is in the future.") % {"at": "۱۴۹۹/۰۱/۰۱ ۱۰:۰۰"}
    assert page.locator("#scan-upload-form input[name=captured_at]").get_attribute("aria-invalid") == "true"

    # A date the form cannot read: the file's line names the field as the form does, not by its code.
    page.fill("#scan-upload-form input[name=captured_at]", "دیروز")
    _choose_and_upload(page, "truck.png", images.png())
    page.locator("#scan-upload-progress li").nth(1).locator(".error").wait_for()
    line = page.locator("#scan-upload-progress li").nth(1).inner_text()
    with override("fa"):
        assert gettext("captured at") in line
    assert "captured_at" not in line
    assert page.locator("#scan-upload-form .invalid-feedback").count() == 1  # the earlier error went
    assert Scan.objects.count() == 0


def test_files_stored_by_the_pages_script_are_confirmed_and_listed_and_a_refused_one_stays_named(
    live_server,
    new_page,
    departed,  # noqa: F811
    origin_clerk,
):
    """The script posts each file on its own: once they are all answered the page says how many were
    stored, in the pages' success style and language, and lists them; a file refused before keeps its
    line with the reason (the page is not loaded again over it)."""
    from django.utils.translation import gettext, override

    from core.text import digits
    from scans.models import Scan
    from tests.scans import images

    page = new_page()
    login(page, live_server, "origin_clerk")
    page.goto(f"{live_server.url}/scans/declaration/{departed.pk}/")
    assert page.locator(".scan-stage[data-stage=origin] li[data-scan]").count() == 0
    page.fill("#scan-upload-form input[name=scanner_id]", "NUC-7")
    # (One file a batch: the test database, SQLite in memory, refuses two writers at once.)
    _choose_and_upload(page, "not-a-scan.png", b"PK\x03\x04 a zip")
    refused = page.locator("#scan-upload-progress li", has_text="not-a-scan.png").locator(".error")
    refused.wait_for()
    assert page.locator("#main > .messages .alert-success").count() == 0  # nothing stored, nothing said

    _choose_and_upload(page, "truck.png", images.png(1))
    message = page.locator("#main > .messages .alert-success")
    message.wait_for()
    with override("fa"):
        assert message.inner_text() == gettext("%(n)s scan(s) stored.") % {"n": digits(1, persian=True)}
    assert page.locator("#main > .messages").get_attribute("role") == "status"
    listed = page.locator(".scan-stage[data-stage=origin] li[data-scan]")
    assert listed.count() == 1
    assert int(listed.first.get_attribute("data-scan")) == Scan.objects.get().pk
    page.wait_for_timeout(1500)  # no reload comes to wipe the refused file's line
    assert refused.inner_text().strip()
    assert page.locator("#scan-upload-progress li").count() == 2
    assert message.count() == 1

    # The next batch says its own count, once.
    _choose_and_upload(page, "truck-2.png", images.png(2))
    page.locator(".scan-stage[data-stage=origin] li[data-scan]").nth(1).wait_for()
    assert page.locator("#main > .messages .alert-success").count() == 1


def test_the_viewer_reads_origin_destination_changes_from_the_line_start(
    live_server,
    new_page,
    done_comparison,  # noqa: F811
    dest_clerk,
):
    """On a wide Persian page the origin is rightmost (where a line starts), then the destination, then
    the change overlay; on a phone they stack in the same order, origin first."""
    url = live_server.url + reverse("scans:viewer", args=[done_comparison.pk])
    wide = new_page(1366, 768)
    login(wide, live_server, "dest_clerk")
    wide.goto(url)
    boxes = {pane: wide.locator(f"canvas[data-pane={pane}]").bounding_box() for pane in PANES}
    assert boxes["origin"]["x"] > boxes["destination"]["x"] > boxes["overlay"]["x"]
    assert boxes["origin"]["y"] == boxes["destination"]["y"] == boxes["overlay"]["y"]

    phone = new_page(390, 844)
    login(phone, live_server, "dest_clerk")
    phone.goto(url)
    boxes = {pane: phone.locator(f"canvas[data-pane={pane}]").bounding_box() for pane in PANES}
    assert boxes["origin"]["y"] < boxes["destination"]["y"] < boxes["overlay"]["y"]


PANES = ("origin", "destination", "overlay")
