"""Headquarters' first login in Chromium: the QR code drawn on the page (no CSP complaint), the key
typed into an "app", the code entered, the recovery codes shown, then the dashboard."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hq_enrols_an_authenticator_at_first_login(live_server, new_page, hq):
    page = new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "hq")
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/enrol/**")

    box = page.locator("#qr-code svg").bounding_box()
    assert box and box["width"] > 150 and box["height"] > 150  # a scannable size, drawn by the server
    key = b32decode(page.inner_text("#totp-secret").replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")  # what the phone's app would show
    page.click("#enrol-form button[type=submit]")

    page.wait_for_url(f"{live_server.url}/accounts/two-factor/recovery-codes/**")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#recovery-continue")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".navbar-brand").is_visible()
    assert csp == []
