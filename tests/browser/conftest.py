"""Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, which Django would take
for async code: DJANGO_ALLOW_ASYNC_UNSAFE lets the ORM run beside it in tests.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """A fresh browser context per persona, 1366×768, Persian; closed after the test."""
    contexts = []

    def make(width=1366, height=768):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="fa-IR")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def login(page, live_server, username):
    """Log in through the real pages; a user who must pass the second factor (HQ, IT, staff) gets an
    authenticator (enrolled beforehand, as seed_demo does) and types its current code."""
    from django_otp.oath import totp

    from accounts import two_factor
    from accounts.models import User

    user = User.objects.get(username=username)
    device = None
    if two_factor.required_for(user):
        device = two_factor.enrol_for_demo(user)
        device.last_t = -1  # a second login within the same 30 s may use the same code
        device.save(update_fields=["last_t"])
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.card button[type=submit]")
    if device is not None:
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/**")
        page.fill("#id_code", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
        page.click("#two-factor-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
