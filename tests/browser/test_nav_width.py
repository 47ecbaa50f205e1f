"""The top bar stays one line on a laptop (1200 and 1366 px), in Persian and in English, for every role:
items that wrapped onto two lines pushed the page down and broke labels mid-word. The person's own
links and «log out» are in the menu under their name."""

import pytest

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.persian]

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
ONE_LINE = 70  # px: the bar's height with one line of items is 56
HINT_FITS = """e => {
    const s = getComputedStyle(e), ctx = document.createElement("canvas").getContext("2d");
    ctx.font = s.font;
    return ctx.measureText(e.placeholder).width <= e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
}"""


@pytest.mark.parametrize("username", ["hq", "it_officer", "inspector", "origin_clerk"])
def test_the_top_bar_is_one_line_on_a_laptop_in_both_languages(live_server, new_page, username, request):
    user = request.getfixturevalue(username)
    user.first_name, user.last_name = "محمدحسین", "صالحی‌نژاد"
    user.save(update_fields=["first_name", "last_name"])
    page = new_page(1200, 800)
    login(page, live_server, username)
    for language in ("fa", "en"):
        if page.locator("html").get_attribute("lang") != language:
            page.click(".lang-switch button")
            page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == language
        for width in (1200, 1366):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{live_server.url}/declarations/")
            assert page.locator("nav.app-navbar").bounding_box()["height"] < ONE_LINE, (language, width)
            assert page.evaluate(OVERFLOW) <= 0, (language, width)
            # The plate box's hint is read whole, not cut at its start.
            box = page.locator("#nav-plate")
            assert box.evaluate(HINT_FITS), box.get_attribute("placeholder")


def test_the_name_opens_the_persons_menu_and_logs_out(live_server, new_page, origin_clerk):
    page = new_page(1366, 800)
    login(page, live_server, "origin_clerk")
    page.click(".user-menu button")
    menu = page.locator(".user-menu .dropdown-menu")
    assert menu.is_visible()
    assert menu.locator('a[href="/accounts/"]').inner_text() == "حساب کاربری من"
    assert menu.locator('a[href="/accounts/sessions/"]').is_visible()
    menu.locator("form button").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    page.goto(f"{live_server.url}/declarations/")
    assert "/login/" in page.url


def test_entry_pages_are_under_their_menu_for_those_who_may(live_server, new_page, origin_clerk):
    page = new_page(1366, 800)
    login(page, live_server, "origin_clerk")
    page.get_by_role("button", name="ثبت اظهارنامه").click()
    page.get_by_role("link", name="ثبت دستی").click()
    page.wait_for_url(f"{live_server.url}/declarations/new/")
