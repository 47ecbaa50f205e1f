"""Every page names the app's icon, and /favicon.ico (which browsers ask for on pages that name
none, such as the admin's) leads to it: no 404 in the browser's console on every page."""

import pytest


@pytest.mark.django_db
def test_pages_name_the_icon_and_favicon_ico_leads_to_it(client):
    login = client.get("/login/")
    assert b'rel="icon" href="/static/img/favicon.svg"' in login.content
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == "/static/img/favicon.svg"
    icon = client.get(answer["Location"])
    assert icon.status_code == 200 and icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
