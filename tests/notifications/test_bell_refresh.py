"""The bell keeps up while a page stays open: headquarters opens the dashboard and leaves it, an
inspector's return notifies them, and the bell asks for its count again (htmx, every 30 s) and shows
it without a reload. Its own count only; a background request that does not keep an idle login alive;
logged out meanwhile, the whole page goes to the login page (never the login page inside the bell)."""

import re
import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts import logins
from accounts.models import LoginRecord
from notifications import services
from notifications.messages import Message
from notifications.models import Kind

pytestmark = pytest.mark.django_db

BACKGROUND = {"HTTP_HX_REQUEST": "true", "HTTP_X_BACKGROUND_REFRESH": "bell"}


def _notify(user, n: int = 1) -> None:
    for i in range(n):
        services.notify(
            Kind.RETURN_SUBMITTED, [user], title=Message("A province submitted its monthly return"), url=f"/r/{i}"
        )


def _unread(html: str) -> int:
    found = re.search(r'data-unread="(\d+)"', html)
    return int(found.group(1)) if found else 0


def test_the_page_carries_the_bell_that_asks_again(client, hq):
    client.force_login(hq)
    html = client.get(reverse("home")).content.decode()

    bell = re.search(r'<a [^>]*id="bell"[^>]*>', html).group(0)
    assert f'hx-get="{reverse("notifications:bell")}"' in bell
    assert 'hx-trigger="every 30s, refresh"' in bell and 'hx-swap="outerHTML"' in bell
    assert "X-Background-Refresh" in bell
    assert "notifications/bell.js" in html  # a file of the site's own (CSP: script-src 'self'), no inline script
    assert "<script>" not in html


def test_the_bell_alone_shows_a_notification_that_came_after_the_page(
    client, hq, inspector, django_assert_max_num_queries
):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.force_login(hq)
    assert _unread(client.get(reverse("home")).content.decode()) == 0
    _notify(hq, 3)
    _notify(inspector, 5)  # someone else's: not counted

    with django_assert_max_num_queries(6):  # session, login record, user, the count: no page behind it
        response = client.get(reverse("notifications:bell"), **BACKGROUND)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<a class="btn') and html.count('id="bell"') == 1 and "<nav" not in html
    assert _unread(html) == 3 and ">۳</span>" in html
    assert 'aria-label="اعلان‌ها: ۳ خوانده‌نشده"' in html


def test_the_bells_refresh_does_not_keep_an_idle_login_alive(client, hq, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    client.force_login(hq)
    session = client.session
    session[logins.SEEN] = int(time.time()) - 600
    session.save()

    assert client.get(reverse("notifications:bell"), **BACKGROUND).status_code == 200
    assert time.time() - client.session[logins.SEEN] >= 600  # the page left open is still idle

    client.get(reverse("notifications:list"))  # a person's request slides it
    assert time.time() - client.session[logins.SEEN] < 60


def test_an_idle_login_ends_at_the_bells_refresh_and_the_page_goes_to_the_login_page(client, hq, settings):
    settings.SESSION_IDLE_SECONDS = 1800
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    client.force_login(hq)
    session = client.session
    session[logins.SEEN] = int(time.time()) - 1801
    session.save()

    response = client.get(
        reverse("notifications:bell"), HTTP_HX_CURRENT_URL="http://testserver/declarations/?status=open", **BACKGROUND
    )

    assert response.status_code == 204 and response.content == b""
    assert response["HX-Redirect"] == reverse("login") + "?next=/declarations/%3Fstatus%3Dopen"
    assert LoginRecord.objects.get(user=hq).ended_reason == LoginRecord.Ended.IDLE
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "پس از مدتی بی‌کاری از سامانه خارج شدید" in page  # the message saying why, on the page, not lost


def test_logged_out_elsewhere_the_bell_sends_the_page_to_log_in(client):
    response = client.get(reverse("notifications:bell"), HTTP_HX_CURRENT_URL="http://testserver/reports/", **BACKGROUND)
    assert response.status_code == 204 and response["HX-Redirect"] == reverse("login") + "?next=/reports/"
    response = client.get(reverse("notifications:bell"), HTTP_HX_CURRENT_URL="https://evil.example/x", **BACKGROUND)
    assert response["HX-Redirect"] == reverse("login") + "?next=/"  # back to this site only

    assert client.get(reverse("notifications:bell")).url.startswith(reverse("login"))  # not from htmx: a redirect


def test_the_dashboards_own_refresh_does_not_keep_an_idle_login_alive_either(client, hq, settings):
    """The dashboard's tiles ask again every minute, as the bell does: a dashboard left open on a desk is
    no sign that anyone is there, so the idle limit still ends the login."""
    settings.SESSION_IDLE_SECONDS = 1800
    client.force_login(hq)
    page = client.get(reverse("home")).content.decode()
    tiles = re.search(r'<div class="signal-grid" id="signals"[^>]*>', page)
    assert tiles and "X-Background-Refresh" in tiles.group(0)
    session = client.session
    session[logins.SEEN] = int(time.time()) - 600
    session.save()

    response = client.get(
        reverse("home") + "?partial=signals", HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND_REFRESH="signals"
    )
    assert response.status_code == 200
    assert time.time() - client.session[logins.SEEN] >= 600
